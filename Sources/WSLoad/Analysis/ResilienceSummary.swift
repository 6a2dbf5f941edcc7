import Foundation

/// What happened to connections that dropped during a run: reconnects, disruption, where they went,
/// half-open detections and proxy idle timeouts.
public struct ResilienceSummary: Sendable, Codable, Equatable {
    /// Connections dropped during the run (at least once).
    public var droppedConnections: Int
    /// Drops by cause, e.g. `open: peer-closed` → 12.
    public var dropCauses: [String: Int]
    /// Drops by the pod the connection was on when it dropped (every drop counts, a connection that dropped
    /// twice counts twice; unattributed under `?`). Nil in reports written before it existed.
    public var droppedPerPod: [String: Int]?
    /// Successful reconnects.
    public var reconnects: Int
    /// Reconnect attempts (successful or not).
    public var reconnectAttempts: Int
    /// Connections that dropped and never came back before the hold ended.
    public var lost: Int
    /// Disruption (drop → re-established) in milliseconds: p50, p99, max; nil without reconnects.
    public var disruptionP50Ms: Double?, disruptionP99Ms: Double?, disruptionMaxMs: Double?
    /// Where reconnected connections went: `from → to` pod counts.
    public var moves: [Move]
    /// Connections declared dead by the pong deadline (half-open detection).
    public var halfOpenDetections: Int
    /// Longest silence before a half-open connection was declared dead, in milliseconds.
    public var halfOpenMaxSilenceMs: Double?
    /// A proxy idle timeout inferred from many connections cut at the same age.
    public var idleTimeout: IdleTimeoutFinding?

    /// One placement change.
    public struct Move: Sendable, Codable, Equatable {
        /// The pod before the drop.
        public var from: String
        /// The pod after the reconnect.
        public var to: String
        /// How many connections moved this way.
        public var count: Int
    }

    /// Whether a drop was the peer or a middlebox cutting the connection: EOF without a close frame (1006) or a reset.
    static func isCutByPeer(_ f: ConnectionFailure) -> Bool {
        (f.kind == .peerClosed && f.closeCode == 1006) || (f.kind == .system && f.errno == ECONNRESET)
    }

    /// A drop's cause as counted in ``dropCauses``: the failure bucket, with the close code when the peer closed
    /// with a close frame (`open: peer-closed (close 1001)` is a server going away, e.g. a pod draining on
    /// SIGTERM); an EOF without one (1006) stays `open: peer-closed`.
    static func cause(_ f: ConnectionFailure?) -> String {
        guard let f else { return "open: peer-closed" }
        if f.kind == .peerClosed, let code = f.closeCode, code != 1006 { return f.bucket + " (close \(code))" }
        return f.bucket
    }

