import WSProtocol

/// Settings shared by many connections (one instance per run, immutable, shared by reference).
public final class ConnectionSettings: Sendable {
    /// Frame and message limits.
    public let limits: ProtocolLimits
    /// permessage-deflate offer sent by clients (nil: no offer).
    public let deflateOffer: PerMessageDeflateOffer?
    /// permessage-deflate acceptance on the server side (nil: never negotiate).
    public let serverDeflate: PerMessageDeflateServerConfig?
    /// Subprotocols a server accepts.
    public let serverSubprotocols: [String]
    /// TLS context (client or server), nil for plain connections.
    public let tls: TLSContext?
    /// Deadline for TCP connect, in seconds.
    public let connectTimeout: Double
    /// Deadline for the TLS handshake, in seconds.
    public let tlsTimeout: Double
    /// Deadline for the upgrade (request sent → 101), in seconds.
    public let upgradeTimeout: Double
    /// Deadline for the closing handshake and the peer's TCP close, in seconds.
    public let closeTimeout: Double
    /// Interval between our pings, in seconds (0: no pings).
    public let pingInterval: Double
    /// Deadline for a pong after our ping, in seconds (0: none).
    public let pongTimeout: Double
    /// Masking keys for client frames.
    public let maskingKeys: MaskingKeySource

    /// Creates settings.
    public init(
        limits: ProtocolLimits = .default, deflateOffer: PerMessageDeflateOffer? = nil,
        serverDeflate: PerMessageDeflateServerConfig? = nil, serverSubprotocols: [String] = [],
        tls: TLSContext? = nil, connectTimeout: Double = 10, tlsTimeout: Double = 10,
        upgradeTimeout: Double = 10, closeTimeout: Double = 5, pingInterval: Double = 0,
        pongTimeout: Double = 0, maskingKeys: MaskingKeySource = .random
    ) {
        self.limits = limits; self.deflateOffer = deflateOffer; self.serverDeflate = serverDeflate
        self.serverSubprotocols = serverSubprotocols; self.tls = tls
        self.connectTimeout = connectTimeout; self.tlsTimeout = tlsTimeout; self.upgradeTimeout = upgradeTimeout
        self.closeTimeout = closeTimeout; self.pingInterval = pingInterval; self.pongTimeout = pongTimeout
        self.maskingKeys = maskingKeys
    }
}

/// What a server decides about an upgrade request.
public enum ServerUpgradeDecision: Sendable {
    /// Accept, adding these response headers (e.g. `X-Pod-Name`, `Set-Cookie`).
    case accept(extraHeaders: HTTPHeaders)
    /// Refuse with an HTTP status (e.g. 503 at capacity).
    case reject(status: Int, reason: String, body: String)
}

/// Receives a connection's events on its I/O queue.
public protocol WSConnectionDelegate: AnyObject, Sendable {
    /// Client: a valid 101 arrived and the connection is open.
    func connectionDidOpen(_ connection: WSConnection, handshake: HandshakeResult)
    /// Server: an upgrade request arrived; decide whether to accept it.
    func connection(_ connection: WSConnection, shouldAccept request: RequestHead) -> ServerUpgradeDecision
    /// Server: a plain HTTP request without an upgrade arrived (a health check or a pre-flight GET);
    /// return the response to send before closing, or nil for the default 400.
    func connection(_ connection: WSConnection, plainHTTPRequest request: RequestHead) -> (
        status: Int, reason: String, body: String, headers: HTTPHeaders
    )?
    /// Server: the 101 was sent and the connection is open.
    func connectionDidAccept(_ connection: WSConnection, request: RequestHead)
    /// A complete message arrived.
    func connection(_ connection: WSConnection, didReceive message: Message)
    /// A pong arrived; `rtt` is set when it answered our last ping.
    func connection(_ connection: WSConnection, didReceivePong payload: [UInt8], rttSeconds: Double?)
    /// The connection ended; called exactly once.
    func connectionDidEnd(_ connection: WSConnection, outcome: ConnectionOutcome)
}

extension WSConnectionDelegate {
    /// Default: nothing.
    public func connectionDidOpen(_ connection: WSConnection, handshake: HandshakeResult) {}
    /// Default: accept with no extra headers.
    public func connection(_ connection: WSConnection, shouldAccept request: RequestHead) -> ServerUpgradeDecision {
        .accept(extraHeaders: HTTPHeaders())
    }
    /// Default: no plain HTTP handling (400).
    public func connection(_ connection: WSConnection, plainHTTPRequest request: RequestHead) -> (
        status: Int, reason: String, body: String, headers: HTTPHeaders
    )? { nil }
    /// Default: nothing.
    public func connectionDidAccept(_ connection: WSConnection, request: RequestHead) {}
    /// Default: nothing.
    public func connection(_ connection: WSConnection, didReceive message: Message) {}
    /// Default: nothing.
    public func connection(_ connection: WSConnection, didReceivePong payload: [UInt8], rttSeconds: Double?) {}
}
