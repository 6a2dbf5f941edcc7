/// A pod server's connection counters at one moment: what `GET /metrics` exports.
public struct PodServerCounts: Sendable, Equatable {
    /// Open WebSocket connections.
    public var active: Int
    /// Upgrades accepted since start.
    public var accepted: Int
    /// Upgrades refused with 503 at the capacity limit since start.
    public var rejected: Int
    /// Accepted connections that have ended since start.
    public var closed: Int

    /// Creates counts.
    public init(active: Int, accepted: Int, rejected: Int, closed: Int) {
        self.active = active; self.accepted = accepted; self.rejected = rejected; self.closed = closed
    }
}
