import Foundation
import Histogram

/// The raw material of a report that makes an exact merge possible (schema 2, `raw` in the JSON):
/// latency histograms rather than percentiles, per-pod counts including unattributed connections,
/// the run inputs the explanations depend on, the gate thresholds and the server-log samples.
///
/// ``ReportMerger`` adds counts and histograms of several reports and recomputes statistics,
/// server-log matching, explanations and the gate on the whole from these fields alone.
public struct ReportRawData: Sendable, Codable, Equatable {
    /// The shape of the run a report covers.
    public struct RunShape: Sendable, Codable, Equatable {
        /// Virtual clients of the whole run (all shards).
        public var clients: Int
        /// Connections each virtual client opens.
        public var connectionsPerClient: Int
        /// The shard this report covers; nil for a one-piece run.
        public var shard: ShardSpec?
        /// Connections planned in this report (the shard's, or all).
        public var connections: Int
        /// Source addresses configured for the whole run (0: the kernel's choice).
        public var sourceCount: Int

        /// Creates a shape.
        public init(clients: Int, connectionsPerClient: Int, shard: ShardSpec?, connections: Int, sourceCount: Int) {
            self.clients = clients; self.connectionsPerClient = connectionsPerClient; self.shard = shard
            self.connections = connections; self.sourceCount = sourceCount
        }

        /// The shape of `plan`.
        public init(plan: RunPlan) {
            self.init(
                clients: plan.clients, connectionsPerClient: plan.connectionsPerClient, shard: plan.shard,
                connections: plan.totalConnections, sourceCount: plan.sources.count)
        }
    }

    /// What ran (nil when the report was built without a plan, e.g. in tests).
    public var shape: RunShape?
    /// Latency histograms per phase, in microseconds, exactly as the engine recorded them.
    public var histograms: [String: Histogram<UInt64>]
    /// Connections open at the end of the hold per attributed pod; unattributed ones under `"?"`.
    public var heldPerPod: [String: Int]
    /// Pods known from discovery or the static list, with their weights.
    public var knownPods: [String: Double]
    /// The expected weights the statistics used (nil: equal over the pods).
    public var weights: [String: Double]?
    /// Distinct source addresses the connections used, sorted.
    public var sourceAddresses: [String]
    /// The run's cookie policy.
    public var cookiePolicy: CookiePolicy
    /// Distinct affinity cookie values, redacted to `<redacted:N chars #hash>` (distinct values stay distinct), sorted.
    public var cookieValues: [String]
    /// Distinct affinity cookie values as the engine counted them.
    public var distinctCookieValues: Int
    /// Established connections that carried an affinity cookie (sent or received); nil in older reports.
    public var cookieCarriers: Int?
    /// Virtual clients in this report.
    public var clientCount: Int
    /// How the target reaches a single pod (port-forward, pod address), if it does.
    public var singlePodTarget: String?
    /// The gate thresholds the verdict used.
    public var thresholds: GateThresholds
    /// Whether server logs were configured.
    public var serverLogsConfigured: Bool
    /// The server-log samples read, per pod.
    public var serverLogs: [LogSampleSeries]
    /// What was read from the pods' own metrics (nil: none configured; absent from the JSON then).
    public var serverMetrics: ServerMetricsData?
    /// Notes and warnings given by the caller (discovery, log problems), before the derived ones.
    public var contextNotes: [String], contextWarnings: [String]
    /// Warnings the engine raised.
    public var engineWarnings: [String]
    /// Whether the run was interrupted.
    public var interrupted: Bool
    /// The run window (milliseconds) used for server-log matching.
    public var window: RunWindow
    /// The run's timed events and what became of them (nil: the run had none).
    public var events: [EventRecord]?

