import Foundation
import Testing

@testable import WSLoad

/// Every broken profile in Fixtures/profiles-broken gives one precise, positioned error.
@Suite struct ProfileErrorTests {
    static let fixtures = ProfileTestPaths.packageRoot.appendingPathComponent("Tests/WSLoadTests/Fixtures/profiles-broken")

    /// Parses and validates (URL required) a fixture; returns the error text.
    static func errorText(_ fixture: String) throws -> String? {
        let text = try String(contentsOf: fixtures.appendingPathComponent(fixture), encoding: .utf8)
        do {
            let profile = try ProfileLoader.parse(yaml: text, file: "profiles-broken/\(fixture)")
            try profile.validate(requireURL: true)
            return nil
        } catch {
            return error.description
        }
    }

    static let cases: [(String, String)] = [
        (
            "unknown-key.yaml",
            #"profiles-broken/unknown-key.yaml:7:3: clients.cookie: unknown key "cookie"; expected one of count, connections_per_client, connections, sources, cookies, first_connection_first, preflight, headers, lifetime (did you mean "cookies"?)"#
        ),
        (
            "unknown-root-key.yaml",
            #"profiles-broken/unknown-root-key.yaml:3:1: gates: unknown key "gates"; expected one of name, description, target, clients, ramp, hold, traffic, keepalive, timeouts, limits, attribution, pods, server_logs, server_metrics, expected, gate, output, reconnect, timeline, portforward, events (did you mean "gate"?)"#
        ),
        (
            "wrong-type.yaml",
            #"profiles-broken/wrong-type.yaml:4:10: clients.count: expected an integer, got "ten""#
        ),
        (
            "wrong-shape.yaml",
            #"profiles-broken/wrong-shape.yaml:3:8: target.tls: expected a mapping with keys insecure, ca_file, server_name, session_resumption, ciphersuites, got "true""#
        ),
        (
            "bad-ciphersuites.yaml",
            #"profiles-broken/bad-ciphersuites.yaml:4:19: target.tls.ciphersuites: unknown TLS 1.3 cipher suite "TLS_RC4_MD5"; RFC 8446 defines TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256, TLS_AES_128_CCM_SHA256, TLS_AES_128_CCM_8_SHA256"#
        ),
        (
            "bad-duration.yaml",
            #"profiles-broken/bad-duration.yaml:3:7: hold: bad duration "30 secs"; expected seconds (e.g. 30 or 0.5) or a duration such as 500ms, 30s, 2m, 1h30m"#
        ),
        (
            "bad-size.yaml",
            #"profiles-broken/bad-size.yaml:5:19: limits.max_frame_size: bad size "16 megs"; expected bytes (e.g. 65536) or a size such as 64KiB, 16MiB"#
        ),
        (
            "bad-enum.yaml",
            #"profiles-broken/bad-enum.yaml:6:12: clients.cookies: unknown value "per_client"; expected one of none, shared, per-client, per-connection (did you mean "per-client"?)"#
        ),
        (
            "reversed-range.yaml",
            #"profiles-broken/reversed-range.yaml:7:7: clients.sources[1]: range "127.0.0.9-127.0.0.2" is reversed: 127.0.0.9 comes after 127.0.0.2; did you mean 127.0.0.2-127.0.0.9?"#
        ),
        (
            "bad-cidr.yaml",
            #"profiles-broken/bad-cidr.yaml:5:29: clients.sources[1]: bad CIDR "127.0.1.0/33": prefix length must be 0-32, got "33""#
        ),
        (
            "cidr-host-bits.yaml",
            #"profiles-broken/cidr-host-bits.yaml:5:13: clients.sources[0]: bad CIDR "127.0.1.5/30": host bits are set; did you mean 127.0.1.4/30?"#
        ),
        (
            "connections-and-clients.yaml",
            "profiles-broken/connections-and-clients.yaml:6:3: clients.connections: cannot be combined with clients.count; use either connections: N (N clients with one connection each) or count × connections_per_client"
        ),
        (
            "yaml-syntax.yaml",
            #"profiles-broken/yaml-syntax.yaml:5:26: YAML syntax error: mapping values are not allowed in this context; check the indentation of this line and the one above, or quote a value that contains ": ""#
        ),
        (
            "duplicate-key.yaml",
            #"profiles-broken/duplicate-key.yaml:4:1: duplicate key "hold" (first given at 3:1)"#
        ),
        (
            "pong-timeout.yaml",
            "profiles-broken/pong-timeout.yaml:5:17: keepalive.pong_timeout: must be shorter than keepalive.ping_interval (10s >= 10s)"
        ),
        (
            "missing-url.yaml",
            "profiles-broken/missing-url.yaml:2:1: target.url: missing; set target.url in the profile or pass --url"
        ),
        (
            "bad-scheme.yaml",
            #"profiles-broken/bad-scheme.yaml:2:8: target.url: unsupported scheme "wws"; expected one of ws, wss, http, https (did you mean "ws"?)"#
        ),
        (
            "bad-port.yaml",
            "profiles-broken/bad-port.yaml:2:8: target.url: port 80800 out of range 1-65535"
        ),
        (
            "skew-out-of-range.yaml",
            "profiles-broken/skew-out-of-range.yaml:4:13: gate.max_skew: must be a percentage between 0 and 100, got 150"
        ),
        (
            "unknown-placeholder.yaml",
            "profiles-broken/unknown-placeholder.yaml:7:22: clients.headers.X-Forwarded-For: unknown placeholder {clients}; expected one of {client} {conn} {index} {source} (did you mean {client}?)"
        ),
        (
            "url-with-space.yaml",
            #"profiles-broken/url-with-space.yaml:2:8: target.url: "ws://exa mple.com" is not a valid URL: a space at position 9 (percent-encode it as %20 in a path; a host cannot contain one)"#
        ),
        (
            "first-message-both.yaml",
            "profiles-broken/first-message-both.yaml:4:35: attribution.first_message.regex: give either json_path or regex, not both"
        ),
    ]

