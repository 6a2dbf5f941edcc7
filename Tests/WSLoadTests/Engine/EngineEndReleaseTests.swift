import Testing

@testable import WSLoad

/// When a run returns, nothing of its connections is left in the I/O queues: their last deadlines' wheel entries
/// (which kept each ended connection alive for up to a revolution) are dropped before the report is built, so the
/// heap trim that follows can give their memory back.
@Suite(.serialized) struct EngineEndReleaseTests {
    @Test func noWheelEntryOutlivesTheRun() throws {
        let cluster = try LocalCluster(pods: 1, policy: nil)
        defer { cluster.shutdown() }
        var plan = RunPlan(url: cluster.url, clients: 40, connectionsPerClient: 1)
        plan.cookiePolicy = .none
        plan.hold = 0.3
        let engine = try LoadEngine(plan: plan)
        let result = engine.run()
        #expect(result.held == 40 && result.failed == 0)
        // Each close armed a close deadline seconds away (closeTimeout), well within one wheel revolution.
        #expect(engine.wheelEntries == 0)
    }
}
