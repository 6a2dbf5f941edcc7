import Foundation

/// The live run's way into the analysis: redacts the engine's result, summarises it into an
/// ``AnalysisInput`` and hands it to ``Analyzer``.
public enum ReportBuilder {
    /// The report of a run, with the raw data an exact merge needs (``ReportRawData``). Pure.
    public static func build(result: EngineResult, context: ReportContext, shape: ReportRawData.RunShape? = nil) -> Report {
        buildWithRecords(result: result, context: context, shape: shape).report
    }

    /// The report, and the per-connection records named as the report names their pods (opaque affinity-cookie
    /// values as `cookie#<hash>` or the pod the logs matched them to), for `connections.jsonl`.
    public static func buildWithRecords(result: EngineResult, context: ReportContext, shape: ReportRawData.RunShape? = nil)
        -> (report: Report, records: [ConnectionRecord])
    {
        // Opaque affinity-cookie values become `cookie#<hash>` before anything is kept (they are secrets).
        var redacted = result
        var context = context
        let known = Set(context.knownPods.keys).union(context.serverLogs.map(\.pod))
        context.notes += CookieGroups.ungroupRotating(&redacted, knownPods: known)
        CookieGroups.redact(&redacted, knownPods: known)
        let (report, podNames) = Analyzer.analyseWithPodNames(AnalysisInput(redactedResult: redacted, context: context, shape: shape))
        CookieGroups.apply(podNames, to: &redacted)
        return (report, redacted.records)
    }
}
