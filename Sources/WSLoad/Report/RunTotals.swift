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
