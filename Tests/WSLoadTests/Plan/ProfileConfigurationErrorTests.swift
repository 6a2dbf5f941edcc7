import Foundation
import Testing

@testable import WSLoad

/// Issue 13, configuration errors before anything connects: malformed URLs anywhere, every problem of a
/// profile at once, flags labelled as flags, conflicting size flags, unbindable source addresses.
@Suite struct ProfileConfigurationErrorTests {
    /// Fixtures of profiles-broken with several problems each (checked here, line by line).
    static let multiErrorFixtures = ["several-errors.yaml", "several-read-errors.yaml"]

    static func validationError(_ yaml: String, file: String = "p.yaml") -> ProfileError? {
        do {
            try ProfileLoader.parse(yaml: yaml, file: file).validate()
            return nil
        } catch {
            return error
        }
    }

    // MARK: - Malformed URLs

    @Test func aSpaceInTheProfileURLIsAPositionedError() throws {
        let error = try #require(Self.validationError("target:\n  url: \"ws://exa mple.com\"\n"))
        // `  url: "` puts the value at column 8; the space is the 9th character of the URL.
        #expect(
            error.description
                == #"p.yaml:2:8: target.url: "ws://exa mple.com" is not a valid URL: a space at position 9 (percent-encode it as %20 in a path; a host cannot contain one)"#
        )
    }

    @Test(
        arguments: [
            ("ws://exa mple.com", "a space at position 9"),
            ("ws://example.com/a b", "a space at position 19"),
            ("ws://exa\tmple.com/", "control character 0x09 at position 9"),
            ("ws://example.com/<x>", #""<" at position 18"#),
            ("ws://exa_mple!.com/", nil),
            ("ws://exa*mple.com/", nil),
            ("ws://ex#ample.com/", nil),
            ("ws://ex,ample.com/", nil),
        ] as [(String, String?)])
    func urlCharacters(url: String, problem: String?) {
        let found = WebSocketURL.characterProblem(url)
        if let problem {
            #expect(found?.contains(problem) == true, "\(found ?? "nil")")
        } else {
            // Sub-delimiters are legal in a reg-name (RFC 3986 §3.2.2); "#" starts the fragment.
            #expect(found == nil, "\(found ?? "")")
        }
    }

    @Test func hostCharactersOutsideRFC3986AreRejected() {
        #expect(WebSocketURL.characterProblem("ws://ex@mp\"le/") != nil)
        let message = WebSocketURL.characterProblem("wss://user@bad^host:443/")
        #expect(message?.contains(#""^""#) == true, "\(message ?? "nil")")
    }

    /// `connect`, `shell` and the planner parse with `WebSocketURL`: it refuses the same URLs.
    @Test(arguments: ["ws://exa mple.com", "ws://example.com/a b", "wss://exa\u{7F}mple.com/"])
    func webSocketURLRefusesMalformedURLs(url: String) {
        #expect(throws: WebSocketURL.URLError.self) { try WebSocketURL(url) }
    }

    @Test func preflightURLIsCheckedToo() throws {
        let error = try #require(Self.validationError("target:\n  url: ws://h/ws\nclients:\n  preflight:\n    url: \"http://lo gin/\"\n"))
        #expect(error.keyPath == "clients.preflight.url" && error.line == 5 && error.message.contains("a space at position 10"), "\(error)")
    }

    // MARK: - Every problem at once

    @Test func validationReportsEveryProblemInFileOrder() throws {
        let text = try #require(try ProfileErrorTests.errorText("several-errors.yaml"))
        let f = "profiles-broken/several-errors.yaml"
        #expect(
            text.split(separator: "\n").map(String.init) == [
                #"\#(f):3:8: target.url: "ws://exa mple.com/ws" is not a valid URL: a space at position 9 (percent-encode it as %20 in a path; a host cannot contain one)"#,
                "\(f):5:10: clients.count: must be at least 1, got 0",
                #"\#(f):6:13: clients.sources[0]: range "127.0.0.9-127.0.0.2" is reversed: 127.0.0.9 comes after 127.0.0.2; did you mean 127.0.0.2-127.0.0.9?"#,
                "\(f):8:9: ramp.rate: must be > 0 connections per second, got 0",
                "\(f):10:13: gate.max_skew: must be a percentage between 0 and 100, got 150",
            ])
    }

    @Test func readingReportsEveryBadSectionAndUnknownKey() throws {
        let text = try #require(try ProfileErrorTests.errorText("several-read-errors.yaml"))
        let f = "profiles-broken/several-read-errors.yaml"
        let roots = ProfileSchema.allowedKeys[""]!.joined(separator: ", ")
        #expect(
            text.split(separator: "\n").map(String.init) == [
                #"\#(f):5:10: clients.count: expected an integer, got "ten""#,
                #"\#(f):7:3: ramp.rat: unknown key "rat"; expected one of rate, max_in_flight (did you mean "rate"?)"#,
                #"\#(f):8:7: hold: bad duration "30 secs"; expected seconds (e.g. 30 or 0.5) or a duration such as 500ms, 30s, 2m, 1h30m"#,
                #"\#(f):9:1: gates: unknown key "gates"; expected one of \#(roots) (did you mean "gate"?)"#,
            ])
    }

    @Test func theThrownErrorIsTheFirstAndCarriesTheOthers() throws {
        let error = try #require(Self.validationError("ramp:\n  rate: 0\n  max_in_flight: 0\n"))
        // The missing URL has no line of its own: it is placed at the top of the file (1:1).
        #expect(error.all.map(\.keyPath) == ["target.url", "ramp.rate", "ramp.max_in_flight"])
        #expect(error.all.map(\.line) == [1, 2, 3])
        #expect(error.keyPath == "target.url" && error.more.count == 2)
        let parts = error.all
        #expect(parts.allSatisfy { $0.more.isEmpty })
    }

    @Test func aSingleProblemIsUnchanged() throws {
        let error = try #require(Self.validationError("target:\n  url: ws://h/\nramp:\n  rate: 0\n"))
        #expect(error == ProfileError(file: "p.yaml", line: 4, column: 9, keyPath: "ramp.rate", message: "must be > 0 connections per second, got 0"))
    }

    // MARK: - Flags

    @Test func aBadURLFlagIsLabelledAsTheFlag() throws {
        var profile = try ProfileLoader.parse(yaml: "target:\n  url: ws://good/ws\n", file: "p.yaml")
        var overrides = ProfileOverrides()
        overrides.url = "ws://exa mple.com"
        try overrides.apply(to: &profile)
        #expect(throws: ProfileError.self) { try profile.validate() }
        do { try profile.validate() } catch {
            #expect(
                error.description
                    == #"--url: "ws://exa mple.com" is not a valid URL: a space at position 9 (percent-encode it as %20 in a path; a host cannot contain one)"#
            )
            #expect(error.flag == "--url")
        }
    }

    @Test func flagErrorsOnAProfileOfFlagsOnlyNameNoProfile() throws {
        var profile = Profile()
        profile.origin = "<command line>"
        var overrides = ProfileOverrides()
        overrides.url = "wws://h/"
        overrides.sources = ["127.0.0.9-127.0.0.2"]
        overrides.rate = 0
        try overrides.apply(to: &profile)
        var lines: [String] = []
        do { try profile.validate() } catch { lines = error.description.split(separator: "\n").map(String.init) }
        #expect(
            lines == [
                #"--url: unsupported scheme "wws"; expected one of ws, wss, http, https (did you mean "ws"?)"#,
                #"--source: range "127.0.0.9-127.0.0.2" is reversed: 127.0.0.9 comes after 127.0.0.2; did you mean 127.0.0.2-127.0.0.9?"#,
                "--rate: must be > 0 connections per second, got 0",
            ])
        #expect(!lines.joined().contains("<profile>"))
    }

    @Test func conflictingSizeFlagsAreRefused() throws {
        var overrides = ProfileOverrides()
        overrides.connections = 5
        overrides.clients = 2
        overrides.connectionsPerClient = 2
        var profile = Profile()
        #expect(throws: ProfileError.self) { try overrides.apply(to: &profile) }
        do { try overrides.apply(to: &profile) } catch {
            #expect(error.flag == "--connections")
            #expect(error.description.hasPrefix("--connections: cannot be combined with --clients 2 and --connections-per-client 2"), "\(error)")
        }
        var one = ProfileOverrides()
        one.connections = 5
        one.clients = 3
        #expect(throws: ProfileError.self) { try one.apply(to: &profile) }
    }

    @Test func sizeFlagsOverrideTheProfileWithoutConflict() throws {
        var profile = try ProfileLoader.parse(yaml: "target:\n  url: ws://h/\nclients:\n  count: 4\n  connections_per_client: 3\n", file: "p.yaml")
        var overrides = ProfileOverrides()
        overrides.connections = 5
        try overrides.apply(to: &profile)
        try profile.validate()
        #expect(profile.clients.totalConnections == 5 && profile.clients.resolvedClientCount == 5)

        var other = try ProfileLoader.parse(yaml: "target:\n  url: ws://h/\nclients:\n  connections: 7\n", file: "p.yaml")
        var flags = ProfileOverrides()
        flags.clients = 2
        flags.connectionsPerClient = 2
        try flags.apply(to: &other)
        try other.validate()
        #expect(other.clients.totalConnections == 4)
    }

    @Test func aLogFileFlagWithoutPodIsRefused() throws {
        var overrides = ProfileOverrides()
        overrides.logFiles = ["logs/ws-0.log"]
        var profile = Profile()
        do { try overrides.apply(to: &profile); Issue.record("expected an error") } catch {
            #expect(error.description == #"--log-file: "logs/ws-0.log": expected POD=PATH, e.g. --log-file ws-0=logs/ws-0.log"#)
        }
    }

    // MARK: - Source addresses, by binding

    @Test func anAddressOnNoInterfaceIsAPositionedErrorWithTheFix() throws {
        // 203.0.113.0/24 is TEST-NET-3 (RFC 5737): on no interface of a test machine.
        let profile = try ProfileLoader.parse(
            yaml: "target:\n  url: ws://127.0.0.1:1/\nclients:\n  sources: [127.0.0.2, 203.0.113.5]\n",
            file: "p.yaml")
        try profile.validate()
        do { try profile.checkSourcesBindable(); Issue.record("expected an error") } catch {
            #expect(
                error.description == "p.yaml:4:24: clients.sources[1]: source address 203.0.113.5 cannot be bound (EADDRNOTAVAIL): "
                    + "no interface or local route of this machine has it. Add it, e.g. `ip addr add 203.0.113.5/32 dev lo`, "
                    + "or leave it out of the sources")
        }
    }

    @Test func aRangeOffThisMachineSuggestsAnAnyIPRoute() throws {
        var profile = Profile()
        profile.target.url = "ws://127.0.0.1:1/"
        var overrides = ProfileOverrides()
        overrides.sources = ["203.0.113.8-203.0.113.11"]
        try overrides.apply(to: &profile)
        do { try profile.checkSourcesBindable(); Issue.record("expected an error") } catch {
            #expect(
                error.description == "--source: 4 of 4 addresses of 203.0.113.8-203.0.113.11 cannot be bound as source addresses: "
                    + "203.0.113.8, 203.0.113.9, 203.0.113.10, … (EADDRNOTAVAIL: no interface or local route of this machine has it). "
                    + "Make the whole block bindable with an AnyIP route, e.g. `ip route add local 203.0.113.8/30 dev lo` "
                    + "(covers 203.0.113.8-203.0.113.11), or add each address with `ip addr add ADDRESS/32 dev lo`")
        }
    }

    /// 127.0.0.0/8 is one `local` route on lo (the AnyIP mechanism): every address binds without an alias.
    @Test func loopbackRangesAndBlocksAreBindable() throws {
        var profile = Profile()
        profile.clients.sources = ["127.0.0.2-127.0.0.33", "127.0.9.0/24", "127.0.0.1", "::1", "interface:lo"]
        try profile.checkSourcesBindable()
    }

    @Test(arguments: [
        ("10.245.0.7-10.245.3.1", "10.245.0.0/22"),
        ("10.0.0.0-10.0.0.0", "10.0.0.0/32"),
        ("10.0.0.255-10.0.1.0", "10.0.0.0/23"),
        ("fd00::1-fd00::ff", "fd00::/120"),
    ])
    func coveringBlockOfARange(range: String, block: String) throws {
        #expect(Profile.coveringBlock(try SourceSpec(parsing: range)) == block)
    }
}
