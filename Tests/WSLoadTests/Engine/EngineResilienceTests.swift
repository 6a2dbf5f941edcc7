import Foundation
import Testing

@testable import WSLoad

/// Reconnects, failover measurement, half-open detection and idle-timeout detection against local pods.
@Suite(.serialized) struct EngineResilienceTests {
    /// Runs `plan` and calls `during` once the hold has started.
    private func run(_ plan: RunPlan, after delay: Double = 0.3, during: @escaping @Sendable () -> Void) throws -> EngineResult {
        let engine = try LoadEngine(plan: plan)
        let fired = Locked(false)
        return engine.run(progressInterval: 0.05) { snap in
            guard snap.phase == .hold,
                !fired.withLock({
                    let f = $0; $0 = true; return f
                })
            else { return }
            // A plain thread, not the global queue: under a loaded parallel test run the global pool can be
            // starved by blocked workers, delaying the fault past the end of the hold.
            Thread.detachNewThread {
                usleep(UInt32(delay * 1_000_000)); during()
            }
        }
    }

    @Test func killedPodTriggersReconnectsThatLandElsewhereWithDisruptionMeasured() throws {
        let cluster = try LocalCluster(pods: 3, policy: .cookie)
        defer { cluster.shutdown() }
        var plan = RunPlan(url: cluster.url, clients: 6, connectionsPerClient: 3)
        plan.attribution = AttributionRules(headers: ["X-Pod-Name"], cookieName: "SERVERID")
        plan.reconnect = ReconnectPolicy(maxRetries: 5, initialBackoff: 0.05, maxBackoff: 0.4, jitter: 0.2)
        plan.hold = 3  // generous: under CI load reconnects must still finish inside the hold
        plan.timelineInterval = 0.1
        let result = try run(plan) { cluster.pods[0].crash() }
        let onCrashed = result.records.filter { $0.previousPods.contains("ws-0") }
        #expect(!onCrashed.isEmpty)
        #expect(result.held == 18, "every connection came back")
        for r in onCrashed {
            #expect(r.reconnects == 1)
            #expect(r.pod != "ws-0")
            #expect(r.disruptionsMs.count == 1 && r.disruptionsMs[0] > 0 && r.disruptionsMs[0] < 2500)
        }
        // Each dropped connection was redispatched on its own (as HAProxy's `option redispatch` does), so a
        // client's connections may now be split: the report says so instead of assuming affinity held.
        #expect(onCrashed.allSatisfy { $0.failure?.phase == .open && $0.failure?.closeCode == 1006 })
        let summary = try #require(ResilienceSummary.summarise(result.records))
        #expect(summary.reconnects == onCrashed.count)
        #expect(summary.lost == 0)
        #expect(summary.moves.allSatisfy { $0.from == "ws-0" && $0.to != "ws-0" })
        #expect(summary.moves.reduce(0) { $0 + $1.count } == onCrashed.count)
        #expect(summary.disruptionMaxMs != nil)
        // The timeline shows ws-0 emptied and the others took the load.
        let last = try #require(result.timeline.last { $0.phase == "hold" })
        #expect(last.perPod["ws-0", default: 0] == 0)
        #expect(last.perPod.values.reduce(0, +) == 18)
        #expect(result.timeline.contains { $0.perPod["ws-0", default: 0] > 0 })
    }

