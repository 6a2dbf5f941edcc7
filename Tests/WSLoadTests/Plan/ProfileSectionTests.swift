import Foundation
import Testing

@testable import WSLoad

/// The `reconnect`, `timeline`, `target.kind` and `portforward` sections: parsing, defaults, validation
/// with positioned errors, and the `soak` / `portforward-capacity` built-ins.
@Suite struct ProfileSectionTests {
    static let brokenCases: [(String, String)] = [
        (
            "reconnect-negative-retries.yaml",
            "profiles-broken/reconnect-negative-retries.yaml:4:16: reconnect.max_retries: must be >= 0, got -1"
        ),
        (
            "reconnect-max-below-initial.yaml",
            "profiles-broken/reconnect-max-below-initial.yaml:5:16: reconnect.max_backoff: must be at least reconnect.initial_backoff (1s < 2s)"
        ),
        (
            "reconnect-jitter.yaml",
            "profiles-broken/reconnect-jitter.yaml:3:37: reconnect.jitter: must be a fraction between 0 and 1, got 1.5"
        ),
        (
            "reconnect-unknown-key.yaml",
            #"profiles-broken/reconnect-unknown-key.yaml:4:3: reconnect.max_retry: unknown key "max_retry"; expected one of max_retries, initial_backoff, max_backoff, jitter (did you mean "max_retries"?)"#
        ),
        (
            "reconnect-bad-duration.yaml",
            #"profiles-broken/reconnect-bad-duration.yaml:4:20: reconnect.initial_backoff: bad duration "half a second"; expected seconds (e.g. 30 or 0.5) or a duration such as 500ms, 30s, 2m, 1h30m"#
        ),
        (
            "timeline-zero.yaml",
            "profiles-broken/timeline-zero.yaml:4:13: timeline.interval: must be > 0"
        ),
        (
            "target-kind.yaml",
            #"profiles-broken/target-kind.yaml:4:9: target.kind: unknown value "portforward"; expected one of service, ingress, port-forward, pod (did you mean "port-forward"?)"#
        ),
        (
            "portforward-placeholder.yaml",
            "profiles-broken/portforward-placeholder.yaml:4:53: portforward.command[3]: unknown placeholder {remote_port}; expected one of {namespace} {pod} {localPort} {remotePort} (did you mean {remotePort}?)"
        ),
        (
            "portforward-remote-port.yaml",
            "profiles-broken/portforward-remote-port.yaml:4:16: portforward.remote_port: port 80800 out of range 1-65535"
        ),
        (
            "portforward-step.yaml",
            "profiles-broken/portforward-step.yaml:5:9: portforward.step: must be at least 1 connection, got 0"
        ),
        (
            "portforward-path.yaml",
            #"profiles-broken/portforward-path.yaml:4:9: portforward.path: must start with "/", got "ws""#
        ),
        (
            "portforward-restart-backoff.yaml",
            "profiles-broken/portforward-restart-backoff.yaml:4:64: portforward.restart.max_backoff: must be at least portforward.restart.initial_backoff (1s < 5s)"
        ),
        (
            "portforward-restart-negative.yaml",
            "profiles-broken/portforward-restart-negative.yaml:5:19: portforward.restart.max_restarts: must be >= 0, got -2"
        ),
        (
            "portforward-wrong-type.yaml",
            #"profiles-broken/portforward-wrong-type.yaml:4:13: portforward.parallel: expected true or false, got "sometimes""#
        ),
        (
            "portforward-unknown-key.yaml",
            #"profiles-broken/portforward-unknown-key.yaml:4:3: portforward.step_intervall: unknown key "step_intervall"; expected one of command, remote_port, local_port_base, path, target, step, step_interval, hold, parallel, ready_timeout, restart, tls (did you mean "step_interval"?)"#
        ),
        (
            "portforward-ready-timeout.yaml",
            "profiles-broken/portforward-ready-timeout.yaml:4:18: portforward.ready_timeout: must be > 0"
        ),
        (
            "portforward-empty-command.yaml",
            "profiles-broken/portforward-empty-command.yaml:4:12: portforward.command: must not be empty"
        ),
    ]

