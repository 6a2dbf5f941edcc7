import Foundation
import Testing

@testable import WSLoad

/// Paths into the package checkout, for tests that read profiles/ and docs/.
enum ProfileTestPaths {
    static let packageRoot = TestPaths.packageRoot
    static let profiles = packageRoot.appendingPathComponent("profiles")

    static func shippedProfiles() throws -> [String: String] {
        var result: [String: String] = [:]
        for file in try FileManager.default.contentsOfDirectory(atPath: profiles.path) where file.hasSuffix(".yaml") {
            result[String(file.dropLast(5))] = try String(contentsOf: profiles.appendingPathComponent(file), encoding: .utf8)
        }
        return result
    }
}

/// Shipped and built-in profiles, the full schema, defaults and `--profile NAME` resolution.
@Suite struct ProfileLoadingTests {
    @Test func everyShippedProfileLoadsAndValidates() throws {
        let shipped = try ProfileTestPaths.shippedProfiles()
        #expect(Set(shipped.keys) == ["ingress-20conns", "service-clientip", "ci-skew-gate", "local-demo", "portforward-capacity", "soak"])
        for name in shipped.keys {
            var profile = try ProfileLoader.load(path: ProfileTestPaths.profiles.appendingPathComponent("\(name).yaml").path)
            #expect(profile.name == name)
            #expect(profile.description?.isEmpty == false)
            try profile.validate(requireURL: false)
            if profile.target.url == nil { profile.target.url = "wss://ws.example.com/ws" }
            try profile.validate(requireURL: true)
        }
    }

    @Test func builtinsAreUpToDateWithProfilesDirectory() throws {
        // If this fails, run scripts/gen-builtin-profiles.sh.
        let shipped = try ProfileTestPaths.shippedProfiles()
        #expect(BuiltinProfiles.names == shipped.keys.sorted(), "run scripts/gen-builtin-profiles.sh")
        for (name, text) in shipped {
            #expect(BuiltinProfiles.all[name] == text, "built-in \(name) differs from profiles/\(name).yaml; run scripts/gen-builtin-profiles.sh")
        }
    }

    @Test func builtinsParseEqualToFiles() throws {
        for name in BuiltinProfiles.names {
            let fromFile = try ProfileLoader.load(path: ProfileTestPaths.profiles.appendingPathComponent("\(name).yaml").path)
            let builtin = try ProfileLoader.load(path: "builtin:\(name)")
            #expect(fromFile == builtin)
        }
    }

