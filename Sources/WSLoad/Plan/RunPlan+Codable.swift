import WSProtocol

/// A plan in JSON: the hand-off to worker processes and shards (the worker decodes it and runs it as is: no
/// profile is read, validated or planned again). `events` stay with the session that runs them. Headers and the pre-flight, tuples in memory, are objects here.
extension RunPlan: Codable, Equatable {
    private enum CodingKeys: String, CodingKey {
        case url, resolveOverride, clients, connectionsPerClient, sources, cookiePolicy, firstConnectionFirst
        case headers, headerTemplates, origin, subprotocols, rate, maxInFlight, hold, trafficInterval, trafficMessage
        case pingInterval, pongTimeout, connectTimeout, tlsTimeout, upgradeTimeout, closeTimeout, limits, deflate
        case tls, serverName, preflight, reconnect, timelineInterval, attribution, ioQueues, fdReserve, shard, lifetime
    }

    private struct Header: Codable, Equatable { var name: String; var value: String }
    private struct PreflightRequest: Codable, Equatable { var url: WebSocketURL; var method: String }

    /// Decodes a plan written by ``encode(to:)``; every field is required except the optional ones.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            url: try c.decode(WebSocketURL.self, forKey: .url), clients: try c.decode(Int.self, forKey: .clients),
            connectionsPerClient: try c.decode(Int.self, forKey: .connectionsPerClient))
        resolveOverride = try c.decodeIfPresent(String.self, forKey: .resolveOverride)
        sources = try c.decode([SocketAddress].self, forKey: .sources)
        cookiePolicy = try c.decode(CookiePolicy.self, forKey: .cookiePolicy)
        firstConnectionFirst = try c.decode(Bool.self, forKey: .firstConnectionFirst)
        headers = try c.decode([Header].self, forKey: .headers).map { ($0.name, $0.value) }
        headerTemplates = try c.decode([HeaderTemplate].self, forKey: .headerTemplates)
        origin = try c.decodeIfPresent(String.self, forKey: .origin)
        subprotocols = try c.decode([String].self, forKey: .subprotocols)
        rate = try c.decode(Double.self, forKey: .rate)
        maxInFlight = try c.decode(Int.self, forKey: .maxInFlight)
        hold = try c.decode(Double.self, forKey: .hold)
        trafficInterval = try c.decode(Double.self, forKey: .trafficInterval)
        trafficMessage = try c.decode(String.self, forKey: .trafficMessage)
        pingInterval = try c.decode(Double.self, forKey: .pingInterval)
        pongTimeout = try c.decode(Double.self, forKey: .pongTimeout)
        connectTimeout = try c.decode(Double.self, forKey: .connectTimeout)
        tlsTimeout = try c.decode(Double.self, forKey: .tlsTimeout)
        upgradeTimeout = try c.decode(Double.self, forKey: .upgradeTimeout)
        closeTimeout = try c.decode(Double.self, forKey: .closeTimeout)
        limits = try c.decode(ProtocolLimits.self, forKey: .limits)
        deflate = try c.decode(Bool.self, forKey: .deflate)
        tls = try c.decodeIfPresent(TLSClientConfiguration.self, forKey: .tls)
        serverName = try c.decodeIfPresent(String.self, forKey: .serverName)
        preflight = try c.decodeIfPresent(PreflightRequest.self, forKey: .preflight).map { ($0.url, $0.method) }
        reconnect = try c.decodeIfPresent(ReconnectPolicy.self, forKey: .reconnect)
        timelineInterval = try c.decode(Double.self, forKey: .timelineInterval)
        attribution = try c.decode(AttributionRules.self, forKey: .attribution)
        ioQueues = try c.decode(Int.self, forKey: .ioQueues)
        fdReserve = try c.decode(Int.self, forKey: .fdReserve)
        shard = try c.decodeIfPresent(ShardSpec.self, forKey: .shard)
        lifetime = try c.decodeIfPresent(ConnectionLifetime.self, forKey: .lifetime)
    }

    /// Encodes every field of the plan.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(url, forKey: .url)
        try c.encodeIfPresent(resolveOverride, forKey: .resolveOverride)
        try c.encode(clients, forKey: .clients)
        try c.encode(connectionsPerClient, forKey: .connectionsPerClient)
        try c.encode(sources, forKey: .sources)
        try c.encode(cookiePolicy, forKey: .cookiePolicy)
        try c.encode(firstConnectionFirst, forKey: .firstConnectionFirst)
        try c.encode(headers.map { Header(name: $0.0, value: $0.1) }, forKey: .headers)
        try c.encode(headerTemplates, forKey: .headerTemplates)
        try c.encodeIfPresent(origin, forKey: .origin)
        try c.encode(subprotocols, forKey: .subprotocols)
        try c.encode(rate, forKey: .rate)
        try c.encode(maxInFlight, forKey: .maxInFlight)
        try c.encode(hold, forKey: .hold)
        try c.encode(trafficInterval, forKey: .trafficInterval)
        try c.encode(trafficMessage, forKey: .trafficMessage)
        try c.encode(pingInterval, forKey: .pingInterval)
        try c.encode(pongTimeout, forKey: .pongTimeout)
        try c.encode(connectTimeout, forKey: .connectTimeout)
        try c.encode(tlsTimeout, forKey: .tlsTimeout)
        try c.encode(upgradeTimeout, forKey: .upgradeTimeout)
        try c.encode(closeTimeout, forKey: .closeTimeout)
        try c.encode(limits, forKey: .limits)
        try c.encode(deflate, forKey: .deflate)
        try c.encodeIfPresent(tls, forKey: .tls)
        try c.encodeIfPresent(serverName, forKey: .serverName)
        try c.encodeIfPresent(preflight.map { PreflightRequest(url: $0.url, method: $0.method) }, forKey: .preflight)
        try c.encodeIfPresent(reconnect, forKey: .reconnect)
        try c.encode(timelineInterval, forKey: .timelineInterval)
        try c.encode(attribution, forKey: .attribution)
        try c.encode(ioQueues, forKey: .ioQueues)
        try c.encode(fdReserve, forKey: .fdReserve)
        try c.encodeIfPresent(shard, forKey: .shard)
        try c.encodeIfPresent(lifetime, forKey: .lifetime)
    }

    /// Field by field; headers and the pre-flight compare by their parts.
    public static func == (a: RunPlan, b: RunPlan) -> Bool {
        a.url == b.url && a.resolveOverride == b.resolveOverride && a.clients == b.clients && a.connectionsPerClient == b.connectionsPerClient
            && a.sources == b.sources && a.cookiePolicy == b.cookiePolicy && a.firstConnectionFirst == b.firstConnectionFirst
            && a.headers.map { Header(name: $0.0, value: $0.1) } == b.headers.map { Header(name: $0.0, value: $0.1) }
            && a.headerTemplates == b.headerTemplates && a.origin == b.origin && a.subprotocols == b.subprotocols
            && a.rate == b.rate && a.maxInFlight == b.maxInFlight && a.hold == b.hold && a.trafficInterval == b.trafficInterval
            && a.trafficMessage == b.trafficMessage && a.pingInterval == b.pingInterval && a.pongTimeout == b.pongTimeout
            && a.connectTimeout == b.connectTimeout && a.tlsTimeout == b.tlsTimeout && a.upgradeTimeout == b.upgradeTimeout
            && a.closeTimeout == b.closeTimeout && a.limits == b.limits && a.deflate == b.deflate && a.tls == b.tls
            && a.serverName == b.serverName && a.preflight?.url == b.preflight?.url && a.preflight?.method == b.preflight?.method
            && a.reconnect == b.reconnect && a.timelineInterval == b.timelineInterval && a.attribution == b.attribution
            && a.ioQueues == b.ioQueues && a.fdReserve == b.fdReserve && a.shard == b.shard && a.events == b.events
            && a.lifetime == b.lifetime
    }
}
