import Foundation

/// Everything `wsload portforward` needs, resolved from a profile and command-line overrides.
public struct PortForwardPlan: Sendable, Equatable {
    /// The forward command; placeholders `{namespace}` `{pod}` `{localPort}` `{remotePort}`.
    public var command: CommandTemplate
    /// Substituted for `{namespace}`.
    public var namespace: String
    /// Substituted for `{remotePort}` (required when the command uses it).
    public var remotePort: Int?
    /// First local port (pod *i* uses `localPortBase + i`); 0 picks free ports.
    public var localPortBase: Int
    /// The address the forward listens on and wsload connects to.
    public var localHost: String
    /// URL path on the forwarded port.
    public var path: String
    /// Connections to ramp to per pod.
    public var target: Int
    /// Connections added per step.
    public var step: Int
    /// Pause between steps, in seconds.
    public var stepInterval: Double
    /// Hold of the reached connections, in seconds.
    public var hold: Double
    /// All pods at once instead of one after another.
    public var parallel: Bool
    /// Longest wait for the local port to accept after (re)starting a forward, in seconds.
    public var readyTimeout: Double
    /// Supervision of dying forwards.
    public var restart: PortForwardBackoff
    /// Per-connection deadlines, in seconds.
    public var connectTimeout: Double, upgradeTimeout: Double, closeTimeout: Double
    /// Client pings while connections are open (0: none) and the pong deadline.
    public var pingInterval: Double, pongTimeout: Double
    /// Most handshakes in flight at once within a step.
    public var maxInFlight: Int
    /// Upgrade request extras.
    public var origin: String?
    /// `Sec-WebSocket-Protocol` offers.
    public var subprotocols: [String]
    /// Static request headers, sorted by name.
    public var headers: [String: String]
    /// Offer permessage-deflate.
    public var deflate: Bool
    /// Exit 1 when a pod's capacity is below this.
    public var minCapacity: Int?
    /// TLS to the forwarded port (`wss://`, `portforward.tls`); `nil` speaks plain `ws://`.
    public var tls: TLSClientConfiguration?
    /// What the pod's certificate must prove: the host of `target.url`, or `target.tls.server_name`; never the
    /// forward's local address, which only says where the tunnel starts.
    public var tlsIdentity: TLSPeerIdentity?

    /// A plan with the profile defaults.
    public init(
        command: CommandTemplate = CommandTemplate(Profile.PortForwardSection.defaultCommand), namespace: String = "default",
        remotePort: Int? = nil, localPortBase: Int = 0, localHost: String = "127.0.0.1", path: String = "/ws",
        target: Int = 1000, step: Int = 50, stepInterval: Double = 1, hold: Double = 10, parallel: Bool = false,
        readyTimeout: Double = 10, restart: PortForwardBackoff = PortForwardBackoff(), connectTimeout: Double = 5,
        upgradeTimeout: Double = 10, closeTimeout: Double = 5, pingInterval: Double = 0, pongTimeout: Double = 0,
        maxInFlight: Int = 64, origin: String? = nil, subprotocols: [String] = [], headers: [String: String] = [:],
        deflate: Bool = false, minCapacity: Int? = nil, tls: TLSClientConfiguration? = nil, tlsIdentity: TLSPeerIdentity? = nil
    ) {
        self.tls = tls; self.tlsIdentity = tlsIdentity
        self.command = command; self.namespace = namespace; self.remotePort = remotePort; self.localPortBase = localPortBase
        self.localHost = localHost; self.path = path; self.target = target; self.step = step; self.stepInterval = stepInterval
        self.hold = hold; self.parallel = parallel; self.readyTimeout = readyTimeout; self.restart = restart
        self.connectTimeout = connectTimeout; self.upgradeTimeout = upgradeTimeout; self.closeTimeout = closeTimeout
        self.pingInterval = pingInterval; self.pongTimeout = pongTimeout; self.maxInFlight = maxInFlight; self.origin = origin
        self.subprotocols = subprotocols; self.headers = headers; self.deflate = deflate; self.minCapacity = minCapacity
    }

    /// The plan of a (validated) profile: its `portforward` section (defaults when absent), the namespace of
    /// `pods.discovery`, `timeouts`, `keepalive`, `ramp.max_in_flight` and the handshake options of `target`.
    public init(profile: Profile) {
        let pf = profile.portforward ?? Profile.PortForwardSection()
        self.init(
            command: CommandTemplate(pf.command), namespace: profile.pods.discovery?.namespace ?? "default",
            remotePort: pf.remotePort, localPortBase: pf.localPortBase, path: pf.path, target: pf.target, step: pf.step,
            stepInterval: pf.stepInterval.seconds, hold: pf.hold.seconds, parallel: pf.parallel,
            readyTimeout: pf.readyTimeout.seconds,
            restart: pf.restart.policy,
            connectTimeout: profile.timeouts.connect.seconds, upgradeTimeout: profile.timeouts.upgrade.seconds,
            closeTimeout: profile.timeouts.close.seconds, pingInterval: profile.keepalive?.pingInterval.seconds ?? 0,
            pongTimeout: profile.keepalive?.pongTimeout.seconds ?? 0, maxInFlight: profile.ramp.maxInFlight,
            origin: profile.target.origin, subprotocols: profile.target.subprotocols, headers: profile.target.headers,
            deflate: profile.target.deflate)
        if pf.tls {
            let t = profile.target.tls
            tls = TLSClientConfiguration(
                verifyPeer: !t.insecure, caFile: t.caFile, sessionResumption: t.sessionResumption,
                ciphersuites: t.ciphersuites ?? TLSClientConfiguration.browserCiphersuites)
            let urlHost = profile.target.url.flatMap { try? WebSocketURL($0) }?.host
            tlsIdentity = (t.serverName ?? urlHost).flatMap { TLSPeerIdentity(host: $0) }
        }
    }

    /// The forward argv for one pod.
    public func argv(pod: String, localPort: UInt16) throws(CommandTemplateError) -> [String] {
        var values = ["namespace": namespace, "pod": pod, "localPort": String(localPort)]
        if let remotePort { values["remotePort"] = String(remotePort) }
        return try command.render(values)
    }
}
