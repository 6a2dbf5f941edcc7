import Foundation
import Testing

@testable import WSLoad

/// A worker's engine that holds together with others: its hold timer waits for ``LoadEngine/release()``, and a
/// release that never comes starts the hold after the bound, with a warning.
@Suite(.serialized) struct EngineHoldReleaseTests {
    @Test func theHoldStartsAtTheReleaseNotAtTheEndOfTheRamp() throws {
        let cluster = try LocalCluster(pods: 1, policy: nil)
        defer { cluster.shutdown() }
        var plan = RunPlan(url: cluster.url, clients: 4, connectionsPerClient: 1)
        plan.cookiePolicy = .none
        plan.hold = 0.5
        let engine = try LoadEngine(plan: plan)
        engine.awaitRelease(timeout: 30)
        let began = Date()
        DispatchQueue.global().asyncAfter(deadline: .now() + 1.2) { engine.release() }
        let result = try engine.run()
        // The 4 connections were up in well under a second; the hold began at the release (≈1.2 s) and lasted 0.5 s.
        let holdStart = result.holdStartedAt.timeIntervalSince(began), held = result.holdEndedAt.timeIntervalSince(result.holdStartedAt)
        #expect(holdStart >= 1.1 && holdStart < 3, "hold started \(holdStart) s after the run")
        #expect(held >= 0.45 && held < 1.5, "held \(held) s")
        #expect(result.held == 4 && result.failed == 0 && result.warnings.isEmpty, "\(result.warnings)")
    }

    @Test func aReleaseThatNeverComesStartsTheHoldAfterTheBoundAndSaysSo() throws {
        let cluster = try LocalCluster(pods: 1, policy: nil)
        defer { cluster.shutdown() }
        var plan = RunPlan(url: cluster.url, clients: 3, connectionsPerClient: 1)
        plan.cookiePolicy = .none
        plan.hold = 0.3
        let engine = try LoadEngine(plan: plan)
        engine.awaitRelease(timeout: 0.8)
        let began = Date()
        let result = try engine.run()
        let holdStart = result.holdStartedAt.timeIntervalSince(began)
        #expect(holdStart >= 0.7 && holdStart < 3, "hold started \(holdStart) s after the run")
        #expect(result.held == 3)
        #expect(result.warnings.contains { $0.contains("without the parent's release") }, "\(result.warnings)")
    }
}

/// The close of a run's end goes to each I/O queue in batches, not one block per connection.
@Suite struct CloseBatchTests {
    @Test func itemsAreGroupedByKeyInOrderAndCutIntoBatches() {
        let items: [Int?] = [1, nil, 2, 3, 4, nil, 5, 6, 7]
        // Key: odd or even. Odd first (1 appears first), each group in order, batches of 2.
        let batches = LoadEngine.batches(items, size: 2) { $0 % 2 }
        #expect(batches == [[1, 3], [5, 7], [2, 4], [6]])
        let none = LoadEngine.batches([Int?](), size: 2) { $0 }
        let single = LoadEngine.batches([1, 2, 3], size: 0) { _ in 0 }
        #expect(none.isEmpty)
        #expect(single == [[1], [2], [3]])
    }
}
