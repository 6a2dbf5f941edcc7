import Foundation
import WSProtocol

/// Turns a validated ``Profile`` into a ``RunPlan`` and the gate thresholds (no I/O except
/// interface address lookup for `interface:NAME` sources).
public enum RunPlanner {
    /// Builds the plan. Throws ``PlanError`` with the profile key that is wrong.
    public static func plan(from profile: Profile) throws(PlanError) -> RunPlan {
        guard let urlText = profile.target.url else {
            throw PlanError("no target URL: set target.url in the profile or pass --url")
        }
        let url: WebSocketURL
        do { url = try WebSocketURL(urlText) } catch { throw PlanError("target.url: \(error)") }
        var plan = RunPlan(url: url, clients: profile.clients.resolvedClientCount, connectionsPerClient: profile.clients.resolvedConnectionsPerClient)
        plan.resolveOverride = profile.target.resolve?.host
        var sources: [SocketAddress] = []
        for spec in profile.clients.sources {
            let expanded: [String]
            do { expanded = try SourceSpec(parsing: spec).expand(limit: 65_536) } catch { throw PlanError("clients.sources: \(spec): \(error)") }
            for ip in expanded {
                guard let a = SocketAddress(ip: ip, port: 0) else { throw PlanError("clients.sources: \(ip) is not a numeric address") }
                sources.append(a)
            }
        }
        plan.sources = sources
        plan.cookiePolicy = profile.clients.cookies
        plan.firstConnectionFirst = profile.clients.firstConnectionFirst
        plan.headers = profile.target.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        plan.headerTemplates = profile.clients.headers.sorted { $0.key < $1.key }.map { HeaderTemplate(name: $0.key, template: $0.value) }
        plan.origin = profile.target.origin
        plan.subprotocols = profile.target.subprotocols
        plan.rate = profile.ramp.rate
        plan.maxInFlight = max(1, profile.ramp.maxInFlight)
        plan.hold = profile.hold.seconds
        if let t = profile.traffic {
            plan.trafficInterval = t.interval.seconds
            plan.trafficMessage =
                t.size.bytes > 0 ? t.message + String(repeating: "x", count: max(0, t.size.bytes - t.message.utf8.count)) : t.message
        }
        if let k = profile.keepalive {
            plan.pingInterval = k.pingInterval.seconds
            plan.pongTimeout = k.pongTimeout.seconds
        }
        plan.connectTimeout = profile.timeouts.connect.seconds
        plan.tlsTimeout = profile.timeouts.tls.seconds
        plan.upgradeTimeout = profile.timeouts.upgrade.seconds
        plan.closeTimeout = profile.timeouts.close.seconds
        plan.limits = ProtocolLimits(maxFrameSize: profile.limits.maxFrameSize.bytes, maxMessageSize: profile.limits.maxMessageSize.bytes)
        plan.deflate = profile.target.deflate
        let t = profile.target.tls
        plan.tls = TLSClientConfiguration(
            verifyPeer: !t.insecure, caFile: t.caFile, sessionResumption: t.sessionResumption,
            ciphersuites: t.ciphersuites ?? TLSClientConfiguration.browserCiphersuites)
        plan.serverName = t.serverName
        var rules = AttributionRules(
            headers: profile.attribution.headers.isEmpty ? ["X-Pod-Name"] : profile.attribution.headers,
            cookieName: profile.attribution.cookie, cookieMap: profile.attribution.cookieMap)
        switch profile.attribution.firstMessage {
        case .jsonPath(let p)?: rules.firstMessageJSONPath = p
        case .regex(let r)?: rules.firstMessageRegex = r
        case nil: break
        }
        plan.attribution = rules
        plan.reconnect = profile.reconnect?.policy
        plan.lifetime = profile.clients.lifetime?.lifetime
        plan.timelineInterval = profile.timeline.interval.seconds
        plan.events = profile.events.map { e in
            TimedEvent(at: e.at.seconds, name: e.name ?? TimedEvent.defaultName(for: e.command), command: e.command, timeout: e.timeout.seconds)
        }
        if let pre = profile.clients.preflight {
            do { plan.preflight = (try WebSocketURL(pre.url), pre.method) } catch { throw PlanError("clients.preflight.url: \(error)") }
        }
        return plan
    }

    /// How the report names a target that always reaches one pod (nil for services and ingresses).
    public static func singlePodTarget(_ profile: Profile) -> String? {
        switch profile.target.kind {
        case .portForward: return "port-forward"
        case .pod: return "pod address"
        default: return nil
        }
    }

    /// The gate thresholds of a profile; `podCount` resolves `min_pods_hit: all`.
    public static func thresholds(from gate: Profile.GateSection, podCount: Int) -> GateThresholds {
        var latency: [String: Double] = [:]
        if let p99 = gate.maxUpgradeP99 { latency["upgrade_p99"] = p99.seconds * 1000 }
        let minPods: Int? =
            switch gate.minPodsHit {
            case .count(let n)?: n
            case .all?: max(1, podCount)
            case nil: nil
            }
        var thresholds = GateThresholds(
            maxSkewPercent: gate.maxSkew, minPodsHit: minPods, maxFailed: gate.maxFailed,
            maxDropped: gate.maxDropped, requireLogMatch: gate.requireLogMatch, clientsPinned: gate.clientsPinned,
            maxLatencyMs: latency)
        thresholds.requireMetricsMatch = gate.requireMetricsMatch
        thresholds.minNewPodSharePercent = gate.minNewPodShare
        thresholds.maxTimeToFairSeconds = gate.maxTimeToFair?.seconds
        thresholds.maxReconnectRate = gate.maxReconnectRate
        return thresholds
    }
}
