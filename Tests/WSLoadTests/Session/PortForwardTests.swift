import Dispatch
import Foundation
import Testing

@testable import WSLoad

/// `wsload portforward` against real processes: in-process pod servers, `socat` as the `kubectl port-forward`
/// stand-in (through a fake `kubectl` script that maps `pod/ws-N` to that pod's port), and the supervision paths.
@Suite(.serialized) struct PortForwardTests {
    /// Pods plus a fake kubectl that `exec`s socat to the right pod, so the forward's pid is socat's.
    final class Fixture: @unchecked Sendable {
        let cluster: LocalCluster
        let directory: URL
        let kubectl: String

        init(pods: Int, capacity: Int? = nil) throws {
            // socat is required: fail loudly (not skip) when it is missing; scripts/test installs it.
            try TestTools.require("socat")
            cluster = try LocalCluster(pods: pods, policy: nil, capacity: capacity)
            directory = try KubeTestSupport.makeTempDirectory()
            let cases = cluster.podAddresses.enumerated().map { "  ws-\($0.offset)) port=\($0.element.port);;" }.joined(separator: "\n")
            kubectl = try KubeTestSupport.writeScript(
                """
                # fake kubectl: kubectl port-forward -n NS pod/NAME LOCAL:REMOTE
                for a in "$@"; do
                  case "$a" in
                    pod/*) pod=${a#pod/};;
                    *:*) local=${a%%:*};;
                  esac
                done
                case "$pod" in
                \(cases)
                  *) echo "error: pods \\"$pod\\" not found" >&2; exit 1;;
                esac
                echo "Forwarding from 127.0.0.1:$local -> $port"
                exec socat TCP-LISTEN:$local,bind=127.0.0.1,reuseaddr,fork,backlog=512 TCP:127.0.0.1:$port
                """, in: directory)
        }

        func plan(
            target: Int, step: Int, stepInterval: Double = 0.02, hold: Double = 0.1, parallel: Bool = false,
            restart: PortForwardBackoff = PortForwardBackoff(maxRestarts: 3, initialBackoff: 0.1, maxBackoff: 1, jitter: 0.2)
        )
            -> PortForwardPlan
        {
            PortForwardPlan(
                command: CommandTemplate([kubectl, "port-forward", "-n", "{namespace}", "pod/{pod}", "{localPort}:{remotePort}"]),
                remotePort: 8080, target: target, step: step, stepInterval: stepInterval, hold: hold, parallel: parallel,
                readyTimeout: 5, restart: restart, connectTimeout: 3, upgradeTimeout: 3, closeTimeout: 2)
        }

        deinit {
            cluster.shutdown()
            try? FileManager.default.removeItem(at: directory)
        }
    }

