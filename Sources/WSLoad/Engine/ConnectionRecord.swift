/// What happened to one connection of a run (the per-connection record of a report).
public struct ConnectionRecord: Sendable, Codable, Equatable {
    /// Where the connection stands or how it ended.
    public enum Status: String, Sendable, Codable {
        /// Not started yet.
        case pending
        /// TCP/TLS/upgrade in progress.
        case connecting
        /// Open.
        case open
        /// Failed before it was established.
        case failed
        /// Established, then ended before the hold ended (dropped by the peer, a proxy or a deadline).
        case dropped
        /// Established and still open when the hold ended, then closed by wsload.
        case held
        /// Dropped during the run; waiting for or attempting a reconnect.
        case reconnecting
    }

    /// Index in the run (0-based).
    public var index: Int
    /// Virtual client index.
    public var client: Int
    /// Index within the client.
    public var conn: Int
    /// Current status.
    public var status: Status = .pending
    /// The local address the kernel used (`127.0.0.2:40122`).
    public var local: String?
    /// The pod it reached, if attributed.
    public var pod: String?
    /// How the pod was learned.
    public var podSource: AttributionSource?
    /// The affinity cookie value seen (sent or received); a secret, redacted in outputs.
    public var affinityCookie: String?
    /// Whether a Cookie header was sent on the upgrade.
    public var sentCookie: Bool = false
    /// Names of cookies received with the 101.
    public var receivedCookieNames: [String] = []
    /// Negotiated permessage-deflate.
    public var deflate: Bool = false
    /// Phase durations in milliseconds.
    public var tcpConnectMs: Double?, tlsMs: Double?, upgradeMs: Double?, firstMessageMs: Double?
    /// Why it failed or dropped.
    public var failure: ConnectionFailure?
    /// Close code received from the peer, if any.
    public var peerCloseCode: UInt16?
    /// Successful reconnects after drops.
    public var reconnects: Int = 0
    /// Reconnect attempts made (successful or not).
    public var reconnectAttempts: Int = 0
    /// Per reconnect: milliseconds from the drop until the connection was re-established.
    public var disruptionsMs: [Double] = []
    /// Pods this connection was on before each reconnect, oldest first.
    public var previousPods: [String] = []
    /// Connection age in seconds when it was (last) dropped.
    public var ageAtDropSeconds: Double?
    /// For half-open detection: milliseconds without any data from the peer when the pong deadline declared it dead.
    public var silentForMsAtDetection: Double?

    /// Creates a pending record.
    public init(index: Int, client: Int, conn: Int) { self.index = index; self.client = client; self.conn = conn }
}
