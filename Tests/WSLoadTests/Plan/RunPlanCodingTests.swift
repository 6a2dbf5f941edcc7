import Foundation
import Testing
import WSProtocol

@testable import WSLoad

/// `RunPlan` is the hand-off to worker processes: what is encoded is decoded unchanged, every field.
@Suite struct RunPlanCodingTests {
    /// A plan with every field off its default.
    static func fullPlan() throws -> RunPlan {
        var plan = RunPlan(url: try WebSocketURL("wss://ws.example.test:8443/ws?room=1"), clients: 7, connectionsPerClient: 3)
        plan.resolveOverride = "127.0.0.1"
        plan.sources = [SocketAddress(ip: "127.0.0.2", port: 0)!, SocketAddress(ip: "::1", port: 0)!]
        plan.cookiePolicy = .perConnection
        plan.firstConnectionFirst = false
        plan.headers = [("X-Team", "load"), ("Authorization", "Bearer secret")]
        plan.headerTemplates = [HeaderTemplate(name: "X-Conn", template: "{conn}-{client}")]
        plan.origin = "https://app.example.test"
        plan.subprotocols = ["chat", "v2"]
        plan.rate = 12.5; plan.maxInFlight = 9; plan.hold = 4.25
        plan.trafficInterval = 0.5; plan.trafficMessage = "tick {index}"
        plan.pingInterval = 2; plan.pongTimeout = 1.5
        plan.connectTimeout = 3; plan.tlsTimeout = 4; plan.upgradeTimeout = 5; plan.closeTimeout = 6
        plan.limits = ProtocolLimits(maxFrameSize: 1000, maxMessageSize: 2000, maxFragments: 3)
        plan.deflate = true
        plan.tls = TLSClientConfiguration(
            verifyPeer: false, caFile: "/tmp/ca.pem", alpn: ["h2", "http/1.1"], sessionResumption: true,
            minimumVersion: .tls13, maximumVersion: .tls13, ciphersuites: "TLS_AES_256_GCM_SHA384")
        plan.serverName = "sni.example.test"
        plan.preflight = (try WebSocketURL("https://ws.example.test/login"), "POST")
        plan.reconnect = ReconnectPolicy(maxRetries: 2, initialBackoff: 0.25, maxBackoff: 3, jitter: 0.1)
        plan.timelineInterval = 0.5
        plan.attribution = AttributionRules(
            headers: ["X-Backend"], cookieName: "SERVERID", cookieMap: ["s1": "pod-a"],
            firstMessageJSONPath: "$.pod", firstMessageRegex: "pod=(\\w+)")
        plan.ioQueues = 3; plan.fdReserve = 99
        plan.shard = ShardSpec(index: 1, count: 4)
        return plan
    }

    @Test func everyFieldSurvivesTheRoundTrip() throws {
        let plan = try Self.fullPlan()
        let decoded = try JSONDecoder().decode(RunPlan.self, from: JSONEncoder().encode(plan))
        #expect(decoded == plan)
        // Spelled out for the tuple fields and the ones `==` could get wrong.
        #expect(decoded.headers.map { "\($0.0)=\($0.1)" } == ["X-Team=load", "Authorization=Bearer secret"])
        #expect(decoded.preflight?.url.description == "wss://ws.example.test/login" && decoded.preflight?.method == "POST")
        #expect(decoded.sources.map(\.description) == ["127.0.0.2:0", "[::1]:0"])
        #expect(decoded.url.port == 8443 && decoded.url.target == "/ws?room=1" && decoded.url.isTLS)
        #expect(decoded.tls?.verifyPeer == false && decoded.tls?.maximumVersion == .tls13 && decoded.tls?.alpn == ["h2", "http/1.1"])
        #expect(decoded.cookiePolicy == .perConnection && decoded.attribution.cookieMap == ["s1": "pod-a"])
        #expect(decoded.reconnect?.maxRetries == 2 && decoded.shard == ShardSpec(index: 1, count: 4))
        #expect(decoded.totalConnections == 2 * 3)  // shard 1/4 of 7 clients: clients 1 and 5
    }

