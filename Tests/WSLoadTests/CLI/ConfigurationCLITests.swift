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
        let r = try await wsload(["run", "--url", serve.url, "--connections", "3", "--source", "203.0.113.5", "--hold", "10s", "--quiet"])
        #expect(r.status == 2, "\(r)")
        #expect(r.seconds < 5, "\(r)")
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
        #expect(r.status != nil && r.status != 0, "\(r)")
        #expect(r.stderr.contains("Address already in use") && r.stderr.contains("--reuse-port"), "\(r)")

        let shared = try await ServeProcess(podName: "ws-a", extra: ["--reuse-port"])
        defer { shared.stop() }
        let second = try Subprocess(["serve", "--listen", "127.0.0.1:\(shared.port)", "--pod-name", "ws-b", "--reuse-port", "--exit-with-parent"])
        defer { second.stop() }
        #expect(await second.waitFor(timeout: 10) { out, _ in out.contains("listening on 127.0.0.1:\(shared.port)") }, "\(second.stderr)")
    }
}
