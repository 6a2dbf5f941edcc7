import Foundation

/// Everything one analysis reads: the run's raw data plus the per-connection summaries a report keeps
/// (totals, per-client placement, resilience, timeline) and the notes of whoever assembled it.
///
/// Every path that makes a report builds one of these and hands it to ``Analyzer/analyse(_:)``: a live run
/// (``init(result:context:shape:)``), a merge of shard reports (``ReportMerger``), `match-logs`
/// (``init(report:)`` with the logs swapped) and the tests.
public struct AnalysisInput: Sendable {
    /// The raw data: per-pod counts, histograms, server logs, run window, inputs of the explanations, thresholds.
    public var raw: ReportRawData
    /// Connection totals and failure buckets.
    public var totals: RunTotals
    /// Where the clients' connections (held or dropped) landed, clients with equal placements counted together;
    /// drives pinning and the placement unit of the significance.
    public var placements: [ClientPlacement]
    /// What ran, against what, when (phases included).
    public var run: RunMetadata
    /// Drops, reconnects, half-open and idle-timeout findings.
    public var resilience: ResilienceSummary?
    /// Open connections per pod over time (client side, and server side when logs were followed).
    public var timeline: [TimelinePoint]?
    /// Notes that come before the derived ones (discovery, log sources).
    public var notes: [String]
    /// Notes that come after the derived ones (how the input was assembled, e.g. merged from shards).
    public var closingNotes: [String]
    /// Warnings, in order; duplicates are dropped by the analysis.
    public var warnings: [String]
    /// Reasons known to whoever assembled the input that make the run incomplete (e.g. a lost worker), besides
    /// those the analysis finds itself (interrupted, nothing established, connections unaccounted for).
    public var incompleteReasons: [String] = []

    /// Creates an input.
    public init(
        raw: ReportRawData, totals: RunTotals, placements: [ClientPlacement], run: RunMetadata,
        resilience: ResilienceSummary? = nil, timeline: [TimelinePoint]? = nil, notes: [String] = [],
        closingNotes: [String] = [], warnings: [String] = []
    ) {
        self.raw = raw; self.totals = totals; self.placements = placements; self.run = run
        self.resilience = resilience; self.timeline = timeline; self.notes = notes; self.closingNotes = closingNotes
        self.warnings = warnings
    }

    /// Creates an input from per-client counts (client → pod → connections), grouped into placements.
    public init(
        raw: ReportRawData, totals: RunTotals, podCountsByClient: [String: [String: Int]], run: RunMetadata,
        resilience: ResilienceSummary? = nil, timeline: [TimelinePoint]? = nil, notes: [String] = [],
        closingNotes: [String] = [], warnings: [String] = []
    ) {
        self.init(
            raw: raw, totals: totals, placements: ClientPlacement.group(podCountsByClient: podCountsByClient), run: run,
            resilience: resilience, timeline: timeline, notes: notes, closingNotes: closingNotes, warnings: warnings)
    }
}

extension AnalysisInput {
    /// The input of a live run: the engine's records summarised. `result` must already have its opaque
    /// affinity-cookie values redacted (``CookieGroups/redact(_:knownPods:)``): ``ReportBuilder`` does that.
    init(redactedResult result: EngineResult, context: ReportContext, shape: ReportRawData.RunShape? = nil) {
        var buckets: [String: (String, String, Int)] = [:]
        for r in result.records {
            guard let f = r.failure, r.status == .failed || r.status == .dropped else { continue }
            let key = f.bucket
            let reason = key.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? f.kind.rawValue
            buckets[key, default: (f.phase.rawValue, reason, 0)].2 += 1
        }
        let failures = buckets.values.map { FailureBucket(phase: $0.0, reason: $0.1, count: $0.2) }
        var totals = RunTotals(
            attempted: result.attempted, established: result.established, failed: result.failed, held: result.held,
            dropped: result.dropped, failures: failures)
        totals.recycled = result.records.reduce(0) { $0 + $1.recycles }
        var handshakes = 0, resumed = 0
        for r in result.records where r.tlsMs != nil && r.status != .failed {
            handshakes += 1
            if r.tlsResumed { resumed += 1 }
        }
        if handshakes > 0 {
            totals.tlsHandshakes = handshakes
            totals.tlsResumed = resumed
        }
        let phases = [
            PhaseTiming(name: "ramp", start: result.startedAt, end: result.holdStartedAt),
            PhaseTiming(name: "hold", start: result.holdStartedAt, end: result.holdEndedAt),
            PhaseTiming(name: "close", start: result.holdEndedAt, end: result.endedAt),
        ]
        var run = RunMetadata(
            profile: context.profileName, target: context.target, startedAt: result.startedAt,
            endedAt: result.endedAt, phases: phases)
        run.tls = context.tls
        let timeline =
            result.timeline.isEmpty
            ? nil : Self.withServerCounts(result.timeline, startedAt: result.startedAt, logs: context.serverLogs)
        self.init(
            raw: ReportRawData(result: result, context: context, shape: shape), totals: totals,
            placements: ClientPlacement.group(records: result.records), run: run,
            resilience: ResilienceSummary.summarise(result.records), timeline: timeline, notes: context.notes,
            warnings: context.warnings + result.warnings)
    }

    /// The input a saved report was analysed from, for re-analysis (`match-logs`). A report without raw data
    /// (schema 1) gets raw data recovered from its analysed sections.
    public init(report: Report) {
        let raw = report.raw ?? ReportRawData(recoveredFrom: report)
        self.init(
            raw: raw, totals: report.totals, placements: report.placements, run: report.run, resilience: report.resilience,
            timeline: report.timeline, notes: raw.contextNotes, warnings: raw.contextWarnings + raw.engineWarnings)
    }

    /// Adds each pod's own "Active connections" value in effect at every timeline point.
    static func withServerCounts(_ points: [TimelinePoint], startedAt: Date, logs: [LogSampleSeries]) -> [TimelinePoint] {
        let series = logs.map { s in
            (s.pod, s.samples.compactMap { x in x.timestamp.map { ($0.timeIntervalSince(startedAt), x.activeConnections) } }.sorted { $0.0 < $1.0 })
        }
        .filter { !$0.1.isEmpty }
        guard !series.isEmpty else { return points }
        return points.map { p in
            var q = p
            var server: [String: Int] = [:]
            for (pod, samples) in series {
                if let last = samples.last(where: { $0.0 <= p.t }) { server[pod] = last.1 }
            }
            q.serverPerPod = server
            return q
        }
    }
}
