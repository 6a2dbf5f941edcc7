/// Latency percentiles of one phase, in milliseconds.
public struct LatencySummary: Sendable, Codable, Equatable {
    /// The phase, e.g. `connect`, `tls`, `upgrade`, `firstMessage`.
    public var phase: String
    /// Number of samples.
    public var count: Int
    /// Median in ms.
    public var p50Ms: Double
    /// 90th percentile in ms.
    public var p90Ms: Double
    /// 99th percentile in ms.
    public var p99Ms: Double
    /// Maximum in ms.
    public var maxMs: Double

    /// Creates a summary.
    public init(phase: String, count: Int, p50Ms: Double, p90Ms: Double, p99Ms: Double, maxMs: Double) {
        self.phase = phase
        self.count = count
        self.p50Ms = p50Ms
        self.p90Ms = p90Ms
        self.p99Ms = p99Ms
        self.maxMs = maxMs
    }

    /// The percentiles keyed as gate thresholds expect: `<phase>_p50`, `_p90`, `_p99`, `_max`.
    public var percentilesMs: [String: Double] {
        ["\(phase)_p50": p50Ms, "\(phase)_p90": p90Ms, "\(phase)_p99": p99Ms, "\(phase)_max": maxMs]
    }
}
