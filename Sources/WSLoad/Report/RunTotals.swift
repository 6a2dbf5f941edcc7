/// Connection totals over the whole run: every attempt ends as exactly one of failed, dropped or held
/// (`attempted = failed + dropped + held` once a run has finished).
public struct RunTotals: Sendable, Codable, Equatable {
    /// Connections attempted.
    public var attempted: Int
    /// Connections whose upgrade succeeded.
    public var established: Int
    /// Attempts that failed before the connection was established (TCP, TLS or upgrade).
    public var failed: Int
    /// Connections still open at the end of hold.
    public var held: Int
    /// Connections that were established and then lost before the hold ended (protocol error, pong deadline,
    /// reset, abnormal or unexpected close) and not re-established.
    public var dropped: Int
    /// Reopens after a connection's lifetime (`clients.lifetime`): clean closes by wsload followed by a new open from
    /// the same virtual client. Neither drops nor failures; a connection recycled many times is still one attempt.
    public var recycled: Int = 0
    /// Failures by phase and reason, largest first (then by phase and reason); drops are listed by the phase
    /// they happened in (`open`).
    public var failures: [FailureBucket]
    /// Completed TLS handshakes (nil for a plain run).
    public var tlsHandshakes: Int?
    /// How many of them resumed a cached session instead of a full handshake (nil for a plain run).
    public var tlsResumed: Int?

    /// The same count as ``dropped``, under the name schema 2 used for it (`closed`); kept in the JSON so
    /// readers of older reports keep working.
    public var closed: Int { dropped }

    /// One line on TLS resumption, e.g. `TLS handshakes: 5000 (4999 resumed, 1 full)`; nil for a plain run.
    /// Few resumptions behind a load balancer usually mean the pods do not share their ticket keys.
    public var tlsSummary: String? {
        guard let n = tlsHandshakes, n > 0 else { return nil }
        let resumed = tlsResumed ?? 0
        return "TLS handshakes: \(n) (\(resumed) resumed, \(n - resumed) full)"
    }

    /// Connections whose fate is not known: attempts that are neither failed, dropped nor held (0 for a
    /// finished run; an interrupted run or a lost worker leaves some).
    public var unaccounted: Int { max(0, attempted - failed - dropped - held) }

    /// Creates totals; failure buckets are sorted by count descending, then phase, then reason.
    public init(attempted: Int, established: Int, failed: Int, held: Int, dropped: Int, failures: [FailureBucket] = []) {
        self.attempted = attempted
        self.established = established
        self.failed = failed
        self.held = held
        self.dropped = dropped
        self.failures = failures.sorted {
            ($0.count, $1.phase, $1.reason) > ($1.count, $0.phase, $0.reason)
        }
    }

    enum CodingKeys: String, CodingKey {
        case attempted, established, failed, held, dropped, closed, recycled, failures, tlsHandshakes, tlsResumed
    }

    /// Decodes; reports written before `dropped` existed carry the count as `closed`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let dropped = try c.decodeIfPresent(Int.self, forKey: .dropped) ?? c.decode(Int.self, forKey: .closed)
        self.init(
            attempted: try c.decode(Int.self, forKey: .attempted), established: try c.decode(Int.self, forKey: .established),
            failed: try c.decode(Int.self, forKey: .failed), held: try c.decode(Int.self, forKey: .held), dropped: dropped,
            failures: try c.decode([FailureBucket].self, forKey: .failures))
        recycled = try c.decodeIfPresent(Int.self, forKey: .recycled) ?? 0
        tlsHandshakes = try c.decodeIfPresent(Int.self, forKey: .tlsHandshakes)
        tlsResumed = try c.decodeIfPresent(Int.self, forKey: .tlsResumed)
    }

    /// Encodes `dropped`, and the same count as `closed` for older readers.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(attempted, forKey: .attempted)
        try c.encode(established, forKey: .established)
        try c.encode(failed, forKey: .failed)
        try c.encode(held, forKey: .held)
        try c.encode(dropped, forKey: .dropped)
        try c.encode(dropped, forKey: .closed)
        try c.encode(recycled, forKey: .recycled)
        try c.encode(failures, forKey: .failures)
        try c.encodeIfPresent(tlsHandshakes, forKey: .tlsHandshakes)
        try c.encodeIfPresent(tlsResumed, forKey: .tlsResumed)
    }
}