    /// Summarises the records of a run; nil when nothing dropped.
    public static func summarise(_ records: [ConnectionRecord]) -> ResilienceSummary? {
        let droppedRecords = records.filter { $0.ageAtDropSeconds != nil || $0.reconnects > 0 || $0.status == .dropped }
        guard !droppedRecords.isEmpty else { return nil }
        var causes: [String: Int] = [:]
        for r in droppedRecords { causes[Self.cause(r.failure), default: 0] += 1 }
        let disruptions = droppedRecords.flatMap(\.disruptionsMs).sorted()
        func pct(_ p: Double) -> Double? {
            guard !disruptions.isEmpty else { return nil }
            let i = min(disruptions.count - 1, Int((p / 100 * Double(disruptions.count)).rounded(.up)) - 1)
            return (disruptions[max(0, i)] * 1000).rounded() / 1000
        }
        var moveCounts: [String: [String: Int]] = [:]
        for r in droppedRecords where r.reconnects > 0 {
            let chain = r.previousPods + [r.pod ?? "?"]
            for (a, b) in zip(chain, chain.dropFirst()) { moveCounts[a, default: [:]][b, default: 0] += 1 }
        }
        // Each successful reconnect pushed the pod it dropped from onto previousPods; a connection still
        // down at the end dropped from the pod it was last on.
        var perPod: [String: Int] = [:]
        for r in droppedRecords {
            for p in r.previousPods { perPod[p, default: 0] += 1 }
            if r.status == .dropped || r.status == .reconnecting { perPod[r.pod ?? "?", default: 0] += 1 }
        }
        let moves = moveCounts.flatMap { from, tos in tos.map { Move(from: from, to: $0.key, count: $0.value) } }
            .sorted { ($0.from, $0.to) < ($1.from, $1.to) }
        let halfOpen = droppedRecords.compactMap(\.silentForMsAtDetection)
        return ResilienceSummary(
            droppedConnections: droppedRecords.count, dropCauses: causes, droppedPerPod: perPod,
            reconnects: records.reduce(0) { $0 + $1.reconnects },
            reconnectAttempts: records.reduce(0) { $0 + $1.reconnectAttempts },
            lost: records.count { $0.status == .dropped },
            disruptionP50Ms: pct(50), disruptionP99Ms: pct(99), disruptionMaxMs: disruptions.last,
            moves: moves, halfOpenDetections: halfOpen.count, halfOpenMaxSilenceMs: halfOpen.max(),
            // Only connections the peer or a proxy cut (EOF/RST without a close frame) can show an idle
            // timeout; drops wsload itself declared (pong deadline) or closed cleanly cannot.
            idleTimeout: IdleTimeoutDetector().detect(
                agesAtDrop: droppedRecords.filter { $0.failure.map(Self.isCutByPeer) ?? false }
                    .compactMap(\.ageAtDropSeconds)))
    }
}

/// Many connections cut at (about) the same age: the signature of a proxy idle timeout.
public struct IdleTimeoutFinding: Sendable, Codable, Equatable {
    /// The common age in seconds.
    public var ageSeconds: Double
    /// How many drops share it.
    public var connections: Int
    /// Plain-English explanation with what to do.
    public var message: String
}

/// Finds a cluster of drops at one connection age (HAProxy `timeout tunnel`, nginx `proxy_read_timeout`,
/// cloud load balancers' idle timeouts all cut idle WebSockets at a fixed age, without a close frame).
public struct IdleTimeoutDetector: Sendable {
    /// Minimum drops in the cluster.
    public var minimumConnections: Int
    /// Minimum share of all drops in the cluster.
    public var minimumShare: Double
    /// Ages within this many seconds (or 2 %, whichever is larger) count as the same.
    public var tolerance: Double

    /// Creates a detector.
    public init(minimumConnections: Int = 5, minimumShare: Double = 0.5, tolerance: Double = 1) {
        self.minimumConnections = minimumConnections; self.minimumShare = minimumShare; self.tolerance = tolerance
    }

    /// The finding, or nil when the drops do not cluster at one age (or are too young to be an idle timeout).
    public func detect(agesAtDrop: [Double]) -> IdleTimeoutFinding? {
        let ages = agesAtDrop.filter { $0 >= 2 }.sorted()
        guard ages.count >= minimumConnections else { return nil }
        // Largest window [a, a + width] over the sorted ages.
        var best = (start: 0, count: 0)
        var j = 0
        for i in ages.indices {
            let width = max(tolerance, ages[i] * 0.02)
            if j < i { j = i }
            while j + 1 < ages.count && ages[j + 1] - ages[i] <= width { j += 1 }
            if j - i + 1 > best.count { best = (i, j - i + 1) }
        }
        guard best.count >= minimumConnections, Double(best.count) >= minimumShare * Double(agesAtDrop.count) else { return nil }
        let cluster = ages[best.start..<best.start + best.count]
        let median = cluster[cluster.startIndex + cluster.count / 2]
        let rounded = (median * 10).rounded() / 10
        return IdleTimeoutFinding(
            ageSeconds: rounded, connections: best.count,
            message: """
                \(best.count) connections were cut at the same age (≈\(String(format: "%.1f", rounded)) s) without a close handshake: \
                that is a proxy or load-balancer idle timeout (HAProxy `timeout tunnel`, nginx `proxy_read_timeout` — 60 s by default — \
                or a cloud load balancer). Send pings more often than that (keepalive.ping_interval) or raise the timeout.
                """)
    }
}
