import ArgumentParser
import Testing
import WSLoad

@testable import WSLoadCLI

/// The CLI's flags parsed in-process with `parseAsRoot`, as `wsload` parses them, without running the binary:
/// the default subcommand, flag → override mapping, repeatable flags, durations and the usage errors
/// (which `main` maps to exit 2). The few tests that run the binary are in CLITests.
@Suite struct CommandParsingTests {
    /// `wsload --profile X …` is `wsload run --profile X …` (run is the default subcommand).
    @Test func runIsTheDefaultSubcommand() throws {
        let command = try WSLoadCommand.parseAsRoot(["--profile", "ingress-20conns", "--max-skew", "50"])
        let run = try #require(command as? RunCommand)
        #expect(run.options.profileName == "ingress-20conns")
        #expect(run.options.overrides.maxSkew == 50)
    }

    /// Each run flag lands in the override of the same meaning; repeatable flags keep their order.
    @Test func runFlagsBecomeOverrides() throws {
        let command = try WSLoadCommand.parseAsRoot([
            "run", "--url", "ws://127.0.0.1:8080/ws", "--clients", "4", "--connections-per-client", "5",
            "--source", "127.0.0.2-127.0.0.9", "--source", "127.0.0.20", "--cookies", "per-connection",
            "--hold", "1m30s", "--rate", "250", "--max-in-flight", "64", "--min-pods-hit", "3", "--max-failed", "2",
            "--max-dropped", "1", "--require-log-match", "--format", "json", "--format", "junit", "--out", "out/",
        ])
        let run = try #require(command as? RunCommand)
        let o = run.options.overrides
        #expect(o.url == "ws://127.0.0.1:8080/ws")
        #expect(o.clients == 4 && o.connectionsPerClient == 5 && o.connections == nil)
        #expect(o.sources == ["127.0.0.2-127.0.0.9", "127.0.0.20"])
        #expect(o.cookies == .perConnection)
        #expect(o.hold == 90)
        #expect(o.rate == 250 && o.maxInFlight == 64)
        #expect(o.minPodsHit == 3 && o.maxFailed == 2 && o.maxDropped == 1 && o.requireLogMatch)
        #expect(run.options.formats == [.json, .junit])
        #expect(run.options.out == "out/")
    }

    /// Usage errors are thrown by the parser (exit 2 in `main`) and name the flag in words.
    @Test(arguments: [
        (["run", "--clients", "four"], "four"),
        (["run", "--hold", "soon"], "soon"),
        (["run", "--cookies", "sometimes"], "sometimes"),
        (["run", "--format", "pdf"], "pdf"),
        (["run", "--no-such-flag"], "--no-such-flag"),
        (["serve", "--listen", "localhost"], "--listen"),
    ])
    func usageErrors(arguments: [String], named: String) {
        #expect(throws: (any Error).self) { _ = try WSLoadCommand.parseAsRoot(arguments) }
        do {
            _ = try WSLoadCommand.parseAsRoot(arguments)
        } catch {
            let message = WSLoadCommand.fullMessage(for: error)
            #expect(message.contains(named), "\(arguments): \(message)")
            #expect(WSLoadCommand.exitCode(for: error) != .success)
        }
    }

    /// `serve` keeps its defaults and parses its own flags.
    @Test func serveDefaultsAndFlags() throws {
        let defaults = try #require(try WSLoadCommand.parseAsRoot(["serve"]) as? ServeCommand)
        #expect(defaults.listen == "0.0.0.0:8080" && defaults.podName == nil && defaults.capacity == nil && defaults.logFormat == .plain)
        let serve = try #require(
            try WSLoadCommand.parseAsRoot([
                "serve", "--listen", "[::1]:0", "--pod-name", "ws-1",
                "--capacity", "1000", "--log-format", "json",
            ]) as? ServeCommand)
        #expect(serve.listen == "[::1]:0" && serve.podName == "ws-1" && serve.capacity == 1000 && serve.logFormat == .json)
        #expect(parseListenAddress(serve.listen)?.port == 0)
    }

    /// Every subcommand is reachable by its name and has a help page that names it.
    @Test func everySubcommandHasItsHelp() throws {
        for sub in WSLoadCommand.configuration.subcommands {
            let name = try #require(sub.configuration.commandName)
            #expect(WSLoadCommand.helpMessage(for: sub, columns: 200).contains("USAGE: wsload \(name)"), "\(name)")
            // `--help` parses (ArgumentParser answers it with its help command, never with a usage error).
            #expect(throws: Never.self, "\(name) --help") { _ = try WSLoadCommand.parseAsRoot([name, "--help"]) }
        }
    }
}
