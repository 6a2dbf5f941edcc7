import WSProtocol

/// Monotonic timestamps (nanoseconds, 0 = not reached) of one connection's phases.
public struct ConnectionTimeline: Sendable, Hashable, Codable {
    /// When the connection attempt started (socket created).
    public var started: UInt64 = 0
    /// When TCP connected.
    public var tcpConnected: UInt64 = 0
    /// When the TLS handshake completed (0 for plain connections).
    public var tlsCompleted: UInt64 = 0
    /// When a valid 101 was parsed (client) or sent (server).
    public var upgraded: UInt64 = 0
    /// When the first message arrived.
    public var firstMessage: UInt64 = 0
    /// When the closing handshake started.
    public var closeStarted: UInt64 = 0
    /// When the connection ended (transport closed).
    public var ended: UInt64 = 0
    /// When bytes last arrived from the peer (for half-open detection reports).
    public var lastReceived: UInt64 = 0

    /// Creates an empty timeline.
    public init() {}

    /// Seconds between two timestamps, or nil if either is missing.
    public static func seconds(from a: UInt64, to b: UInt64) -> Double? {
        guard a != 0, b != 0, b >= a else { return nil }
        return Double(b - a) / 1e9
    }

    /// TCP connect duration in seconds.
    public var tcpConnectSeconds: Double? { Self.seconds(from: started, to: tcpConnected) }
    /// TLS handshake duration in seconds.
    public var tlsSeconds: Double? { Self.seconds(from: tcpConnected, to: tlsCompleted) }
    /// Time from TCP (or TLS) ready to the 101, in seconds.
    public var upgradeSeconds: Double? { Self.seconds(from: tlsCompleted != 0 ? tlsCompleted : tcpConnected, to: upgraded) }
    /// Time from the 101 to the first message, in seconds.
    public var firstMessageSeconds: Double? { Self.seconds(from: upgraded, to: firstMessage) }
    /// Closing-handshake duration in seconds.
    public var closeSeconds: Double? { Self.seconds(from: closeStarted, to: ended) }
}

/// How a connection ended.
///
/// Indirect: a connection keeps its outcome in 8 bytes instead of carrying a failure inline.
public indirect enum ConnectionOutcome: Sendable, Hashable {
    /// The closing handshake completed (or the peer closed cleanly); `byPeer` says who started it.
    case closed(code: CloseCode?, reason: String, byPeer: Bool)
    /// The connection failed; the failure names the phase.
    case failed(ConnectionFailure)

    /// The failure, if the connection failed.
    public var failure: ConnectionFailure? {
        if case .failed(let f) = self { return f }
        return nil
    }
}
