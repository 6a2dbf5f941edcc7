import Foundation

/// The pass/fail thresholds of a run; an absent threshold is not checked.
///
/// Coded with profile keys: `max_skew`, `min_pods_hit`, `max_failed`, `require_log_match`, `require_metrics_match`, `clients_pinned`,
/// and any `max_<phase>_<percentile>_ms` (e.g. `max_upgrade_p99_ms`), which lands in `maxLatencyMs` under
/// `<phase>_<percentile>` (`upgrade_p99`). Unknown keys are rejected so typos surface.
public struct GateThresholds: Sendable, Codable, Equatable {
    /// Largest allowed max deviation from the expected per-pod count, in percent (`max_skew`).
    public var maxSkewPercent: Double?
    /// Fewest pods that must receive a connection (`min_pods_hit`).
    public var minPodsHit: Int?
    /// Most connections allowed to fail (`max_failed`).
    public var maxFailed: Int?
    /// Most connections allowed to drop after the 101 and stay lost (`max_dropped`); when nil and any other
    /// threshold is set, the gate checks 0 (``effectiveMaxDropped``): a gate never passes a run that lost connections.
    public var maxDropped: Int?
    /// Require every pod's server-log count to match wsload's (`require_log_match`).
    public var requireLogMatch: Bool
    /// Require every pod's server-metrics count to match wsload's (`require_metrics_match`); INCOMPLETE when the
    /// metrics could not be read.
    public var requireMetricsMatch: Bool = false
    /// Require every virtual client's connections to land on one pod (`clients_pinned`).
    public var clientsPinned: Bool
    /// Latency ceilings in ms keyed like the measured percentiles, e.g. `upgrade_p99` (`max_upgrade_p99_ms`).
    public var maxLatencyMs: [String: Double]
    /// Least share (percent) of held connections the pods added during the run must hold (`min_new_pod_share`).
    public var minNewPodSharePercent: Double? = nil
    /// Longest time (seconds) after the last event until the spread is within `max_skew` again (`max_time_to_fair`).
    public var maxTimeToFairSeconds: Double? = nil
    /// Most reconnects completed within one second, anywhere in the run (`max_reconnect_rate`): a reconnect herd.
    public var maxReconnectRate: Double? = nil

    /// Creates thresholds.
    public init(
        maxSkewPercent: Double? = nil, minPodsHit: Int? = nil, maxFailed: Int? = nil, maxDropped: Int? = nil,
        requireLogMatch: Bool = false, clientsPinned: Bool = false, maxLatencyMs: [String: Double] = [:]
    ) {
        self.maxSkewPercent = maxSkewPercent
        self.minPodsHit = minPodsHit
        self.maxFailed = maxFailed
        self.maxDropped = maxDropped
        self.requireLogMatch = requireLogMatch
        self.clientsPinned = clientsPinned
        self.maxLatencyMs = maxLatencyMs
    }

    /// True when no threshold is set.
    public var isEmpty: Bool {
        maxSkewPercent == nil && minPodsHit == nil && maxFailed == nil && maxDropped == nil && !requireLogMatch && !requireMetricsMatch
            && !clientsPinned && maxLatencyMs.isEmpty && !needsEvent && maxReconnectRate == nil
    }

    /// Whether a threshold is set that can only be measured from an event (`min_new_pod_share`, `max_time_to_fair`).
    public var needsEvent: Bool { minNewPodSharePercent != nil || maxTimeToFairSeconds != nil }

    /// The `max_dropped` limit the gate checks: the configured one, else 0 when any other threshold is set.
    public var effectiveMaxDropped: Int? { maxDropped ?? (isEmpty ? nil : 0) }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ s: String) { stringValue = s }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// The latency key inside a `max_<key>_ms` profile key, or nil.
    static func latencyKey(_ key: String) -> String? {
        guard key.hasPrefix("max_"), key.hasSuffix("_ms"), key.count > 7 else { return nil }
        return String(key.dropFirst(4).dropLast(3))
    }

    /// Decodes from profile keys; `max_skew` also accepts a string such as `"20%"`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        self.init()
        for key in c.allKeys {
            switch key.stringValue {
            case "max_skew":
                if let v = try? c.decode(Double.self, forKey: key) {
                    maxSkewPercent = v
                } else {
                    let s = try c.decode(String.self, forKey: key)
                    let trimmed = s.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "%", with: "")
                    guard let v = Double(trimmed) else {
                        throw DecodingError.dataCorruptedError(
                            forKey: key, in: c,
                            debugDescription: "max_skew must be a percentage, got \(s)")
                    }
                    maxSkewPercent = v
                }
            case "min_pods_hit": minPodsHit = try c.decode(Int.self, forKey: key)
            case "max_failed": maxFailed = try c.decode(Int.self, forKey: key)
            case "max_dropped": maxDropped = try c.decode(Int.self, forKey: key)
            case "require_log_match": requireLogMatch = try c.decode(Bool.self, forKey: key)
            case "require_metrics_match": requireMetricsMatch = try c.decode(Bool.self, forKey: key)
            case "clients_pinned": clientsPinned = try c.decode(Bool.self, forKey: key)
            case "min_new_pod_share": minNewPodSharePercent = try c.decode(Double.self, forKey: key)
            case "max_time_to_fair": maxTimeToFairSeconds = try c.decode(Double.self, forKey: key)
            case "max_reconnect_rate": maxReconnectRate = try c.decode(Double.self, forKey: key)
            default:
                guard let latency = Self.latencyKey(key.stringValue) else {
                    throw DecodingError.dataCorruptedError(
                        forKey: key, in: c,
                        debugDescription: "unknown gate threshold \(key.stringValue); known: max_skew, min_pods_hit, "
                            + "max_failed, max_dropped, require_log_match, require_metrics_match, clients_pinned, min_new_pod_share, max_time_to_fair, "
                            + "max_reconnect_rate, "
                            + "max_<phase>_<pNN>_ms")
                }
                maxLatencyMs[latency] = try c.decode(Double.self, forKey: key)
            }
        }
    }

    /// Encodes with profile keys; false booleans and absent values are omitted.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encodeIfPresent(maxSkewPercent, forKey: Key("max_skew"))
        try c.encodeIfPresent(minPodsHit, forKey: Key("min_pods_hit"))
        try c.encodeIfPresent(maxFailed, forKey: Key("max_failed"))
        try c.encodeIfPresent(maxDropped, forKey: Key("max_dropped"))
        if requireLogMatch { try c.encode(true, forKey: Key("require_log_match")) }
        if requireMetricsMatch { try c.encode(true, forKey: Key("require_metrics_match")) }
        if clientsPinned { try c.encode(true, forKey: Key("clients_pinned")) }
        try c.encodeIfPresent(minNewPodSharePercent, forKey: Key("min_new_pod_share"))
        try c.encodeIfPresent(maxTimeToFairSeconds, forKey: Key("max_time_to_fair"))
        try c.encodeIfPresent(maxReconnectRate, forKey: Key("max_reconnect_rate"))
        for (k, v) in maxLatencyMs.sorted(by: { $0.key < $1.key }) {
            try c.encode(v, forKey: Key("max_\(k)_ms"))
        }
    }
}