    @Test(arguments: cases)
    func brokenProfileGivesPreciseError(fixture: String, expected: String) throws {
        #expect(try Self.errorText(fixture) == expected)
    }

    @Test func everyFixtureIsInTheTable() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.fixtures.path).filter { $0.hasSuffix(".yaml") }
        #expect(
            Set(files)
                == Set(
                    Self.cases.map(\.0) + ProfileSectionTests.brokenCases.map(\.0)
                        + ProfileConfigurationErrorTests.multiErrorFixtures))
    }

    @Test func missingURLIsFineWhenNotRequired() throws {
        let text = try String(contentsOf: Self.fixtures.appendingPathComponent("missing-url.yaml"), encoding: .utf8)
        try ProfileLoader.parse(yaml: text, file: "missing-url.yaml").validate(requireURL: false)
    }

    @Test func loadReportsTheGivenPath() throws {
        let path = Self.fixtures.appendingPathComponent("wrong-type.yaml").path
        #expect(throws: ProfileError(file: path, line: 4, column: 10, keyPath: "clients.count", message: #"expected an integer, got "ten""#)) {
            try ProfileLoader.load(path: path)
        }
    }

    @Test func overriddenFieldsAreStillLocatedNearTheirSection() throws {
        var profile = try ProfileLoader.parse(yaml: "target:\n  url: ws://h/ws\nramp:\n  rate: 10\n", file: "p.yaml")
        profile.ramp.maxInFlight = 0
        #expect(throws: ProfileError(file: "p.yaml", line: 4, column: 3, keyPath: "ramp.max_in_flight", message: "must be at least 1, got 0")) {
            try profile.validate()
        }
        var fresh = Profile()
        fresh.target.url = "ws://h:0/"
        #expect(throws: ProfileError(file: "<profile>", line: nil, column: nil, keyPath: "target.url", message: "port 0 out of range 1-65535")) {
            try fresh.validate()
        }
    }

    @Test(arguments: [
        ("gate:\n  min_pods_hit: some\n", #"p.yaml:2:17: gate.min_pods_hit: expected a number or "all", got "some""#),
        (
            "output:\n  formats: [table, jsn]\n",
            #"p.yaml:2:20: output.formats[1]: unknown value "jsn"; expected one of table, json, junit, markdown, svg, html (did you mean "json"?)"#
        ),
        // Both problems of the item, in position order: the map at 4:7 lacks `name`, the key at 4:8 is unknown.
        (
            "pods:\n  static:\n    - {name: ws-0}\n    - {nme: ws-1}\n",
            #"p.yaml:4:7: pods.static[1]: missing required key "name""# + "\n"
                + #"p.yaml:4:8: pods.static[1].nme: unknown key "nme"; expected one of name, ip, weight (did you mean "name"?)"#
        ),
        ("server_logs:\n  stream: {}\n", "p.yaml:2:11: server_logs.stream: expected command or stdin: true"),
        (
            "- a\n- b\n",
            #"p.yaml:1:1: expected a mapping with keys name, description, target, clients, ramp, hold, traffic, keepalive, timeouts, limits, attribution, pods, server_logs, server_metrics, expected, gate, output, reconnect, timeline, portforward, events, got a list"#
        ),
        (
            "target:\n  url: ws://h/\ngate:\n  require_log_match: true\n",
            "p.yaml:4:22: gate.require_log_match: needs a server log source (server_logs.files, directory, command or stream)"
        ),
        (
            "target:\n  url: ws://h/\nserver_logs:\n  pattern: \"Active: \\\\d+\"\n",
            #"p.yaml:4:12: server_logs.pattern: needs a capture group: a named group (?<count>…) or a plain (…)"#
        ),
        (
            "target:\n  url: ws://h/\nclients:\n  connectionsPerClient: 3\n",
            #"p.yaml:4:3: clients.connectionsPerClient: unknown key "connectionsPerClient"; expected one of count, connections_per_client, connections, sources, cookies, first_connection_first, preflight, headers, lifetime (did you mean "connections_per_client"?)"#
        ),
    ])
    func inlineErrors(yaml: String, expected: String) {
        do {
            try ProfileLoader.parse(yaml: yaml, file: "p.yaml").validate()
            Issue.record("expected an error")
        } catch {
            #expect(error.description == expected)
        }
    }
}
