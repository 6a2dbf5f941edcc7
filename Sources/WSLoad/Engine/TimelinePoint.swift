import Foundation

/// One sample of the run's state, for the per-pod timeline and per-interval statistics.
public struct TimelinePoint: Sendable, Codable, Equatable {
    /// Seconds since the run started.
    public var t: Double
    /// The engine phase at the time.
    public var phase: String
    /// Connections open.
    public var open: Int
    /// Totals so far.
    public var established: Int, failed: Int, dropped: Int, reconnects: Int
    /// Reopens after a connection lifetime so far (`clients.lifetime`; nil in reports written before it existed).
    public var recycled: Int?
    /// Open connections per pod (client side).
    public var perPod: [String: Int]
    /// The pods' own "Active connections" values at this time, when server logs were followed.
    public var serverPerPod: [String: Int]?

    /// Creates a point.
    public init(
        t: Double, phase: String, open: Int, established: Int, failed: Int, dropped: Int, reconnects: Int,
        perPod: [String: Int], serverPerPod: [String: Int]? = nil, recycled: Int? = nil
    ) {
        self.recycled = recycled
        self.t = t; self.phase = phase; self.open = open; self.established = established; self.failed = failed
        self.dropped = dropped; self.reconnects = reconnects; self.perPod = perPod; self.serverPerPod = serverPerPod
    }
}
