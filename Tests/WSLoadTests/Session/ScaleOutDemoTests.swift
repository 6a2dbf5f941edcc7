import Foundation
import Testing

@testable import WSLoad

/// `wsload demo --scenario scale-out`: 3 → 5 pods behind the local front, without and with `clients.lifetime`.
@Suite(.serialized) struct ScaleOutDemoTests {
    @Test func churnMovesConnectionsOntoTheAddedPodsAndLongLivedOnesStay() throws {
        var options = LocalDemo.Options()
        options.hold = 5  // shorter than the demo's 7 s; every connection still ends at least one life after the event at 2 s
        let outcome = try LocalDemo(options: options).runScaleOut { _ in nil }
        let (without, with) = outcome.shares
        #expect(outcome.demonstrated, "new pods' share: \(String(describing: without)) / \(String(describing: with))")
        // Round robin over 5 pods after the event: 2 of every 5 reopens go to ws-3 and ws-4 (40 %).
        #expect(without == 0)
        #expect((with ?? 0) >= 30 && (with ?? 100) <= 50)
        for o in [outcome.withoutChurn, outcome.withChurn] {
            #expect(o.report.totals.attempted == 30 && o.report.totals.held == 30 && o.report.totals.dropped == 0)
            #expect(o.report.events?.first?.outcome.isSuccess == true, "the event ran")
            #expect(o.report.scaleOut?.newPods == ["ws-3", "ws-4"])
        }
        #expect(outcome.withoutChurn.report.totals.recycled == 0 && outcome.withChurn.report.totals.recycled >= 30)
        #expect(!outcome.withoutChurn.report.gate.passed && outcome.withChurn.report.gate.passed, "min_new_pod_share 30")
    }

    @Test func aParkedBackendGetsNothingUntilUnparked() throws {
        let cluster = try LocalCluster(pods: 2, policy: AffinityPolicy.none)
        defer { cluster.shutdown() }
        let front = try #require(cluster.front)
        front.park(["ws-1"])
        var plan = RunPlan(url: cluster.url, clients: 4, connectionsPerClient: 1)
        plan.cookiePolicy = .none
        plan.hold = 0.1
        #expect(try LoadEngine(plan: plan).run().records.allSatisfy { $0.pod == "ws-0" })
        front.unpark(["ws-1"])
        #expect(Set(try LoadEngine(plan: plan).run().records.compactMap(\.pod)) == ["ws-0", "ws-1"])
    }
}
