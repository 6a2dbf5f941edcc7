/// When and how often a dropped connection is re-established, keeping its virtual client's identity
/// (source address, cookie jar, headers).
public struct ReconnectPolicy: CappedBackoff, Sendable, Hashable, Codable {
    /// Attempts per connection after a drop (0: never).
    public var maxRetries: Int
    /// Delay before the first attempt, in seconds.
    public var initialBackoff: Double
    /// Cap on the delay, in seconds.
    public var maxBackoff: Double
    /// Fraction (0…1) of each delay that is randomised, so reconnect storms spread out.
    public var jitter: Double

    /// Creates a policy.
    public init(maxRetries: Int = 5, initialBackoff: Double = 0.5, maxBackoff: Double = 10, jitter: Double = 0.2) {
        self.maxRetries = maxRetries; self.initialBackoff = initialBackoff; self.maxBackoff = maxBackoff; self.jitter = jitter
    }
}

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
    /// Open connections per pod (client side).
    public var perPod: [String: Int]
    /// The pods' own "Active connections" values at this time, when server logs were followed.
    public var serverPerPod: [String: Int]?

    /// Creates a point.
    public init(t: Double, phase: String, open: Int, established: Int, failed: Int, dropped: Int, reconnects: Int,
                perPod: [String: Int], serverPerPod: [String: Int]? = nil) {
        self.t = t; self.phase = phase; self.open = open; self.established = established; self.failed = failed
        self.dropped = dropped; self.reconnects = reconnects; self.perPod = perPod; self.serverPerPod = serverPerPod
    }
}