    /// Captures the raw data of a run.
    public init(result: EngineResult, context: ReportContext, shape: RunShape? = nil) {
        self.shape = shape
        histograms = result.histograms
        heldPerPod = result.heldPerPod
        knownPods = context.knownPods
        var weights = context.weights
        if weights == nil, context.knownPods.values.contains(where: { $0 != 1 }) { weights = context.knownPods }
        self.weights = weights
        // One pass, no per-record arrays: the end of a run should not copy its records to count them.
        var hosts = Set<String>(), placeholders = Set<String>()
        var carriers = 0
        for r in result.records {
            if let local = r.local { hosts.insert(SocketAddress.hostPart(of: local)) }
            guard r.status != .pending && r.status != .failed, let cookie = r.affinityCookie else { continue }
            placeholders.insert(Redaction.placeholder(for: cookie))
            carriers += 1
        }
        sourceAddresses = hosts.sorted()
        cookiePolicy = context.cookiePolicy
        cookieValues = placeholders.sorted()
        distinctCookieValues = result.distinctCookieValues
        cookieCarriers = carriers
        clientCount = DistinctCount.of(result.records.lazy.map(\.client))
        singlePodTarget = context.singlePodTarget
        thresholds = context.thresholds
        serverLogsConfigured = context.serverLogsConfigured
        // Dates rounded to milliseconds, as everywhere in a report, so a JSON round trip is lossless.
        serverLogs = context.serverLogs.map(\.normalizedForReport)
        serverMetrics = context.serverMetrics.map { m in
            var m = m
            m.series = m.series.map(\.normalizedForReport)
            return m
        }
        contextNotes = context.notes
        contextWarnings = context.warnings
        engineWarnings = result.warnings
        interrupted = result.interrupted
        events = context.events.isEmpty ? nil : context.events
        window = RunWindow(
            runStart: ReportDate.normalize(result.startedAt), holdStart: ReportDate.normalize(result.holdStartedAt),
            holdEnd: ReportDate.normalize(result.holdEndedAt), closeEnd: ReportDate.normalize(result.endedAt))
    }

    enum CodingKeys: String, CodingKey {
        case shape, histograms, heldPerPod, knownPods, weights, sourceAddresses, cookiePolicy, cookieValues, distinctCookieValues, cookieCarriers
        case clientCount, singlePodTarget, thresholds, serverLogsConfigured, serverLogs, serverMetrics, contextNotes, contextWarnings
        case engineWarnings, interrupted, window, events
    }

    /// Decodes; histograms are read from their compact form.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        shape = try c.decodeIfPresent(RunShape.self, forKey: .shape)
        let compact = try c.decode([String: CompactHistogram].self, forKey: .histograms)
        histograms = try compact.mapValues { try $0.histogram() }
        heldPerPod = try c.decode([String: Int].self, forKey: .heldPerPod)
        knownPods = try c.decode([String: Double].self, forKey: .knownPods)
        weights = try c.decodeIfPresent([String: Double].self, forKey: .weights)
        sourceAddresses = try c.decode([String].self, forKey: .sourceAddresses)
        cookiePolicy = try c.decode(CookiePolicy.self, forKey: .cookiePolicy)
        cookieValues = try c.decode([String].self, forKey: .cookieValues)
        distinctCookieValues = try c.decode(Int.self, forKey: .distinctCookieValues)
        cookieCarriers = try c.decodeIfPresent(Int.self, forKey: .cookieCarriers)
        clientCount = try c.decode(Int.self, forKey: .clientCount)
        singlePodTarget = try c.decodeIfPresent(String.self, forKey: .singlePodTarget)
        thresholds = try c.decode(GateThresholds.self, forKey: .thresholds)
        serverLogsConfigured = try c.decode(Bool.self, forKey: .serverLogsConfigured)
        serverLogs = try c.decode([LogSampleSeries].self, forKey: .serverLogs)
        serverMetrics = try c.decodeIfPresent(ServerMetricsData.self, forKey: .serverMetrics)
        contextNotes = try c.decode([String].self, forKey: .contextNotes)
        contextWarnings = try c.decode([String].self, forKey: .contextWarnings)
        engineWarnings = try c.decode([String].self, forKey: .engineWarnings)
        interrupted = try c.decode(Bool.self, forKey: .interrupted)
        window = try c.decode(RunWindow.self, forKey: .window)
        events = try c.decodeIfPresent([EventRecord].self, forKey: .events)
    }

    /// Encodes; histograms are written in their compact form.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(shape, forKey: .shape)
        try c.encode(histograms.mapValues(CompactHistogram.init), forKey: .histograms)
        try c.encode(heldPerPod, forKey: .heldPerPod)
        try c.encode(knownPods, forKey: .knownPods)
        try c.encodeIfPresent(weights, forKey: .weights)
        try c.encode(sourceAddresses, forKey: .sourceAddresses)
        try c.encode(cookiePolicy, forKey: .cookiePolicy)
        try c.encode(cookieValues, forKey: .cookieValues)
        try c.encode(distinctCookieValues, forKey: .distinctCookieValues)
        try c.encodeIfPresent(cookieCarriers, forKey: .cookieCarriers)
        try c.encode(clientCount, forKey: .clientCount)
        try c.encodeIfPresent(singlePodTarget, forKey: .singlePodTarget)
        try c.encode(thresholds, forKey: .thresholds)
        try c.encode(serverLogsConfigured, forKey: .serverLogsConfigured)
        try c.encode(serverLogs, forKey: .serverLogs)
        try c.encodeIfPresent(serverMetrics, forKey: .serverMetrics)
        try c.encode(contextNotes, forKey: .contextNotes)
        try c.encode(contextWarnings, forKey: .contextWarnings)
        try c.encode(engineWarnings, forKey: .engineWarnings)
        try c.encode(interrupted, forKey: .interrupted)
        try c.encode(window, forKey: .window)
        try c.encodeIfPresent(events, forKey: .events)
    }
}

