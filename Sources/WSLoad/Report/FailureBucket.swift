/// How many connections failed in one phase for one reason.
public struct FailureBucket: Sendable, Codable, Equatable {
    /// The phase: resolve, connect, tls, upgrade, read, write, close…
    public var phase: String
    /// The reason, e.g. `ECONNREFUSED` or `HTTP 503`.
    public var reason: String
    /// Number of failures.
    public var count: Int

    /// Creates a bucket.
    public init(phase: String, reason: String, count: Int) {
        self.phase = phase
        self.reason = reason
        self.count = count
    }
}