    @Test func ingressProfileShape() throws {
        let profile = try ProfileLoader.load(path: "builtin:ingress-20conns")
        #expect(profile.target.url == nil)
        #expect(profile.clients.count == 2 && profile.clients.connectionsPerClient == 10)
        #expect(profile.clients.totalConnections == 20)
        #expect(profile.clients.cookies == .perClient)
        #expect(profile.clients.firstConnectionFirst)
        #expect(profile.hold == .seconds(30))
        #expect(profile.attribution.headers == ["X-Pod-Name"])
        #expect(profile.attribution.cookie == "SERVERID")
        #expect(profile.gate.clientsPinned && profile.gate.minPodsHit == .count(2) && profile.gate.maxFailed == 0)
        // No target section at all: the error points at the start of the document's mapping.
        let firstKeyLine =
            try #require(
                BuiltinProfiles.all["ingress-20conns"]?.split(separator: "\n", omittingEmptySubsequences: false)
                    .firstIndex { !$0.hasPrefix("#") && !$0.isEmpty }) + 1
        #expect(
            throws: ProfileError(
                file: "builtin:ingress-20conns", line: firstKeyLine, column: 1, keyPath: "target.url",
                message: "missing; set target.url in the profile or pass --url")
        ) {
            try profile.validate(requireURL: true)
        }
        try profile.validate(requireURL: false)
    }

    @Test func otherBuiltinShapes() throws {
        let service = try ProfileLoader.load(path: "builtin:service-clientip")
        #expect(service.clients.resolvedClientCount == 20 && service.clients.resolvedConnectionsPerClient == 1)
        #expect(try service.clients.sourceSpecs().first?.expand().count == 20)
        #expect(service.clients.cookies == .none)
        let ci = try ProfileLoader.load(path: "builtin:ci-skew-gate")
        #expect(ci.clients.totalConnections == 100)
        #expect(try ci.clients.sourceSpecs().first?.count == 50)
        #expect(ci.gate.maxSkew == 50 && ci.gate.minPodsHit == .all)
        let demo = try ProfileLoader.load(path: "builtin:local-demo")
        #expect(demo.target.url == "ws://127.0.0.1:18080/ws")
        #expect(demo.clients.resolvedClientCount == 4 && demo.clients.resolvedConnectionsPerClient == 5)
        #expect(demo.hold == .seconds(2) && demo.gate.minPodsHit == .count(2))
    }

    @Test func emptyProfileIsAllDefaults() throws {
        let profile = try ProfileLoader.parse(yaml: "# nothing\n", file: "/tmp/some/dir/my-test.yml")
        var expected = Profile()
        expected.name = "my-test"
        #expect(profile == expected)
        #expect(profile.clients.totalConnections == 1)
        #expect(profile.timeouts.upgrade == .seconds(10))
        #expect(profile.limits.maxMessageSize.bytes == 16 << 20)
        #expect(profile.gate.isEmpty)
        #expect(profile.output.formats == [.table])
        #expect(ProfileReader.stem(of: "builtin:local-demo") == "local-demo")
    }

    static let fullExample = #"""
        name: full
        description: "every field"
        target:
          url: wss://ws.example.com:8443/ws
          origin: https://example.com
          subprotocols: [chat]
          headers: {Authorization: "Bearer abc"}
          deflate: true
          tls: {insecure: true, ca_file: ca.pem, server_name: example.com, session_resumption: false, ciphersuites: TLS_AES_256_GCM_SHA384}
          resolve: {host: 127.0.0.1}
        clients:
          count: 2
          connections_per_client: 10
          sources: ["127.0.0.2-127.0.0.21", "127.0.1.0/28", "::1", "interface:lo"]
          cookies: per-connection
          first_connection_first: true
          preflight: {url: http://ws.example.com/login, method: POST}
          headers: {X-Forwarded-For: "10.1.{client}.{conn}"}
        ramp: {rate: 50.5, max_in_flight: 8}
        hold: 1h30m
        traffic: {interval: 250ms, message: "ping {conn}", size: 1KiB}
        keepalive: {ping_interval: 20s, pong_timeout: 10s}
        timeouts: {connect: 1s, tls: 2s, upgrade: 3s, close: 4s}
        limits: {max_message_size: 1MiB, max_frame_size: 64KiB}
        attribution:
          headers: [X-Pod-Name, X-Served-By]
          cookie: SERVERID
          cookie_map: {abc123: ws-0}
          first_message: {regex: "pod=(?<pod>\\S+)"}
        pods:
          static: [{name: ws-0, ip: 10.0.0.5, weight: 2}, {name: ws-1}]
          discovery: {namespace: prod, selector: app=ws}
        server_logs:
          files: {ws-0: /var/log/ws-0.log}
          directory: ./logs
          command: ["kubectl","logs","-n","{namespace}","{pod}","--since-time={start}","--timestamps"]
          stream: {stdin: true}
          pattern: "Active connections: (?<count>\\d+)"
          follow: true
        expected: {weights: {ws-0: 2, ws-1: 1}}
        gate:
          max_skew: 25%
          min_pods_hit: 2
          max_failed: 0
          require_log_match: true
          clients_pinned: true
          max_upgrade_p99: 500ms
        output: {formats: [table, json], out: ./wsload-out}
        """#

    @Test func fullSchemaParses() throws {
        let p = try ProfileLoader.parse(yaml: Self.fullExample, file: "full.yaml")
        try p.validate()
        #expect(p.name == "full" && p.description == "every field")
        #expect(p.target.url == "wss://ws.example.com:8443/ws" && p.target.origin == "https://example.com")
        #expect(p.target.subprotocols == ["chat"] && p.target.headers == ["Authorization": "Bearer abc"] && p.target.deflate)
        #expect(p.target.tls.insecure && p.target.tls.caFile == "ca.pem" && p.target.tls.serverName == "example.com")
        #expect(!p.target.tls.sessionResumption && p.target.resolve?.host == "127.0.0.1")
        #expect(p.target.tls.ciphersuites == "TLS_AES_256_GCM_SHA384")
        #expect(p.clients.count == 2 && p.clients.connectionsPerClient == 10 && p.clients.connections == nil)
        #expect(p.clients.sources.count == 4 && p.clients.cookies == .perConnection && p.clients.firstConnectionFirst)
        #expect(p.clients.preflight == Profile.Preflight(url: "http://ws.example.com/login", method: "POST"))
        #expect(p.clients.headers == ["X-Forwarded-For": "10.1.{client}.{conn}"])
        #expect(p.ramp.rate == 50.5 && p.ramp.maxInFlight == 8 && p.hold == .seconds(5400))
        #expect(p.traffic?.interval == .milliseconds(250) && p.traffic?.message == "ping {conn}" && p.traffic?.size.bytes == 1024)
        #expect(p.keepalive?.pingInterval == .seconds(20) && p.keepalive?.pongTimeout == .seconds(10))
        #expect(
            p.timeouts.connect == .seconds(1) && p.timeouts.tls == .seconds(2) && p.timeouts.upgrade == .seconds(3) && p.timeouts.close == .seconds(4)
        )
        #expect(p.limits.maxMessageSize.bytes == 1 << 20 && p.limits.maxFrameSize.bytes == 65536)
        #expect(p.attribution.headers == ["X-Pod-Name", "X-Served-By"] && p.attribution.cookie == "SERVERID")
        #expect(p.attribution.cookieMap == ["abc123": "ws-0"] && p.attribution.firstMessage == .regex(#"pod=(?<pod>\S+)"#))
        #expect(p.pods.staticPods == [Profile.StaticPod(name: "ws-0", ip: "10.0.0.5", weight: 2), Profile.StaticPod(name: "ws-1")])
        #expect(p.pods.discovery?.namespace == "prod" && p.pods.discovery?.selector == "app=ws")
        #expect(p.pods.discovery?.command == Profile.Discovery.defaultCommand)
        #expect(p.serverLogs.files == ["ws-0": "/var/log/ws-0.log"] && p.serverLogs.directory == "./logs")
        #expect(p.serverLogs.command?.count == 7 && p.serverLogs.stream == .stdin && p.serverLogs.follow)
        #expect(p.serverLogs.pattern == Profile.ServerLogsSection.defaultPattern)
        #expect(p.expected.weights == ["ws-0": 2, "ws-1": 1])
        #expect(p.gate.maxSkew == 25 && p.gate.minPodsHit == .count(2) && p.gate.maxFailed == 0)
        #expect(p.gate.requireLogMatch && p.gate.clientsPinned && p.gate.maxUpgradeP99 == .milliseconds(500))
        #expect(p.output.formats == [.table, .json] && p.output.out == "./wsload-out")
    }

    @Test func codableRoundTrip() throws {
        let profile = try ProfileLoader.parse(yaml: Self.fullExample, file: "full.yaml")
        let data = try JSONEncoder().encode(profile)
        #expect(try JSONDecoder().decode(Profile.self, from: data) == profile)
        let json = String(decoding: data, as: UTF8.self)
        #expect(json.contains(#""hold":"1h30m""#) && json.contains(#""minPodsHit":2"#) && !json.contains("sourceMap"))
        #expect(json.contains(#""stream":{"stdin":true}"#) && json.contains(#""firstMessage":{"regex":"#))
    }

    // MARK: - Resolution of --profile NAME

    @Test func resolutionOrder() throws {
        let fm = FileManager.default
        let root = fm.temporaryDirectory.appendingPathComponent("wsload-profile-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: root) }
        let work = root.appendingPathComponent("work")
        let envA = root.appendingPathComponent("envA"), envB = root.appendingPathComponent("envB")
        for dir in [work.appendingPathComponent("profiles"), envA, envB] {
            try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        }
        func write(_ url: URL) throws { try "hold: 1s\n".write(to: url, atomically: true, encoding: .utf8) }
        let env = ["WSLOAD_PROFILES": "\(envA.path)::\(envB.path)"]
        func resolve(_ name: String) throws -> (path: String, source: ProfileSource) {
            try ProfileLoader.resolve(name: name, workingDirectory: work.path, environment: env)
        }

        // (4) built-in when nothing else matches.
        #expect(try resolve("local-demo") == ("builtin:local-demo", .builtin))
        // (3) $WSLOAD_PROFILES, first directory that has it wins.
        try write(envB.appendingPathComponent("local-demo.yaml"))
        #expect(try resolve("local-demo") == (envB.appendingPathComponent("local-demo.yaml").path, .searchPath(envB.path)))
        try write(envA.appendingPathComponent("local-demo.yaml"))
        #expect(try resolve("local-demo") == (envA.appendingPathComponent("local-demo.yaml").path, .searchPath(envA.path)))
        // (2) ./profiles/NAME.yaml beats the search path.
        try write(work.appendingPathComponent("profiles/local-demo.yaml"))
        #expect(try resolve("local-demo") == (work.appendingPathComponent("profiles/local-demo.yaml").path, .workingDirectory))
        // (1) NAME as an existing file path beats everything.
        try write(work.appendingPathComponent("local-demo"))
        #expect(try resolve("local-demo") == (work.appendingPathComponent("local-demo").path, .path))
        let absolute = envB.appendingPathComponent("local-demo.yaml").path
        #expect(try resolve(absolute) == (absolute, .path))
        // A directory named like the profile is not a file.
        try fm.createDirectory(at: work.appendingPathComponent("ingress-20conns"), withIntermediateDirectories: true)
        #expect(try resolve("ingress-20conns") == ("builtin:ingress-20conns", .builtin))
        // And load(name:) follows the same order.
        let loaded = try ProfileLoader.load(name: "local-demo", workingDirectory: work.path, environment: env)
        #expect(loaded.source == .path && loaded.profile.hold == .seconds(1) && loaded.profile.name == "local-demo")
    }

    @Test func unknownProfileNameSuggestsABuiltin() {
        do {
            _ = try ProfileLoader.resolve(name: "ingress-20con", workingDirectory: "/nonexistent", environment: [:])
            Issue.record("expected an error")
        } catch {
            #expect(error.file == "ingress-20con" && error.line == nil)
            #expect(
                error.message.hasPrefix(
                    "no such profile; looked for /nonexistent/ingress-20con, /nonexistent/profiles/ingress-20con.yaml and the built-ins "))
            #expect(error.message.hasSuffix(#"(did you mean "ingress-20conns"?)"#))
        }
    }

    @Test func unreadableFile() {
        #expect(
            throws: ProfileError(
                file: "/nonexistent/x.yaml", line: nil, column: nil, keyPath: "",
                message: "cannot read profile: No such file or directory")
        ) {
            try ProfileLoader.load(path: "/nonexistent/x.yaml")
        }
    }
}