    @Test func defaultsSurviveTheRoundTrip() throws {
        let plan = RunPlan(url: try WebSocketURL("ws://127.0.0.1:9/"))
        let decoded = try JSONDecoder().decode(RunPlan.self, from: JSONEncoder().encode(plan))
        #expect(decoded == plan)
        #expect(decoded.tls == nil && decoded.preflight == nil && decoded.reconnect == nil && decoded.shard == nil)
    }

    @Test func equalityNoticesEachTupleField() throws {
        let plan = try Self.fullPlan()
        var other = plan
        other.headers[1].1 = "Bearer other"
        #expect(other != plan)
        other = plan
        other.preflight?.method = "GET"
        #expect(other != plan)
    }

    @Test func aSourceThatIsNoAddressIsRejected() throws {
        var json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(Self.fullPlan())) as! [String: Any]
        json["sources"] = [["ip": "example.test", "port": 0]]
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(RunPlan.self, from: JSONSerialization.data(withJSONObject: json)) }
    }

    /// What the parent of `run --workers` writes for each worker is the plan, shard set, read back unchanged.
    @Test func workerAssignmentsCarryThePlanPerShard() throws {
        let dir = (NSTemporaryDirectory() as NSString).appendingPathComponent("wsload-assign-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let pool = try WorkerPool(directory: dir)
        var plan = try Self.fullPlan()
        plan.shard = ShardSpec(index: 2, count: 3)
        let context = ReportContext(profileName: "p", target: plan.url.description, knownPods: ["pod-a": 2], cookiePolicy: .perConnection)
        try pool.writeAssignment(WorkerAssignment(plan: plan, context: context, outputDirectory: "/tmp/out/worker-2"))
        let read = try WorkerPool.readAssignment(directory: dir, shard: ShardSpec(index: 2, count: 3))
        #expect(read.plan == plan && read.context == context && read.outputDirectory == "/tmp/out/worker-2")
        #expect(FileManager.default.fileExists(atPath: (dir as NSString).appendingPathComponent("plan-2.json")))
        // Another shard's file is not this worker's plan.
        #expect(throws: (any Error).self) { try WorkerPool.readAssignment(directory: dir, shard: ShardSpec(index: 1, count: 3)) }
        plan.shard = nil
        #expect(throws: WorkerAssignmentError.self) { try pool.writeAssignment(WorkerAssignment(plan: plan, context: context)) }
    }
}

/// One retry type for reconnects and forward restarts; only the budget's JSON name differs, as the reports had it.
@Suite struct RetryPolicyCodingTests {
    @Test func eachKindKeepsItsJSONName() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let reconnect = String(
            decoding: try encoder.encode(ReconnectPolicy(maxRetries: 3, initialBackoff: 0.25, maxBackoff: 2, jitter: 0.1)), as: UTF8.self)
        #expect(reconnect == #"{"initialBackoff":0.25,"jitter":0.1,"maxBackoff":2,"maxRetries":3}"#)
        let restart = String(decoding: try encoder.encode(PortForwardBackoff(maxRestarts: 4)), as: UTF8.self)
        #expect(restart == #"{"initialBackoff":0.5,"jitter":0.2,"maxBackoff":10,"maxRestarts":4}"#)
        let back = try JSONDecoder().decode(PortForwardBackoff.self, from: Data(restart.utf8))
        #expect(back.maxRestarts == 4 && back.maxAttempts == 4)
        // A reconnect policy is not read as a restart policy (the budget's name is part of the format).
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(PortForwardBackoff.self, from: Data(reconnect.utf8)) }
    }

    @Test func profileSectionsBecomeThePlansPolicy() {
        let section = Profile.RestartSection(maxRestarts: 2, initialBackoff: .milliseconds(250), maxBackoff: .seconds(4), jitter: 0.5)
        #expect(section.policy == PortForwardBackoff(maxRestarts: 2, initialBackoff: 0.25, maxBackoff: 4, jitter: 0.5))
    }
}