    @Test func gracefulDrainClosesWith1001AndClientsReconnect() throws {
        let cluster = try LocalCluster(pods: 2, policy: .sourceHash)
        defer { cluster.shutdown() }
        var plan = RunPlan(url: cluster.url, clients: 8, connectionsPerClient: 1)
        plan.sources = sources(2...9)
        plan.cookiePolicy = .none
        plan.reconnect = ReconnectPolicy(maxRetries: 3, initialBackoff: 0.05, maxBackoff: 0.2, jitter: 0)
        plan.hold = 2.5
        let result = try run(plan) { cluster.pods[1].drain(timeout: 1) }
        let moved = result.records.filter { $0.reconnects > 0 }
        #expect(result.held == 8)
        #expect(!moved.isEmpty)
        #expect(
            moved.allSatisfy { $0.failure?.closeCode == 1001 && $0.pod == "ws-0" && $0.previousPods == ["ws-1"] },
            "\(moved.map { ($0.failure?.closeCode, $0.pod, $0.previousPods) })")
    }

    @Test func withoutReconnectADropIsFinalAndAccounted() throws {
        let cluster = try LocalCluster(pods: 2, policy: AffinityPolicy.none)
        defer { cluster.shutdown() }
        var plan = RunPlan(url: cluster.url, clients: 6, connectionsPerClient: 1)
        plan.cookiePolicy = .none
        plan.hold = 0.8
        let result = try run(plan) { cluster.pods[0].crash() }
        #expect(result.attempted == 6)
        #expect(result.established == result.held + result.dropped)
        #expect(result.dropped == 3)
        #expect(result.records.filter { $0.status == .dropped }.allSatisfy { $0.failure?.phase == .open && $0.failure?.kind == .peerClosed })
    }

    @Test func halfOpenPathIsDetectedByThePongDeadline() throws {
        let cluster = try LocalCluster(pods: 1, policy: AffinityPolicy.none)
        defer { cluster.shutdown() }
        var plan = RunPlan(url: cluster.url, clients: 4, connectionsPerClient: 1)
        plan.cookiePolicy = .none
        plan.pingInterval = 0.2
        plan.pongTimeout = 0.3
        plan.hold = 1.5
        let result = try run(plan) { cluster.front!.blackhole() }
        #expect(result.dropped == 4)
        for r in result.records {
            #expect(r.failure?.kind == .pongTimeout)
            // Detected within ping interval + pong deadline (+ timer-wheel slack) of the last data.
            let silent = try #require(r.silentForMsAtDetection)
            #expect(silent >= 300 && silent < 700, "silent \(silent) ms")
        }
        let summary = try #require(ResilienceSummary.summarise(result.records))
        #expect(summary.halfOpenDetections == 4)
    }

    @Test func proxyIdleTimeoutIsRecognised() throws {
        let cluster = try LocalCluster(pods: 2, policy: AffinityPolicy.none, idleTimeout: 2.2)
        defer { cluster.shutdown() }
        var plan = RunPlan(url: cluster.url, clients: 8, connectionsPerClient: 1)
        plan.cookiePolicy = .none
        plan.hold = 3.2
        let result = try LoadEngine(plan: plan).run()
        #expect(result.dropped == 8)
        let finding = try #require(ResilienceSummary.summarise(result.records)?.idleTimeout)
        #expect(finding.connections == 8)
        #expect(abs(finding.ageSeconds - 2.2) < 0.3)
        #expect(finding.message.contains("idle timeout"))
    }

    @Test(arguments: [
        ([60.1, 60.0, 60.2, 59.9, 60.05, 12.0], 5, 60.0),
        ([1.0, 1.1, 1.2, 1.0, 1.05], 0, 0.0),  // too young: not an idle timeout
        ([10.0, 20.0, 30.0, 40.0, 50.0, 60.0], 0, 0.0),  // spread out: no cluster
    ])
    func idleTimeoutDetector(ages: [Double], expected: Int, age: Double) {
        let f = IdleTimeoutDetector().detect(agesAtDrop: ages)
        if expected == 0 {
            #expect(f == nil)
        } else {
            #expect(f?.connections == expected)
            #expect(abs((f?.ageSeconds ?? 0) - age) < 0.2)
        }
    }

    @Test func reconnectBackoffIsCappedExponentialWithJitter() {
        let p = ReconnectPolicy(maxRetries: 10, initialBackoff: 0.5, maxBackoff: 10, jitter: 0.2)
        #expect(p.delay(attempt: 0, random: 1) == 0.5)
        #expect(p.delay(attempt: 0, random: 0) == 0.4)
        #expect(p.delay(attempt: 3, random: 1) == 4)
        #expect(p.delay(attempt: 10, random: 1) == 10)
        #expect(p.delay(attempt: 10, random: 0) == 8)
    }
}