/// A histogram in a compact, lossless JSON form: its layout plus only the non-empty buckets as one string of
/// `value:count` pairs (a value inside each bucket), plus the exact smallest and largest recorded values.
/// Decoding records those values back into a histogram with the same layout — the counts of the buckets holding
/// the smallest and largest values at exactly those values — which gives equal bucket counts, total, `min` and
/// `maxRecorded`, hence equal percentiles (`valueAtPercentile` clamps to both) and `Histogram ==`.
public struct CompactHistogram: Sendable, Codable, Equatable {
    /// Significant value digits (0–5).
    public var digits: Int8
    /// Lowest discernible value.
    public var lowest: UInt64
    /// Highest trackable value.
    public var highest: UInt64
    /// Total count (checked on decoding).
    public var total: UInt64
    /// The smallest recorded value (`Histogram.min`) and the largest (`maxRecorded`).
    public var min: UInt64?, max: UInt64?
    /// `value:count` pairs separated by spaces, in increasing value order.
    public var buckets: String

    /// The compact form of `h`.
    public init(_ h: Histogram<UInt64>) {
        digits = h.numberOfSignificantValueDigits.rawValue
        lowest = h.lowestDiscernibleValue
        highest = h.highestTrackableValue
        total = h.totalCount
        min = h.totalCount > 0 ? h.min : nil
        max = h.totalCount > 0 ? h.maxRecorded : nil
        var parts: [String] = []
        for v in h.recordedValues() where v.count > 0 { parts.append("\(v.value):\(v.count)") }
        buckets = parts.joined(separator: " ")
    }

    /// The histogram; throws on malformed data.
    public func histogram() throws -> Histogram<UInt64> {
        guard let d = SignificantDigits(rawValue: digits), lowest >= 1, highest >= 2 * lowest else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "histogram layout \(digits)/\(lowest)/\(highest) is invalid"))
        }
        var h = Histogram<UInt64>(lowestDiscernibleValue: lowest, highestTrackableValue: highest, numberOfSignificantValueDigits: d)
        h.autoResize = true
        for pair in buckets.split(separator: " ") {
            let kv = pair.split(separator: ":")
            guard kv.count == 2, let v = UInt64(kv[0]), let n = UInt64(kv[1]) else {
                throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "histogram bucket \"\(pair)\" is not value:count"))
            }
            // The buckets of the extremes are recorded at the extremes themselves, so min and max stay exact.
            let bucket = h.lowestEquivalentForValue(v)
            let hasMin = min.map { h.lowestEquivalentForValue($0) == bucket } ?? false
            let hasMax = max.map { h.lowestEquivalentForValue($0) == bucket } ?? false
            switch (hasMin, hasMax) {
            case (true, true) where n >= 2:
                _ = h.record(min!, count: n - 1)
                _ = h.record(max!)
            case (_, true): _ = h.record(max!, count: n)
            case (true, false): _ = h.record(min!, count: n)
            case (false, false): _ = h.record(v, count: n)
            }
        }
        guard h.totalCount == total else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "histogram total \(h.totalCount) ≠ \(total)"))
        }
        return h
    }
}

extension ReportRawData {
    /// Raw data recovered from a report's analysed sections, for reports written before `raw` existed (schema 1):
    /// per-pod counts from the statistics, thresholds from the gate's checks, the window from the phases, the
    /// notes and warnings as context. Histograms and the inputs of the explanations are not recoverable.
    public init(recoveredFrom report: Report) {
        self.init(result: EngineResult.empty(at: report.run.startedAt), context: ReportContext(target: report.run.target))
        var held: [String: Int] = [:]
        for p in report.statistics.pods { held[p.pod] = p.count }
        heldPerPod = held
        clientCount = report.placements.clientCount
        thresholds = GateThresholds(recoveredFrom: report.gate)
        window = report.runWindow
        contextNotes = report.notes
        contextWarnings = report.warnings
    }
}

extension LogSampleSeries {
    /// The series with its timestamps rounded to milliseconds, as every date in a report is, so a JSON round trip
    /// is lossless (server logs and server metrics alike).
    var normalizedForReport: LogSampleSeries {
        LogSampleSeries(
            pod: pod,
            samples: samples.map { x in
                var y = x
                y.timestamp = x.timestamp.map(ReportDate.normalize)
                return y
            })
    }
}
