import WSProtocol

/// What a ``Dialer`` puts into the ``ConnectionSettings`` of every connection it opens (everything but TLS,
/// which the dialer builds from the URL's scheme).
public struct DialOptions: Sendable {
    /// Frame and message limits.
    public var limits: ProtocolLimits
    /// permessage-deflate offer (nil: no offer).
    public var deflateOffer: PerMessageDeflateOffer?
    /// Deadlines in seconds: TCP connect, TLS handshake, upgrade (request → 101), closing handshake.
    public var connectTimeout: Double, tlsTimeout: Double, upgradeTimeout: Double, closeTimeout: Double
    /// Seconds between our pings (0: none) and the pong deadline (0: none).
    public var pingInterval: Double, pongTimeout: Double
    /// `Origin` header and offered subprotocols of every upgrade request.
    public var origin: String?, subprotocols: [String]

    /// Creates options; the defaults are ``ConnectionSettings``'s.
    public init(
        limits: ProtocolLimits = .default, deflate: PerMessageDeflateOffer? = nil, connectTimeout: Double = 10,
        tlsTimeout: Double = 10, upgradeTimeout: Double = 10, closeTimeout: Double = 5, pingInterval: Double = 0,
        pongTimeout: Double = 0, origin: String? = nil, subprotocols: [String] = []
    ) {
        self.limits = limits; self.deflateOffer = deflate
        self.connectTimeout = connectTimeout; self.tlsTimeout = tlsTimeout; self.upgradeTimeout = upgradeTimeout
        self.closeTimeout = closeTimeout; self.pingInterval = pingInterval; self.pongTimeout = pongTimeout
        self.origin = origin; self.subprotocols = subprotocols
    }
}

/// The one way wsload opens a client connection: resolve → TLS context → settings → upgrade request.
///
/// Every caller that dials (the load engine, its pre-flight, `connect`, `shell`, the port-forward pool and the
/// Autobahn client) builds one dialer per target, before anything connects, and then asks it for connections and
/// requests. It is a small immutable value shared by all connections of a run (no per-connection objects): the
/// resolved address, the settings (holding the TLS context) and the identity the certificate must prove.
public struct Dialer: Sendable {
    /// The URL every request is made for (its host is the `Host` header; a request may replace the target).
    public let url: WebSocketURL
    /// The address connections go to.
    public let destination: SocketAddress
    /// Settings (limits, deflate, deadlines, TLS context) shared by every connection.
    public let settings: ConnectionSettings
    /// Whom a `wss://` server's certificate must prove to be (nil for plain connections).
    public let tlsIdentity: TLSPeerIdentity?
    /// `Origin` header and offered subprotocols.
    public let origin: String?, subprotocols: [String]

    /// Resolves the target and builds the TLS context and settings.
    ///
    /// - Parameters:
    ///   - connectTo: a host or address dialled instead of the URL's host (`target.resolve`); the certificate is
    ///     still checked against `tlsIdentity`.
    ///   - address: an address already known (a port-forward's local port): nothing is resolved.
    ///   - sources: source addresses the connections will bind; the destination is chosen in their family, and a
    ///     source of another family is an error here, not a bind failure per connection.
    ///   - tls: the TLS client configuration (the default when nil); used only for `wss://`.
    ///   - tlsIdentity: the identity the certificate must prove (``TLSPeerIdentity``; usually the URL's host or
    ///     `target.tls.server_name`, never the dialled address).
    /// - Throws: a ``ConnectionFailure`` in the `resolve` phase, a ``TLSError`` for an unusable TLS configuration,
    ///   or a ``PlanError`` when a source's family has no matching destination.
    public init(
        url: WebSocketURL, connectTo: String? = nil, address: SocketAddress? = nil, sources: [SocketAddress] = [],
        tls: TLSClientConfiguration? = nil, tlsIdentity: TLSPeerIdentity?, options: DialOptions = DialOptions()
    ) throws {
        self.url = url
        destination = try address ?? Self.destination(host: connectTo ?? url.host, port: url.port, sources: sources)
        let context = url.isTLS ? try TLSContext(client: tls ?? TLSClientConfiguration()) : nil
        settings = ConnectionSettings(
            limits: options.limits, deflateOffer: options.deflateOffer, tls: context,
            connectTimeout: options.connectTimeout, tlsTimeout: options.tlsTimeout,
            upgradeTimeout: options.upgradeTimeout, closeTimeout: options.closeTimeout,
            pingInterval: options.pingInterval, pongTimeout: options.pongTimeout)
        self.tlsIdentity = tlsIdentity
        origin = options.origin
        subprotocols = options.subprotocols
    }

    /// The first resolved address in the family of the sources (the first address without sources).
    static func destination(host: String, port: UInt16, sources: [SocketAddress]) throws -> SocketAddress {
        let addresses = try Resolver.resolve(host: host, port: port)
        var target = addresses[0]
        if let s = sources.first, let match = addresses.first(where: { $0.family == s.family }) { target = match }
        if let s = sources.first(where: { $0.family != target.family }) {
            throw PlanError("source address \(s.ip) is \(s.isIPv6 ? "IPv6" : "IPv4") but the target \(target.ip) is not")
        }
        return target
    }

    /// A client connection with this dialer's settings (not started).
    public func connection(id: Int, io: IOQueue, delegate: any WSConnectionDelegate) -> WSConnection {
        WSConnection(id: id, role: .client, io: io, settings: settings, delegate: delegate)
    }

    /// An upgrade request for the URL (or for `target` on the same host), with a fresh key, the deflate offer,
    /// origin and subprotocols, and the given cookies and headers (``UpgradeRequestFactory/make(url:settings:origin:subprotocols:cookieHeader:headers:keys:)``);
    /// the key from `keys` when given (a stream confined to the caller's queue).
    public func request(
        target: String? = nil, cookieHeader: String? = nil, headers: HTTPHeaders = HTTPHeaders(), keys: KeyStream? = nil
    ) -> UpgradeRequest {
        UpgradeRequestFactory.make(
            url: target.map { url.with(target: $0) } ?? url, settings: settings, origin: origin,
            subprotocols: subprotocols, cookieHeader: cookieHeader, headers: headers, keys: keys)
    }

    /// Starts `connection` (made by ``connection(id:io:delegate:)``) with `request`, from `source`; call on its I/O queue.
    public func start(_ connection: WSConnection, request: UpgradeRequest, from source: SocketAddress? = nil) {
        connection.startClient(to: destination, from: source, request: request, tlsIdentity: tlsIdentity)
    }
}
