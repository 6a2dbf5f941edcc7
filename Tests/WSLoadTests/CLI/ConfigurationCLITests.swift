import Foundation
import Testing
import WSLoad

/// Issue 13, configuration errors before anything connects, as a user meets them on the command line.
@Suite("CLI: configuration errors before anything connects")
struct ConfigurationCLITests {
    /// A source on no interface: exit 2 at once with the address and how to add it, not EADDRNOTAVAIL ×N after the hold.
    @Test func runWithAnUnbindableSourceIsAConfigurationErrorUpFront() async throws {
        let serve = try await ServeProcess(podName: "ws-src")
        defer { serve.stop() }
        let r = try await wsload(["run", "--url", serve.url, "--connections", "3", "--source", "203.0.113.5", "--hold", "60s", "--quiet"])
        #expect(r.status == 2, "\(r)")
        #expect(r.seconds < 20, "\(r)")  // far below the 60-s hold it would otherwise wait out
        #expect(r.stderr.contains("--source: source address 203.0.113.5 cannot be bound (EADDRNOTAVAIL)"), "\(r)")
        #expect(r.stderr.contains("ip addr add 203.0.113.5/32 dev lo"), "\(r)")
        #expect(serve.activeCounts.allSatisfy { $0 == 0 }, "\(serve.log)")
    }

    @Test func validateBindsTheSourcesUnlessTold() async throws {
        let dir = try CLIEnvironment.temporaryDirectory("validate-src")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("p.yaml").path
        try "target:\n  url: ws://127.0.0.1:8080/ws\nclients:\n  sources:\n    - 127.0.0.2-127.0.0.9\n    - 203.0.113.5\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        let r = try await wsload(["validate", path])
        #expect(r.status == 2, "\(r)")
        #expect(r.stderr.contains("\(path):6:7: clients.sources[1]: source address 203.0.113.5 cannot be bound"), "\(r)")
        #expect(!r.stdout.contains(": ok"), "\(r)")
        let skipped = try await wsload(["validate", path, "--skip-source-check"])
        #expect(skipped.status == 0 && skipped.stdout.contains("\(path): ok"), "\(skipped)")
    }

    @Test func conflictingSizeFlagsAreAUsageError() async throws {
        let r = try await wsload(["run", "--url", "ws://127.0.0.1:9/ws", "--connections", "5", "--clients", "2", "--connections-per-client", "2"])
        #expect(r.status == 2, "\(r)")
        #expect(r.stderr.contains("--connections: cannot be combined with --clients 2 and --connections-per-client 2"), "\(r)")
    }

    @Test func aMalformedURLFlagIsLabelledAsTheFlag() async throws {
        let r = try await wsload(["run", "--url", "ws://exa mple.com", "--hold", "1s"])
        #expect(r.status == 2, "\(r)")
        #expect(r.stderr.contains(#"--url: "ws://exa mple.com" is not a valid URL: a space at position 9"#), "\(r)")
        #expect(!r.stderr.contains("<profile>"), "\(r)")
    }

    @Test(arguments: [["connect", "ws://exa mple.com"], ["shell", "ws://exa mple.com"]])
    func connectAndShellRefuseAMalformedURL(arguments: [String]) async throws {
        let r = try await wsload(arguments, stdin: "")
        #expect(r.status == 2, "\(r)")
        #expect(r.stderr.contains("is not a valid URL: a space at position 9"), "\(r)")
    }

    @Test func validateReportsEveryProblemOfAProfile() async throws {
        let path = CLITests.brokenDirectory.appendingPathComponent("several-errors.yaml").path
        let r = try await wsload(["validate", path])
        #expect(r.status == 2, "\(r)")
        let located = r.stderr.split(separator: "\n").filter { $0.hasPrefix("\(path):") }
        #expect(located.count == 5, "\(r)")
    }

    /// A mistyped port must not silently share a running server's port.
    @Test func serveRefusesABusyPortUnlessReusePortIsGiven() async throws {
        let serve = try await ServeProcess(podName: "ws-busy")
        defer { serve.stop() }
        let r = try await wsload(["serve", "--listen", "127.0.0.1:\(serve.port)", "--pod-name", "ws-typo", "--exit-with-parent"], timeout: 10)
        #expect(r.status == 2, "\(r)")
        #expect(r.stderr.contains("listen on 127.0.0.1:\(serve.port): Address already in use (EADDRINUSE)"), "\(r)")
        #expect(r.stderr.contains("Address already in use") && r.stderr.contains("--reuse-port"), "\(r)")

        let shared = try await ServeProcess(podName: "ws-a", extra: ["--reuse-port"])
        defer { shared.stop() }
        let second = try Subprocess(["serve", "--listen", "127.0.0.1:\(shared.port)", "--pod-name", "ws-b", "--reuse-port", "--exit-with-parent"])
        defer { second.stop() }
        #expect(await second.waitFor(timeout: 10) { out, _ in out.contains("listening on 127.0.0.1:\(shared.port)") }, "\(second.stderr)")
    }

    /// AnyIP: in a network namespace, 10.245.0.0/16 is on no interface; `ip route add local 10.245.0.0/16 dev lo`
    /// makes every address of it bindable, and the check (which binds) accepts it. Before the route the same
    /// profile is refused with the route to add.
    @Test(
        .enabled(
            if: getuid() == 0
                && (FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") || FileManager.default.isExecutableFile(atPath: "/sbin/ip")),
            "needs root and iproute2 (ip netns)"))
    func anAnyIPRouteMakesABlockBindable() async throws {
        let binary = try CLIEnvironment.requireBinary()
        let ns = "config-anyip-\(getpid())"
        let dir = try CLIEnvironment.temporaryDirectory("anyip")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("p.yaml").path
        try "target:\n  url: ws://127.0.0.1:8080/ws\nclients:\n  sources: [10.245.0.0/16]\n".write(toFile: path, atomically: true, encoding: .utf8)
        func ip(_ args: [String]) throws -> (Int32, String) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["ip"] + args
            let out = Pipe()
            p.standardOutput = out
            p.standardError = out
            try p.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            return (p.terminationStatus, String(decoding: data, as: UTF8.self))
        }
        #expect(try ip(["netns", "add", ns]).0 == 0)
        defer { _ = try? ip(["netns", "delete", ns]) }
        #expect(try ip(["-n", ns, "link", "set", "lo", "up"]).0 == 0)
        let before = try ip(["netns", "exec", ns, binary, "validate", path])
        #expect(before.0 == 2, "\(before.1)")
        #expect(
            before.1.contains(
                "clients.sources[0]: 4096 of 4096 checked addresses (evenly spaced over its 65536) of 10.245.0.0/16 cannot be bound as source addresses: 10.245.0.0, 10.245.0.16, 10.245.0.32, …"
            )
                && before.1.contains("ip route add local 10.245.0.0/16 dev lo"), "\(before.1)")
        #expect(try ip(["-n", ns, "route", "add", "local", "10.245.0.0/16", "dev", "lo"]).0 == 0)
        let after = try ip(["netns", "exec", ns, binary, "validate", path])
        #expect(after.0 == 0 && after.1.contains("\(path): ok"), "\(after.1)")
    }
}