    @Test(arguments: brokenCases)
    func brokenProfileGivesPreciseError(fixture: String, expected: String) throws {
        #expect(try ProfileErrorTests.errorText(fixture) == expected)
    }

    static let example = #"""
        target:
          url: ws://127.0.0.1:8080/ws
          kind: ingress
        reconnect:
          max_retries: 0
          initial_backoff: 250ms
          max_backoff: 250ms
          jitter: 0
        timeline:
          interval: 5s
        portforward:
          command: ["socat", "TCP-LISTEN:{localPort},reuseaddr,fork", "TCP:127.0.0.1:9000"]
          remote_port: 9000
          local_port_base: 41000
          path: /socket?x=1
          target: 300
          step: 25
          step_interval: 250ms
          hold: 1m
          parallel: yes
          ready_timeout: 3s
          restart: {max_restarts: 0, initial_backoff: 1s, max_backoff: 1s, jitter: 1}
        """#

    @Test func everyNewKeyParses() throws {
        let p = try ProfileLoader.parse(yaml: Self.example, file: "x.yaml")
        try p.validate()
        try p.validateForPortForward()
        #expect(p.target.kind == .ingress && !p.target.kind.reachesSinglePod)
        #expect(p.reconnect == Profile.ReconnectSection(maxRetries: 0, initialBackoff: .milliseconds(250), maxBackoff: .milliseconds(250), jitter: 0))
        #expect(p.timeline.interval == .seconds(5))
        let pf = try #require(p.portforward)
        #expect(pf.command == ["socat", "TCP-LISTEN:{localPort},reuseaddr,fork", "TCP:127.0.0.1:9000"] && !pf.usesRemotePort)
        #expect(pf.remotePort == 9000 && pf.localPortBase == 41000 && pf.path == "/socket?x=1")
        #expect(pf.target == 300 && pf.step == 25 && pf.stepInterval == .milliseconds(250) && pf.hold == .seconds(60))
        #expect(pf.parallel && pf.readyTimeout == .seconds(3))
        #expect(pf.restart == Profile.RestartSection(maxRestarts: 0, initialBackoff: .seconds(1), maxBackoff: .seconds(1), jitter: 1))
        // Codable keeps them.
        let data = try JSONEncoder().encode(p)
        #expect(try JSONDecoder().decode(Profile.self, from: data) == p)
        let json = String(decoding: data, as: UTF8.self)
        #expect(json.contains(#""kind":"ingress""#) && json.contains(#""stepInterval":"250ms""#) && json.contains(#""interval":"5s""#))
    }

    @Test func defaultsWhenAbsent() throws {
        let p = try ProfileLoader.parse(yaml: "hold: 1s\n", file: "x.yaml")
        #expect(p.reconnect == nil && p.portforward == nil)
        #expect(p.timeline.interval == .seconds(1))
        #expect(p.target.kind == .service)
        let r = try ProfileLoader.parse(yaml: "reconnect: {}\nportforward: {}\n", file: "x.yaml")
        #expect(r.reconnect == Profile.ReconnectSection(maxRetries: 5, initialBackoff: .milliseconds(500), maxBackoff: .seconds(10), jitter: 0.2))
        let pf = try #require(r.portforward)
        #expect(pf == Profile.PortForwardSection())
        #expect(pf.command == ["kubectl", "port-forward", "-n", "{namespace}", "pod/{pod}", "{localPort}:{remotePort}"])
        #expect(pf.remotePort == nil && pf.localPortBase == 0 && pf.path == "/ws" && pf.target == 1000 && pf.step == 50)
        #expect(pf.stepInterval == .seconds(1) && pf.hold == .seconds(10) && !pf.parallel && pf.readyTimeout == .seconds(10))
        #expect(pf.restart == Profile.RestartSection(maxRestarts: 5, initialBackoff: .milliseconds(500), maxBackoff: .seconds(10), jitter: 0.2))
        // Empty values mean "absent".
        let empty = try ProfileLoader.parse(yaml: "reconnect:\ntimeline: ~\n", file: "x.yaml")
        #expect(empty.reconnect == nil && empty.timeline.interval == .seconds(1))
    }

    @Test func targetKinds() throws {
        for (text, kind) in [("service", Profile.TargetKind.service), ("ingress", .ingress), ("port-forward", .portForward), ("pod", .pod)] {
            let p = try ProfileLoader.parse(yaml: "target: {kind: \(text)}\n", file: "x.yaml")
            #expect(p.target.kind == kind && kind.rawValue == text)
            #expect(kind.reachesSinglePod == (kind == .portForward || kind == .pod))
        }
    }

    @Test func remotePortIsRequiredOnlyWhenTheCommandUsesIt() throws {
        let needs = try ProfileLoader.parse(yaml: "# x\nportforward:\n  target: 10\n", file: "pf.yaml")
        try needs.validate(requireURL: false)
        #expect(
            throws: ProfileError(
                file: "pf.yaml", line: 2, column: 1, keyPath: "portforward.remote_port",
                message: "missing; the forward command uses {remotePort}: set portforward.remote_port or pass --remote-port")
        ) {
            try needs.validateForPortForward()
        }
        var fixed = needs
        fixed.portforward?.remotePort = 8080
        try fixed.validateForPortForward()
        let socat = try ProfileLoader.parse(
            yaml: "portforward: {command: [socat, \"TCP-LISTEN:{localPort}\", \"TCP:127.0.0.1:9\"]}\n", file: "pf.yaml")
        try socat.validateForPortForward()
        // No section at all: the default kubectl command needs the port too.
        #expect(throws: ProfileError.self) { try Profile().validateForPortForward() }
    }

    @Test func edgeValuesAreAccepted() throws {
        let p = try ProfileLoader.parse(
            yaml: """
                target: {url: ws://127.0.0.1/ws}
                reconnect: {max_retries: 0, jitter: 1}
                portforward: {local_port_base: 65535, remote_port: 1, target: 1, step: 1, step_interval: 0, hold: 0}
                """, file: "x.yaml")
        try p.validate()
    }

    @Test func soakBuiltin() throws {
        let soak = try ProfileLoader.load(path: "builtin:soak")
        try soak.validate(requireURL: false)
        #expect(soak.clients.totalConnections == 200)
        #expect(try soak.clients.sourceSpecs().first?.count == 10)
        #expect(soak.hold == .seconds(1800))
        #expect(soak.keepalive?.pingInterval == .seconds(20) && soak.keepalive?.pongTimeout == .seconds(10))
        #expect(soak.reconnect == Profile.ReconnectSection())
        #expect(soak.timeline.interval == .seconds(10))
        #expect(soak.target.url == nil && soak.target.kind == .service)
    }

    @Test func portForwardCapacityBuiltin() throws {
        var pf = try ProfileLoader.load(path: "builtin:portforward-capacity")
        try pf.validate(requireURL: false)
        #expect(pf.target.kind == .portForward && pf.target.kind.reachesSinglePod)
        let section = try #require(pf.portforward)
        #expect(section.command == Profile.PortForwardSection.defaultCommand)
        #expect(section.target == 1000 && section.step == 50 && !section.parallel && section.remotePort == nil)
        // The remote port comes from --remote-port; without it the profile says what is missing.
        #expect(throws: ProfileError.self) { try pf.validateForPortForward() }
        pf.portforward?.remotePort = 8080
        try pf.validateForPortForward()
    }

    @Test func schemaEnumsAndDefaultsMatch() throws {
        let schema = try ProfileSchemaTests.loadSchema()
        let kind = try #require(ProfileSchemaTests.node(at: "target.kind", in: schema))
        #expect(kind["enum"] as? [String] == Profile.TargetKind.allCases.map(\.rawValue))
        let command = try #require(ProfileSchemaTests.node(at: "portforward.command", in: schema))
        #expect(command["default"] as? [String] == Profile.PortForwardSection.defaultCommand)
        let target = try #require(ProfileSchemaTests.node(at: "portforward.target", in: schema))
        #expect(target["default"] as? Int == Profile.PortForwardSection().target)
    }
}
