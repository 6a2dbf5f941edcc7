import Foundation
import Testing

@testable import WSLoad

#if canImport(Glibc)
    import Glibc
#endif

/// `run --workers N` through the built binary: one merged report, a killed worker reported, no orphans.
@Suite(.serialized) struct WorkerTests {
    /// The `worker I pid P` lines of the parent's stderr.
    static func workerPIDs(_ stderr: String) -> [Int: Int32] {
        var out: [Int: Int32] = [:]
        for line in stderr.split(separator: "\n") {
            guard let r = line.range(of: #"worker \d+ pid \d+"#, options: .regularExpression) else { continue }
            let parts = line[r].split(separator: " ")
            if let i = Int(parts[1]), let pid = Int32(parts[3]) { out[i] = pid }
        }
        return out
    }

    static func alive(_ pid: Int32) -> Bool {
        // A zombie still has /proc/PID; a reaped child does not. Our children are reaped by their parent.
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
        return !stat.contains(") Z ")
    }

    @Test func twoWorkersProduceOneReportWithEveryConnection() async throws {
        _ = try CLIEnvironment.requireBinary()
        let serve = try await ServeProcess(podName: "ws-0")
        defer { serve.stop() }
        let out = try CLIEnvironment.temporaryDirectory("workers")
        defer { try? FileManager.default.removeItem(at: out) }
        let r = try await wsload(
            [
                "run", "--url", serve.url, "--connections", "30", "--source", "127.0.0.2-127.0.0.5", "--cookies", "none",
                "--hold", "1s", "--workers", "2", "--max-failed", "0", "--quiet", "--format", "json", "--out", out.path,
            ],
            timeout: 60)
        #expect(r.status == 0, "\(r)")
        let pids = Self.workerPIDs(r.stderr)
        #expect(pids.count == 2, "\(r)")
        let report = try Report.decode(json: Data(contentsOf: out.appendingPathComponent("report.json")))
        #expect(report.totals.attempted == 30 && report.totals.held == 30 && report.totals.failed == 0)
        #expect(report.statistics.pods.map(\.count) == [30])
        #expect(report.placements.clientCount == 30)
        #expect(report.raw?.sourceAddresses == ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"])
        #expect(report.notes.contains { $0.contains("shards 0/2, 1/2") })
        #expect(report.latency.first { $0.phase == "upgrade" }?.count == 30)
        // Each worker kept its own files; the top-level connections.jsonl has every record.
        let lines = try String(contentsOf: out.appendingPathComponent("connections.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 30)
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("worker-1/report.json").path))
        for (_, pid) in pids { #expect(!Self.alive(pid), "worker \(pid) survived") }
    }

    /// Worker 0 has clients 0 and 2 (2 s apart at 0.5/s), worker 1 only client 1: alone, worker 1 would hold
    /// from ~0 s to ~1 s and worker 0 from ~2 s to ~3 s, never at once. Held together, both holds start when
    /// worker 0's ramp ends.
    @Test func workersWithUnequalRampsHoldTogether() async throws {
        _ = try CLIEnvironment.requireBinary()
        let serve = try await ServeProcess(podName: "ws-0")
        defer { serve.stop() }
        let out = try CLIEnvironment.temporaryDirectory("workers-together")
        defer { try? FileManager.default.removeItem(at: out) }
        let r = try await wsload(
            [
                "run", "--url", serve.url, "--connections", "3", "--rate", "0.5", "--cookies", "none", "--hold", "1s",
                "--workers", "2", "--max-failed", "0", "--quiet", "--format", "json", "--out", out.path,
            ],
            timeout: 60)
        #expect(r.status == 0, "\(r)")
        let report = try Report.decode(json: Data(contentsOf: out.appendingPathComponent("report.json")))
        #expect(report.totals.attempted == 3 && report.totals.held == 3)
        #expect(!report.warnings.contains { $0.contains("did not hold their connections at the same time") }, "\(report.warnings)")
        #expect(report.notes.contains { $0.contains("the 2 workers waited for each other") }, "\(report.notes)")
        // And the measured result beside it.
        #expect(report.notes.contains { $0.contains("the 2 shards' holds began within") }, "\(report.notes)")
        let windows = try (0..<2).map { i in
            try #require(Report.decode(json: Data(contentsOf: out.appendingPathComponent("worker-\(i)/report.json"))).raw?.window)
        }
        // Worker 0's ramp took ~2 s; worker 1's hold waited for it instead of starting at ~0 s.
        #expect(windows[0].holdStart.timeIntervalSince(windows[0].runStart) >= 1.5)
        #expect(abs(windows[0].holdStart.timeIntervalSince(windows[1].holdStart)) < 0.75, "\(windows)")
        #expect(windows[1].holdEnd.timeIntervalSince(windows[1].holdStart) >= 0.9)
    }

    @Test func aKilledWorkerIsReportedAndNoChildSurvives() async throws {
        _ = try CLIEnvironment.requireBinary()
        let serve = try await ServeProcess(podName: "ws-0")
        defer { serve.stop() }
        let out = try CLIEnvironment.temporaryDirectory("workers-kill")
        defer { try? FileManager.default.removeItem(at: out) }
        let p = try Subprocess([
            "run", "--url", serve.url, "--connections", "20", "--cookies", "none", "--hold", "4s", "--workers", "2",
            "--max-failed", "0", "--quiet", "--format", "json", "--out", out.path,
        ])
        defer { p.stop() }
        let started = await p.waitFor(timeout: 20) { _, err in Self.workerPIDs(err).count == 2 }
        #expect(started, "\(p.stderr)")
        let pids = Self.workerPIDs(p.stderr)
        // Wait until the connections are up, then kill worker 1.
        _ = await serve.waitForActive(20, timeout: 20)
        guard let victim = pids[1] else { return }
        kill(victim, SIGKILL)
        let status = await p.waitForExit(timeout: 60)
        #expect(status == 3, "stderr: \(p.stderr)")
        #expect(p.stderr.contains("worker 1 exited with signal 9 (SIGKILL): its 10 connections are counted as failed/unknown"), "\(p.stderr)")
        let report = try Report.decode(json: Data(contentsOf: out.appendingPathComponent("report.json")))
        #expect(report.totals.attempted == 20 && report.totals.failed == 10 && report.totals.held == 10)
        #expect(
            report.warnings.contains {
                $0.contains("worker 1 exited with signal 9 (SIGKILL): its 10 connections (shard 1/2) are counted as failed/unknown")
            })
        #expect(report.gate.passed == false)
        for (_, pid) in pids { #expect(!Self.alive(pid), "worker \(pid) survived its parent") }
    }

    @Test func workersStopWhenTheParentIsKilled() async throws {
        _ = try CLIEnvironment.requireBinary()
        let serve = try await ServeProcess(podName: "ws-0")
        defer { serve.stop() }
        let p = try Subprocess(["run", "--url", serve.url, "--connections", "10", "--cookies", "none", "--hold", "30s", "--workers", "2", "--quiet"])
        defer { p.stop() }
        let started = await p.waitFor(timeout: 20) { _, err in Self.workerPIDs(err).count == 2 }
        #expect(started, "\(p.stderr)")
        _ = await serve.waitForActive(10, timeout: 20)
        let pids = Self.workerPIDs(p.stderr)
        // SIGKILL: the parent cannot clean up; PR_SET_PDEATHSIG must end the workers.
        p.send(SIGKILL)
        _ = await p.waitForExit(timeout: 10)
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline && pids.values.contains(where: Self.alive) { try await Task.sleep(nanoseconds: 50_000_000) }
        for (_, pid) in pids { #expect(!Self.alive(pid), "worker \(pid) outlived its killed parent") }
        #expect(await serve.waitForActive(0, timeout: 15))
    }

    @Test func sigintStopsWorkersWithAPartialReport() async throws {
        _ = try CLIEnvironment.requireBinary()
        let serve = try await ServeProcess(podName: "ws-0")
        defer { serve.stop() }
        let out = try CLIEnvironment.temporaryDirectory("workers-int")
        defer { try? FileManager.default.removeItem(at: out) }
        let p = try Subprocess([
            "run", "--url", serve.url, "--connections", "10", "--cookies", "none", "--hold", "30s", "--workers", "2",
            "--quiet", "--format", "json", "--out", out.path,
        ])
        defer { p.stop() }
        _ = await p.waitFor(timeout: 20) { _, err in Self.workerPIDs(err).count == 2 }
        _ = await serve.waitForActive(10, timeout: 20)
        let pids = Self.workerPIDs(p.stderr)
        p.send(SIGINT)
        let status = await p.waitForExit(timeout: 30)
        #expect(status == 3, "\(p.stderr)")
        let report = try Report.decode(json: Data(contentsOf: out.appendingPathComponent("report.json")))
        #expect(report.totals.held == 10)
        #expect(report.notes.contains { $0.contains("interrupted") })
        for (_, pid) in pids { #expect(!Self.alive(pid)) }
    }
}
