import Foundation
import Testing

@testable import WSLoad

/// `clients.lifetime` on loopback: connections close themselves cleanly at their age and reopen from the same
/// virtual client, and both sides count the same opens.
@Suite(.serialized) struct EngineLifetimeTests {
    @Test func connectionsRecycleAtTheirAgeWithoutDropsAndTheServerCountsAgree() throws {
        let cluster = try LocalCluster(pods: 1, policy: nil)
        defer { cluster.shutdown() }
        var plan = RunPlan(url: cluster.url, clients: 20, connectionsPerClient: 1)
        plan.cookiePolicy = .none
        plan.hold = 3.75
        plan.timelineInterval = 0.25
        plan.lifetime = ConnectionLifetime(age: 1)
        let result = try LoadEngine(plan: plan).run()
        // A life is armed only if age + 0.25 s guard < what is left of the hold, i.e. when armed before 2.5 s. Opened
        // at ≈0 s, lives are armed at ≈0, 1, 2 s and end at ≈1, 2, 3 s; the reopen at ≈3 s is not armed again: 3
        // recycles — 4 only if the ramp took long (lives armed during the ramp count the whole hold as left), 2 when
        // a loaded machine (a full parallel test run on 2 cores) reopened the second lives more than 0.5 s late.
        // Either way the first two lives (1.5 s clear of the guard) end at their age, and none goes past 4.
        let recycles = result.records.map(\.recycles)
        let recycledOverTime = result.timeline.map { "\($0.phase)@\(String(format: "%.2f", $0.t)):\($0.recycled ?? 0)" }
        #expect(recycles.allSatisfy { (2...4).contains($0) }, "\(recycles); cumulative recycles over the run: \(recycledOverTime)")
        // The first wave of reopens comes at the age (1 s after the ≈0 s opens), not before.
        let firstWave = result.timeline.first { ($0.recycled ?? 0) > 0 }?.t ?? 0
        #expect(firstWave >= 1 && firstWave < 2, "\(recycledOverTime)")
        #expect(result.failed == 0 && result.dropped == 0 && result.held == 20)
        #expect(result.attempted == result.failed + result.dropped + result.held)
        #expect(result.records.allSatisfy { $0.reconnects == 0 && $0.failure == nil && $0.recycledFromPods.count == $0.recycles })
        #expect(result.records.allSatisfy { $0.recycledFromPods.allSatisfy { $0 == "ws-0" } && $0.pod == "ws-0" })
        // The timeline's cumulative count ends at the total.
        let total = recycles.reduce(0, +)
        #expect(result.timeline.last?.recycled == total)
        #expect(result.timeline.map { $0.recycled ?? 0 } == result.timeline.map { $0.recycled ?? 0 }.sorted(), "cumulative")
        // The pod saw every open: the 20 first opens and every reopen, all ended after the close.
        let deadline = Date().addingTimeInterval(2)
        while cluster.pods[0].counts.active > 0 && Date() < deadline { usleep(20_000) }
        let counts = cluster.pods[0].counts
        #expect(counts.accepted == 20 + total && counts.closed == counts.accepted && counts.active == 0, "\(counts)")
        // The report's totals carry it; nothing counts as a drop.
        let report = ReportBuilder.build(result: result, context: ReportContext(profileName: "t", target: plan.url.description))
        #expect(report.totals.recycled == total && report.totals.dropped == 0 && report.resilience == nil)
    }

    @Test func withoutALifetimeNothingRecycles() throws {
        let cluster = try LocalCluster(pods: 1, policy: nil)
        defer { cluster.shutdown() }
        var plan = RunPlan(url: cluster.url, clients: 4, connectionsPerClient: 1)
        plan.cookiePolicy = .none
        plan.hold = 0.6
        let result = try LoadEngine(plan: plan).run()
        #expect(result.records.allSatisfy { $0.recycles == 0 } && result.held == 4)
        #expect(cluster.pods[0].counts.accepted == 4)
    }
}
