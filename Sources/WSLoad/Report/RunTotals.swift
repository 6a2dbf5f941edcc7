/// Connection totals over the whole run.
public struct RunTotals: Sendable, Codable, Equatable {
    /// Connections attempted.
    public var attempted: Int
    /// Connections whose upgrade succeeded.
    public var established: Int
    /// Connections that failed in any phase.
    public var failed: Int
    /// Connections still open at the end of hold.
    public var held: Int
    /// Connections closed cleanly.
    public var closed: Int
    /// Failures by phase and reason, largest first (then by phase and reason).
    public var failures: [FailureBucket]
    /// Completed TLS handshakes (nil for a plain run).
    public var tlsHandshakes: Int?
    /// How many of them resumed a cached session instead of a full handshake (nil for a plain run).
    public var tlsResumed: Int?

    /// One line on TLS resumption, e.g. `TLS handshakes: 5000 (4999 resumed, 1 full)`; nil for a plain run.
    /// Few resumptions behind a load balancer usually mean the pods do not share their ticket keys.
    public var tlsSummary: String? {
        guard let n = tlsHandshakes, n > 0 else { return nil }
        let resumed = tlsResumed ?? 0
        return "TLS handshakes: \(n) (\(resumed) resumed, \(n - resumed) full)"
    }

    /// Creates totals; failure buckets are sorted by count descending, then phase, then reason.
    public init(attempted: Int, established: Int, failed: Int, held: Int, closed: Int, failures: [FailureBucket] = []) {
        self.attempted = attempted
        self.established = established
        self.failed = failed
        self.held = held
        self.closed = closed
        self.failures = failures.sorted {
            ($0.count, $1.phase, $1.reason) > ($1.count, $0.phase, $0.reason)
        }
    }
}
