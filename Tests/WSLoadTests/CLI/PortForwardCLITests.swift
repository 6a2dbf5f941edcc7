import Foundation
import Testing

@testable import WSLoad

/// `wsload portforward` as a subprocess: flags, output files, exit codes and SIGINT, with `wsload serve --capacity`
/// as the pod and socat as the forward.
@Suite(.serialized) struct PortForwardCLITests {
    static func socatCommand(to port: Int) throws -> String {
        try TestTools.require("socat")
        return "socat TCP-LISTEN:{localPort},bind=127.0.0.1,reuseaddr,fork,backlog=512 TCP:127.0.0.1:\(port)"
    }

    /// The forward pids named in the progress lines.
    static func forwardPIDs(_ stderr: String) -> [Int32] {
        stderr.split(separator: "\n").compactMap { line in
            guard let r = line.range(of: #"\(pid \d+"#, options: .regularExpression) else { return nil }
            return Int32(line[r].dropFirst(5))
        }
    }

    @Test func capacityTableAndJSON() async throws {
        _ = try CLIEnvironment.requireBinary()
        let pod = try await ServeProcess(podName: "ws-0", extra: ["--capacity", "25"])
        defer { pod.process.stop() }
        let dir = try CLIEnvironment.temporaryDirectory("portforward")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try await wsload([
            "portforward", "--pod", "ws-0", "--command", try Self.socatCommand(to: pod.port), "--target", "40",
            "--step", "10", "--step-interval", "50ms", "--hold", "100ms", "--format", "table", "--format", "json",
            "--out", dir.path,
        ])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("server-503") && r.stdout.contains("ws-0"), "\(r)")
        let data = try Data(contentsOf: dir.appendingPathComponent("portforward.json"))
        let report = try JSONDecoder().decode(PortForwardReport.self, from: data)
        #expect(report.pods.map(\.capacity) == [25] && report.pods[0].stopReason == .server503)
        #expect(
            report.settings.command == ["socat", "TCP-LISTEN:{localPort},bind=127.0.0.1,reuseaddr,fork,backlog=512", "TCP:127.0.0.1:\(pod.port)"])
        for pid in Self.forwardPIDs(r.stderr) {
            #expect(KubeTestSupport.isGone(pid) && ProcessGroupScan.liveMembers(of: pid).isEmpty)
        }
        #expect(!Self.forwardPIDs(r.stderr).isEmpty, "\(r)")
    }

    @Test func minCapacityExitsOne() async throws {
        _ = try CLIEnvironment.requireBinary()
        let pod = try await ServeProcess(podName: "ws-0", extra: ["--capacity", "5"])
        defer { pod.process.stop() }
        let r = try await wsload([
            "portforward", "--pod", "ws-0", "--command", try Self.socatCommand(to: pod.port), "--target", "20",
            "--step", "10", "--hold", "0", "--min-capacity", "10", "--quiet",
        ])
        #expect(r.status == 1, "\(r)")
        #expect(r.stderr.contains("ws-0: capacity 5 is below --min-capacity 10"), "\(r)")
    }

    @Test(arguments: [
        (["portforward", "--pod", "ws-0"], "portforward.remote_port: missing"),
        (["portforward", "--remote-port", "8080"], "no pods: pass --pod NAME"),
        (["portforward", "--pod", "ws-0", "--command", "no-such-forwarder {localPort}"], "portforward.command: no-such-forwarder not found"),
        (["portforward", "--pod", "ws-0", "--remote-port", "8080", "--step", "0"], "portforward.step: must be at least 1 connection, got 0"),
        (["portforward", "--pod", "ws-0", "--command", "socat TCP-LISTEN:{lport} TCP:127.0.0.1:1"], "unknown placeholder {lport}"),
    ])
    func usageErrorsExitTwo(arguments: [String], message: String) async throws {
        let r = try await wsload(arguments)
        #expect(r.status == 2, "\(r)")
        #expect(r.stderr.contains(message), "\(r)")
    }

    @Test func sigintStopsForwardsAndWritesAPartialReport() async throws {
        _ = try CLIEnvironment.requireBinary()
        let pod = try await ServeProcess(podName: "ws-0")
        defer { pod.process.stop() }
        let dir = try CLIEnvironment.temporaryDirectory("portforward-int")
        defer { try? FileManager.default.removeItem(at: dir) }
        let p = try Subprocess([
            "portforward", "--pod", "ws-0", "--pod", "ws-1", "--command", try Self.socatCommand(to: pod.port),
            "--target", "1000", "--step", "10", "--step-interval", "200ms", "--hold", "30s", "--parallel",
            "--format", "json", "--out", dir.path,
        ])
        defer { p.stop() }
        #expect(await p.waitFor(timeout: 10) { _, err in err.contains("ws-0: 20 open") && err.contains("ws-1: 20 open") }, "\(p.stderr)")
        p.send(SIGINT)
        let status = await p.waitForExit(timeout: 10)
        #expect(status == 3, "\(p.stderr)")
        let report = try JSONDecoder().decode(PortForwardReport.self, from: Data(contentsOf: dir.appendingPathComponent("portforward.json")))
        #expect(report.interrupted && report.pods.allSatisfy { $0.stopReason == .interrupted && $0.capacity >= 20 })
        let pids = Self.forwardPIDs(p.stderr)
        #expect(pids.count == 2)
        for pid in pids { #expect(KubeTestSupport.isGone(pid) && ProcessGroupScan.liveMembers(of: pid).isEmpty, "forward \(pid) survived") }
    }
}