    /// Every forward started (and every process of its group) is gone.
    static func expectNoSurvivors(_ runner: PortForwardRunner, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!runner.startedProcessIDs.isEmpty, sourceLocation: sourceLocation)
        for pid in runner.startedProcessIDs {
            #expect(KubeTestSupport.isGone(pid), "forward \(pid) still exists", sourceLocation: sourceLocation)
            #expect(ProcessGroupScan.liveMembers(of: pid).isEmpty, "process group \(pid) still has live members", sourceLocation: sourceLocation)
        }
    }

    @Test func capacityFoundPerPodWithServer503() throws {
        let fixture = try Fixture(pods: 2, capacity: 23)
        let runner = PortForwardRunner(plan: fixture.plan(target: 100, step: 10), pods: ["ws-0", "ws-1"])
        let report = runner.run()
        for pod in report.pods {
            #expect(pod.stopReason == .server503, "\(pod.pod): \(pod.stopDetail ?? "")")
            #expect(pod.capacity == 23, "\(pod.pod)")
            #expect(pod.restarts == 0 && pod.starts == 1)
            #expect(pod.steps.map(\.openAfter) == [10, 20, 23])
            #expect(pod.failureBuckets == ["upgrade: HTTP 503": 7])
            #expect(pod.stopDetail?.hasPrefix("7 × upgrade: HTTP 503") == true)
            #expect(pod.readySeconds != nil && pod.upgradeP50Ms != nil && pod.upgradeP99Ms! >= pod.upgradeP50Ms!)
            #expect(pod.forwardOutput.first?.hasPrefix("Forwarding from 127.0.0.1:\(pod.localPort)") == true)
            #expect(pod.handshakes == 23 && pod.failures == 7)
        }
        #expect(report.pods.map(\.pod) == ["ws-0", "ws-1"])
        #expect(Set(report.pods.map(\.localPort)).count == 2)
        #expect(report.exitCode == .passed && !report.interrupted)
        Self.expectNoSurvivors(runner)
        // What the pods saw: 23 accepted each, the rest refused with 503, all closed again.
        #expect(KubeTestSupport.waitUntil(timeout: 5) { fixture.cluster.pods.allSatisfy { $0.activeConnections == 0 } })
        #expect(fixture.cluster.pods.allSatisfy { $0.rejectedConnections == 7 })
    }

    @Test func targetReachedBelowCapacity() throws {
        let fixture = try Fixture(pods: 1, capacity: 50)
        let runner = PortForwardRunner(plan: fixture.plan(target: 25, step: 10, hold: 0.3), pods: ["ws-0"])
        let report = runner.run()
        let pod = try #require(report.pods.first)
        #expect(pod.stopReason == .targetReached && pod.stopDetail == nil)
        #expect(pod.capacity == 25 && pod.steps.map(\.requested) == [10, 10, 5])
        #expect(pod.failures == 0 && pod.droppedDuringHold == 0 && pod.heldSeconds >= 0.29)
        #expect(report.exitCode == .passed)
        Self.expectNoSurvivors(runner)
    }

    @Test func minCapacityFailsTheRun() throws {
        let fixture = try Fixture(pods: 1, capacity: 5)
        var plan = fixture.plan(target: 20, step: 10)
        plan.minCapacity = 10
        let runner = PortForwardRunner(plan: plan, pods: ["ws-0"])
        let report = runner.run()
        #expect(report.pods[0].capacity == 5 && report.pods[0].stopReason == .server503)
        #expect(report.exitCode == .gateFailed)
        #expect(report.failingPods.map(\.why) == ["capacity 5 is below --min-capacity 10"])
        Self.expectNoSurvivors(runner)
    }

    @Test func killedForwardIsRestartedAndCounted() throws {
        let fixture = try Fixture(pods: 1)
        let killed = Locked<[Int32]>([])
        let current = Locked<Int32>(0)
        let runner = PortForwardRunner(plan: fixture.plan(target: 40, step: 10, stepInterval: 0.15), pods: ["ws-0"]) { event in
            switch event {
            case .forwardStarted(_, let pid, _, _):
                current.withLock { $0 = pid }
            case .step(_, let open, _) where open >= 20:
                // Kill the running forward (socat) once, mid-ramp, like a dying kubectl.
                killed.withLock { list in
                    guard list.isEmpty else { return }
                    let pid = current.current
                    list.append(pid)
                    kill(pid, SIGKILL)
                }
            default: break
            }
        }
        let report = runner.run()
        let pod = try #require(report.pods.first)
        #expect(killed.current.count == 1)
        #expect(pod.restarts == 1 && pod.starts == 2, "\(pod)")
        #expect(pod.stopReason == .targetReached)
        #expect(pod.capacity == 40)
        #expect(pod.readyTimes.count == 2)
        #expect(pod.forwardExits.first?.contains("signal 9") == true, "\(pod.forwardExits) \(pod.steps) \(pod.elapsedSeconds)")
        #expect(runner.startedProcessIDs.count == 2 && runner.startedProcessIDs[0] == killed.current[0])
        #expect(report.exitCode == .passed)
        Self.expectNoSurvivors(runner)
        // The killed socat's fork children (which carried the first ramp's connections) were stopped too.
        #expect(KubeTestSupport.waitUntil(timeout: 5) { fixture.cluster.pods[0].activeConnections == 0 })
    }

    @Test func forwardThatAlwaysExitsEndsWithForwardDiedAfterBackoff() throws {
        let restart = PortForwardBackoff(maxRestarts: 3, initialBackoff: 0.1, maxBackoff: 1, jitter: 0.5)
        let plan = PortForwardPlan(
            command: ["sh", "-c", "echo 'error: unable to forward port' >&2; exit 3", "{pod}"], target: 10, step: 5,
            readyTimeout: 2, restart: restart)
        let runner = PortForwardRunner(plan: plan, pods: ["ws-0"])
        let start = DispatchTime.now()
        let report = runner.run()
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        let pod = try #require(report.pods.first)
        #expect(pod.stopReason == .forwardDied)
        #expect(pod.restarts == 3 && pod.starts == 4)
        let minimum = (0..<3).map { restart.minimumDelay(attempt: $0) }.reduce(0, +)
        #expect(abs(minimum - 0.35) < 1e-9)
        #expect(elapsed >= minimum, "elapsed \(elapsed) s < sum of minimum backoffs \(minimum) s")
        #expect(pod.stopDetail == "the forward exited before its port accepted: exit status 3: error: unable to forward port")
        #expect(pod.forwardExits.count == 4 && pod.capacity == 0 && pod.readySeconds == nil)
        #expect(report.exitCode == .gateFailed)
        #expect(report.failingPods.first?.why == "the forward kept dying (3 restarts)")
        Self.expectNoSurvivors(runner)
    }

    @Test func forwardThatNeverAcceptsEndsNotReady() throws {
        let plan = PortForwardPlan(
            command: ["sleep", "30"], target: 10, step: 5, readyTimeout: 0.3,
            restart: PortForwardBackoff(maxRestarts: 1, initialBackoff: 0.05, maxBackoff: 0.05, jitter: 0))
        let runner = PortForwardRunner(plan: plan, pods: ["ws-0"])
        let report = runner.run()
        #expect(report.pods[0].stopReason == .notReady && report.pods[0].restarts == 1)
        #expect(report.pods[0].stopDetail?.hasSuffix("did not accept within 300ms") == true)
        #expect(report.exitCode == .gateFailed)
        Self.expectNoSurvivors(runner)
    }

    @Test func parallelRunsPodsConcurrently() throws {
        let fixture = try Fixture(pods: 2)
        /// Runs both pods and notes, for each step event, which pod stepped, in the order the steps happened.
        func timed(_ parallel: Bool) -> (PortForwardReport, Double, PortForwardRunner, [String]) {
            let order = Locked<[String]>([])
            let runner = PortForwardRunner(
                plan: fixture.plan(target: 30, step: 10, stepInterval: 0.25, hold: 0.25, parallel: parallel),
                pods: ["ws-0", "ws-1"]
            ) { event in
                if case .step(let pod, _, _) = event { order.withLock { $0.append(pod) } }
            }
            let start = DispatchTime.now()
            let report = runner.run()
            return (report, Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9, runner, order.current)
        }
        let (sequential, sequentialSeconds, r1, sequentialOrder) = timed(false)
        let (parallel, parallelSeconds, r2, parallelOrder) = timed(true)
        for report in [sequential, parallel] {
            #expect(report.pods.map(\.stopReason) == [.targetReached, .targetReached])
            #expect(report.pods.map(\.capacity) == [30, 30])
        }
        #expect(parallel.settings.parallel && !sequential.settings.parallel)
        // In parallel both pods' steps (0.25 s apart, three each) interleave in time; one after the other they
        // cannot. That is the proof of concurrency: comparing wall-clock totals failed on a loaded machine, where
        // start-up dominates both runs.
        func interleaved(_ order: [String]) -> Bool {
            guard let lastOfFirst = order.lastIndex(of: "ws-0"), let firstOfSecond = order.firstIndex(of: "ws-1") else { return false }
            return firstOfSecond < lastOfFirst
        }
        #expect(sequentialOrder == ["ws-0", "ws-0", "ws-0", "ws-1", "ws-1", "ws-1"], "sequential \(sequentialSeconds) s")
        #expect(interleaved(parallelOrder), "parallel \(parallelSeconds) s: steps in order \(parallelOrder)")
        Self.expectNoSurvivors(r1)
        Self.expectNoSurvivors(r2)
    }

    @Test func cancelStopsEverythingAndMarksTheReportInterrupted() throws {
        let fixture = try Fixture(pods: 2)
        let runnerBox = Locked<PortForwardRunner?>(nil)
        let runner = PortForwardRunner(plan: fixture.plan(target: 1000, step: 10, stepInterval: 0.1, hold: 10), pods: ["ws-0", "ws-1"]) { event in
            if case .step(_, let open, _) = event, open >= 20 { runnerBox.current?.cancel() }
        }
        runnerBox.withLock { $0 = runner }
        let start = DispatchTime.now()
        let report = runner.run()
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        #expect(report.interrupted && report.exitCode == .runIncomplete)
        #expect(report.pods[0].stopReason == .interrupted && report.pods[0].capacity == 20)
        #expect(report.pods[1].stopReason == .interrupted && report.pods[1].starts == 0)
        #expect(elapsed < 5)
        Self.expectNoSurvivors(runner)
        runnerBox.withLock { $0 = nil }
    }

    @Test func backoffIsCappedExponentialWithJitter() {
        let b = PortForwardBackoff(maxRestarts: 5, initialBackoff: 0.5, maxBackoff: 10, jitter: 0.2)
        #expect((0..<7).map { b.base(attempt: $0) } == [0.5, 1, 2, 4, 8, 10, 10])
        #expect(b.delay(attempt: 0, random: 0) == 0.4 && b.delay(attempt: 0, random: 1) == 0.5)
        #expect(abs(b.minimumDelay(attempt: 4) - 6.4) < 1e-9)
        for attempt in 0..<8 {
            let d = b.delay(attempt: attempt)
            #expect(d >= b.minimumDelay(attempt: attempt) && d <= b.base(attempt: attempt))
        }
        #expect(PortForwardBackoff(jitter: 0).delay(attempt: 1, random: 0.9) == 1)
    }

    @Test func stepFailuresAreClassified() {
        func f(_ kind: ConnectionFailure.Kind, errno: Int32? = nil, status: Int? = nil, phase: ConnectionPhase = .upgrade) -> ConnectionFailure {
            ConnectionFailure(phase: phase, kind: kind, errno: errno, httpStatus: status, message: "x")
        }
        #expect(PortForwardStopReason.classify([f(.httpStatus, status: 503), f(.timeout)]).reason == .server503)
        #expect(PortForwardStopReason.classify([f(.system, errno: ECONNREFUSED, phase: .tcpConnect)]).reason == .refused)
        #expect(PortForwardStopReason.classify([f(.timeout)]).reason == .timeout)
        #expect(PortForwardStopReason.classify([f(.httpStatus, status: 404)]).reason == .httpError)
        #expect(PortForwardStopReason.classify([f(.peerClosed)]).reason == .peerClosed)
        #expect(PortForwardStopReason.classify([f(.tls)]).reason == .error)
        #expect(
            PortForwardStopReason.classify([f(.timeout), f(.timeout), f(.httpStatus, status: 404)]).detail
                == "2 × upgrade: timeout, 1 × upgrade: HTTP 404; first: upgrade failed: x")
    }

    @Test func reportRoundTripsAndRenders() throws {
        var pod = PortForwardPodResult(pod: "ws-0", localPort: 40000, command: ["kubectl"], target: 100)
        pod.capacity = 42
        pod.stopReason = .server503
        pod.stopDetail = "8 × upgrade: HTTP 503"
        pod.readySeconds = 0.012
        pod.upgradeP50Ms = 1.5
        pod.upgradeP99Ms = 12.25
        let report = PortForwardReport(
            profile: "portforward-capacity", started: "2026-01-01T00:00:00Z", durationSeconds: 3,
            settings: .init(PortForwardPlan(remotePort: 8080, target: 100)), pods: [pod], interrupted: false)
        let data = try report.jsonData()
        #expect(try JSONDecoder().decode(PortForwardReport.self, from: data) == report)
        let json = String(decoding: data, as: UTF8.self)
        #expect(json.contains(#""stopReason" : "server-503""#) && json.contains(#""kind" : "wsload.portforward""#))
        let table = report.renderTable()
        #expect(table.contains("ws-0") && table.contains("server-503") && table.contains("1.50 ms") && table.contains("12.2 ms"))
        #expect(table.contains("ws-0: server-503: 8 × upgrade: HTTP 503"))
        #expect(table.hasSuffix("result: every pod reached its target or found its limit cleanly"))
    }

    @Test func planFromProfile() throws {
        let profile = try ProfileLoader.load(path: "builtin:portforward-capacity")
        var plan = PortForwardPlan(profile: profile)
        #expect(plan.command.arguments == Profile.PortForwardSection.defaultCommand)
        plan.remotePort = 8080
        #expect(try plan.argv(pod: "ws-1", localPort: 41000) == ["kubectl", "port-forward", "-n", "default", "pod/ws-1", "41000:8080"])
    }
}
