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
        plan.hold = 2
        plan.timelineInterval = 0.25
        plan.lifetime = ConnectionLifetime(age: 0.5)
        let result = try LoadEngine(plan: plan).run()
        // Opened at ≈0 s, each life ends at ≈0.5, 1.0, 1.5 s; the one ending at ≈2.0 s would not leave its reopen
        // room before the hold ends (0.5 + 0.25 guard ≥ what is left), so 3 recycles — 4 if the ramp took long.
        let recycles = result.records.map(\.recycles)
        #expect(recycles.allSatisfy { (3...4).contains($0) }, "\(recycles)")
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
