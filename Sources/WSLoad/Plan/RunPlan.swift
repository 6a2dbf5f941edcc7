import WSProtocol

/// Everything the engine needs for one run, validated and resolved (no files, no YAML).
public struct RunPlan: Sendable {
    /// The target URL.
    public var url: WebSocketURL
    /// Connect here instead of resolving the URL's host (like curl `--resolve`); numeric address.
    public var resolveOverride: String?
    /// Number of virtual clients.
    public var clients: Int
    /// Connections each client opens.
    public var connectionsPerClient: Int
    /// Source addresses, assigned to clients round-robin (empty: let the kernel choose).
    public var sources: [SocketAddress]
    /// How cookies are kept.
    public var cookiePolicy: CookiePolicy
    /// With per-client jars: a client's first connection completes before its others start.
    public var firstConnectionFirst: Bool
    /// Static request headers.
    public var headers: [(String, String)]
    /// Per-connection header templates.
    public var headerTemplates: [HeaderTemplate]
    /// `Origin` header.
    public var origin: String?
    /// Subprotocols offered.
    public var subprotocols: [String]
    /// Connection attempts per second (0: as fast as `maxInFlight` allows).
    public var rate: Double
    /// Most handshakes in flight at once.
    public var maxInFlight: Int
    /// Seconds to hold all connections after the ramp.
    public var hold: Double
    /// Seconds between traffic messages per connection (0: none).
    public var trafficInterval: Double
    /// The traffic message template (`{conn}`, `{client}`, `{index}` placeholders).
    public var trafficMessage: String
    /// Client ping interval in seconds (0: none).
    public var pingInterval: Double
    /// Pong deadline in seconds (0: none).
    public var pongTimeout: Double
    /// Phase deadlines in seconds.
    public var connectTimeout: Double, tlsTimeout: Double, upgradeTimeout: Double, closeTimeout: Double
    /// Frame and message limits.
    public var limits: ProtocolLimits
    /// Offer permessage-deflate.
    public var deflate: Bool
    /// TLS settings for wss:// (nil uses the defaults: verify against the system store).
    public var tls: TLSClientConfiguration?
    /// SNI / verification name override (`target.tls.server_name`).
    public var serverName: String?
    /// What the server's certificate must prove and which SNI is sent: the URL's host, or `serverName` when set;
    /// never `resolveOverride` (an address pin changes where wsload connects, not whom it expects).
    public var tlsIdentity: TLSPeerIdentity? { TLSPeerIdentity(url: url, serverName: serverName) }
    /// An HTTP request each virtual client makes before its connections (its Set-Cookie fills the jar).
    public var preflight: (url: WebSocketURL, method: String)?
    /// Re-establish dropped connections (nil: a drop is final).
    public var reconnect: ReconnectPolicy?
    /// Close and reopen established connections after a drawn lifetime (`clients.lifetime`; nil: no churn).
    public var lifetime: ConnectionLifetime? = nil
    /// Seconds between timeline samples (per-pod counts over time; 0: none).
    public var timelineInterval: Double
    /// How connections are attributed to pods.
    public var attribution: AttributionRules
    /// Number of I/O queues (default: one per core).
    public var ioQueues: Int
    /// File descriptors kept in reserve for logs, commands and the runtime.
    public var fdReserve: Int
    /// Run only this shard's virtual clients (`client % count == index`; nil: all). Client numbering stays global.
    public var shard: ShardSpec? = nil
    /// Timed commands the session (never the engine or a worker) runs during the run; not part of the JSON plan.
    public var events: [TimedEvent] = []

    /// Creates a plan with defaults for everything but the URL.
    public init(url: WebSocketURL, clients: Int = 1, connectionsPerClient: Int = 1) {
        self.url = url
        self.clients = clients
        self.connectionsPerClient = connectionsPerClient
        resolveOverride = nil; sources = []; cookiePolicy = .perClient; firstConnectionFirst = true
        headers = []; headerTemplates = []; origin = nil; subprotocols = []
        rate = 0; maxInFlight = 256; hold = 0; trafficInterval = 0; trafficMessage = "hello {conn}"
        pingInterval = 0; pongTimeout = 0
        connectTimeout = 10; tlsTimeout = 10; upgradeTimeout = 10; closeTimeout = 5
        limits = .default; deflate = false; tls = nil; serverName = nil; preflight = nil; reconnect = nil; timelineInterval = 1
        attribution = AttributionRules()
        ioQueues = max(1, min(8, System.coreCount))
        fdReserve = 64
    }

    /// Total connections in the plan.
    public var totalConnections: Int { (shard?.clientCount(of: clients) ?? clients) * connectionsPerClient }
    /// Connections of the whole run, all shards.
    public var allConnections: Int { clients * connectionsPerClient }
    /// The virtual clients this plan runs (the shard's, or all), ascending.
    public var clientIndices: [Int] { shard.map { Array($0.clients(of: clients)) } ?? Array(0..<clients) }

    /// The source address of virtual client `client` (nil: kernel's choice).
    public func source(ofClient client: Int) -> SocketAddress? {
        sources.isEmpty ? nil : sources[client % sources.count]
    }
}

/// Facts about the machine.
public enum System {
    /// Online CPU cores.
    public static var coreCount: Int {
        #if canImport(Glibc)
            return Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        #else
            return 2
        #endif
    }
}

#if canImport(Glibc)
    import Glibc
#endif
