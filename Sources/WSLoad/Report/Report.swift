import Foundation

/// Everything a run produced, as one versioned value; every output format is a pure function of it.
public struct Report: Sendable, Codable, Equatable {
    /// The schema version this code writes.
    public static let currentSchemaVersion = 3
    /// Every schema version `decode(json:)` reads: 1 (no `raw`), 2 (one `clients` row per client) and 3.
    public static let readableSchemaVersions = 1...3

    /// Schema version of this report (3; 1 or 2 for an older report read back).
    public var schemaVersion: Int
    /// wsload version that produced the report.
    public var toolVersion: String
    /// What ran, against what, and when.
    public var run: RunMetadata
    /// Connection totals and failure buckets.
    public var totals: RunTotals
    /// Latency summaries per phase.
    public var latency: [LatencySummary]
    /// Per-pod rows.
    public var pods: [PodRow]
    /// Distribution statistics.
    public var statistics: DistributionStatistics
    /// Reasons for a poor spread (empty when the spread is fine).
    public var explanations: [SpreadExplanation]
    /// Where the clients' connections landed, clients with equal placements counted together (schema 3; older
    /// reports' per-client `clients` rows are grouped when read). Per-client detail is in `connections.jsonl`.
    public var placements: [ClientPlacement]
    /// Gate checks and verdict.
    public var gate: GateVerdict
    /// Informational notes.
    public var notes: [String]
    /// Warnings (e.g. garbage log lines, assumed baselines).
    public var warnings: [String]
    /// What the spread and the `max_skew` verdict are worth at this size: fairness, p-value, random-placement
    /// band, false-fail probability (nil in older reports and with fewer than two expected pods).
    public var significance: SkewSignificance?
    /// Drops, reconnects, disruption, half-open detections and idle timeouts (nil when nothing dropped).
    public var resilience: ResilienceSummary?
    /// Open connections per pod over time, client side and (when logs were followed) server side.
    public var timeline: [TimelinePoint]?
    /// The pods' own metrics matched against wsload's counts (nil when no `server_metrics` were configured).
    public var metricsMatch: MetricsMatch?
    /// The run's timed events (`events:`) and what became of them (nil: none).
    public var events: [EventRecord]?
    /// What a scale-out did: new pods, their share at the end and over time, time until fair again (nil: no event
    /// ran and no pod appeared after the ramp).
    public var scaleOut: ScaleOutSummary?
    /// What drops did: per pod, reconnect rates and waves per event, where moved connections landed (nil: nothing dropped).
    public var drain: DrainSummary?
    /// Each pod's share of the open connections over the ramp and hold, client and server view, at most
    /// ``PodShareTimeline/maxSamples`` samples (nil: fewer than two ramp/hold timeline samples).
    public var shareOverTime: PodShareTimeline?
    /// The raw material for an exact merge of shard reports (schema 2; nil in schema-1 reports). See ``ReportRawData``.
    public var raw: ReportRawData?

    /// Creates a report.
    public init(
        schemaVersion: Int = Report.currentSchemaVersion, toolVersion: String = WSLoadVersion.string,
        run: RunMetadata, totals: RunTotals, latency: [LatencySummary] = [], pods: [PodRow],
        statistics: DistributionStatistics, explanations: [SpreadExplanation] = [],
        placements: [ClientPlacement] = [], gate: GateVerdict = GateVerdict(checks: []),
        notes: [String] = [], warnings: [String] = []
    ) {
        self.schemaVersion = schemaVersion
        self.toolVersion = toolVersion
        self.run = run
        self.totals = totals
        self.latency = latency
        self.pods = pods
        self.statistics = statistics
        self.explanations = explanations
        self.placements = placements
        self.gate = gate
        self.notes = notes
        self.warnings = warnings
    }

    /// Every latency percentile keyed as gate thresholds expect (`upgrade_p99`, …).
    public var latencyPercentilesMs: [String: Double] {
        latency.reduce(into: [:]) { $0.merge($1.percentilesMs) { _, new in new } }
    }

    /// The exit code this report implies: 0 gate passed, 1 gate failed, 3 incomplete run.
    ///
    /// 3 (the run could not complete) when the verdict is INCOMPLETE — interrupted, nothing established (the
    /// target is unreachable), connections unaccounted for —, and for reports written before the verdict said so.
    public var exitCode: ExitCode {
        if gate.incomplete != nil { return .runIncomplete }
        if raw?.interrupted == true { return .runIncomplete }
        if totals.attempted > 0 && totals.established == 0 { return .runIncomplete }
        return gate.exitCode
    }

    /// Reads a report written by `JSONRenderer`; throws on malformed JSON or an unsupported schema version.
    public static func decode(json data: Data) throws -> Report {
        let report = try JSONRenderer.decoder().decode(Report.self, from: upgradingLegacyClients(data))
        guard readableSchemaVersions.contains(report.schemaVersion) else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: [],
                    debugDescription: "unsupported report schemaVersion \(report.schemaVersion); "
                        + "this wsload reads versions \(readableSchemaVersions.lowerBound)-\(readableSchemaVersions.upperBound)"))
        }
        return report
    }
}
