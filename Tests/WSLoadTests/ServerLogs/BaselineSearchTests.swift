import Foundation
import Testing

@testable import WSLoad

/// A pod that logs only on change and spoke long before the run prints nothing under `--since-time={start}`:
/// the collector looks back with a growing `--tail`, bounded, and keeps the last count as the baseline.
@Suite(.serialized) struct BaselineSearchTests {
    @Test func theFollowCommandBecomesAOneShotTail() {
        let follow = ["kubectl", "logs", "-n", "prod", "ws-0", "--since-time=2026-12-02T04:25:11Z", "--timestamps", "-f"]
        #expect(
            LogCollector.backwardsSearchCommand(follow, tail: 100)
                == ["kubectl", "logs", "-n", "prod", "ws-0", "--timestamps", "--tail=100"])
        #expect(
            LogCollector.backwardsSearchCommand(["kubectl", "logs", "ws-0", "--since", "1m", "--follow"], tail: 5)
                == ["kubectl", "logs", "ws-0", "--tail=5"])
        // Not a logs command, or nothing to widen: no search.
        #expect(LogCollector.backwardsSearchCommand(["cat", "/var/log/ws-0.log"], tail: 100) == nil)
        #expect(LogCollector.backwardsSearchCommand(["kubectl", "logs", "ws-0"], tail: 100) == nil)
    }

    @Test func aPodThatSpokeLongAgoGetsItsLastCountAsBaseline() throws {
        let dir = try KubeTestSupport.makeTempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // --tail=100 shows only chatter; --tail=1000 reaches the count line; following prints nothing (on change only).
        let script = try KubeTestSupport.writeScript(
            """
            case "$*" in
              *--tail=100) i=0; while [ $i -lt 100 ]; do echo "2026-12-01T09:00:00.000000000Z GET /healthz 200"; i=$((i+1)); done ;;
              *--tail=*) echo "2026-12-01T08:00:00.000000000Z Active connections: 36"
                         echo "2026-12-01T08:00:01.000000000Z Active connections: 37"
                         echo "2026-12-01T09:00:00.000000000Z GET /healthz 200" ;;
              *) exec sleep 20 ;;
            esac
            """, in: dir)
        let template = CommandTemplate([script, "logs", "-n", "{namespace}", "{pod}", "--since-time={start}", "--timestamps", "-f"])
        let c = try LogSourceTests.collector([.command(template: template, pods: ["ws-0"])])
        let clock = RunPhaseClock()
        c.follow(phases: clock)
        c.start()
        defer { c.stop() }
        c.waitForInitialOutput(quiet: 0.2, timeout: 2)
        #expect(c.searchMissingBaselines(tails: [100, 1_000], timeout: 5) == ["ws-0"])
        let samples = c.snapshot().first?.samples ?? []
        #expect(samples.map(\.activeConnections) == [37])
        #expect(samples.first?.phase == .history)
        // The matcher then reads 37 as the baseline of a pod with 37 existing connections.
        var s = samples
        s.append(LogSample(pod: "ws-0", timestamp: Date(), activeConnections: 40, line: 1, phase: .hold))
        let now = Date()
        let m = LogMatcher().match(
            pod: "ws-0", series: LogSampleSeries(pod: "ws-0", samples: s),
            window: RunWindow(runStart: now, holdStart: now, holdEnd: now, closeEnd: now), clientCount: 3)
        #expect(m.baseline == 37 && m.baselineSource == .earlierLog && m.classification == .matched)
    }

    @Test func aWholeLogWithoutACountEndsTheSearch() throws {
        let dir = try KubeTestSupport.makeTempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let marker = dir.appendingPathComponent("calls").path
        let script = try KubeTestSupport.writeScript(
            """
            case "$*" in
              *--tail=*) echo "$*" >> \(marker); echo "starting up" ;;
              *) exec sleep 20 ;;
            esac
            """, in: dir)
        let template = CommandTemplate([script, "logs", "{pod}", "--since-time={start}", "-f"])
        let c = try LogSourceTests.collector([.command(template: template, pods: ["ws-0"])])
        c.start()
        defer { c.stop() }
        #expect(c.searchMissingBaselines(tails: [100, 1_000, 10_000], timeout: 5).isEmpty)
        // One line is less than 100: the whole log was read, so no bigger tail was tried.
        let calls = (try? String(contentsOfFile: marker, encoding: .utf8)) ?? ""
        #expect(calls.split(separator: "\n").count == 1)
    }

    @Test func aPrefixedStreamIsSearchedPerPod() throws {
        let dir = try KubeTestSupport.makeTempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Following prints ws-1's start line only; the earlier log has counts for both pods.
        let script = try KubeTestSupport.writeScript(
            """
            case "$*" in
              *--tail=*) echo "[pod/ws-0/app] 2026-12-01T08:00:00.000000000Z Active connections: 12"
                         echo "[pod/ws-1/app] 2026-12-01T08:00:00.000000000Z Active connections: 4"
                         echo "[pod/ws-0/app] 2026-12-01T08:00:05.000000000Z Active connections: 13" ;;
              *) echo "[pod/ws-1/app] 2026-12-02T04:25:11.000000000Z Active connections: 5"; exec sleep 20 ;;
            esac
            """, in: dir)
        let template = CommandTemplate([script, "logs", "-l", "{selector}", "--prefix", "--since-time={start}", "-f"])
        let c = try LogSourceTests.collector([.stream(command: template)])
        c.follow(phases: RunPhaseClock())
        c.start()
        defer { c.stop() }
        c.waitForInitialOutput(quiet: 0.2, timeout: 2)
        #expect(c.searchMissingBaselines(tails: [100], timeout: 5) == ["ws-0"])
        let byPod = Dictionary(uniqueKeysWithValues: c.snapshot().map { ($0.pod, $0.samples.map { "\($0.activeConnections)/\($0.phase!)" }) })
        #expect(byPod["ws-0"] == ["13/history"])
        #expect(byPod["ws-1"] == ["5/before"])  // it printed its own count under --since-time: no search
    }

    @Test func theSearchStaysWithinItsBudget() throws {
        let dir = try KubeTestSupport.makeTempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // A slow API server: every --tail call hangs.
        let script = try KubeTestSupport.writeScript("exec sleep 20", in: dir)
        let template = CommandTemplate([script, "logs", "{pod}", "--since-time={start}", "-f"])
        let c = try LogSourceTests.collector([.command(template: template, pods: (0..<12).map { "ws-\($0)" })])
        c.start()
        defer { c.stop() }
        let started = Date()
        #expect(c.searchMissingBaselines(tails: [100, 1_000], timeout: 5, budget: 0.5).isEmpty)
        #expect(Date().timeIntervalSince(started) < 3)
    }
}
