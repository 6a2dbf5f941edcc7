import Foundation
import Testing

@testable import WSLoad

/// A worker's engine that holds together with others: its hold timer waits for ``LoadEngine/release()``, and a
/// release that never comes starts the hold after the bound, with a warning.
@Suite(.serialized) struct EngineHoldReleaseTests {
    /// Runs `clients` connections against one local pod with a hold of `hold` s that waits for the release at most
    /// `timeout` s; `releaseAfter` seconds into the run (nil: never) something releases it. Returns the result and
    /// how long after the run's start the hold began.
    static func run(clients: Int, hold: Double, timeout: Double, releaseAfter: Double?) throws -> (EngineResult, Double) {
        let cluster = try LocalCluster(pods: 1, policy: nil)
        defer { cluster.shutdown() }
        var plan = RunPlan(url: cluster.url, clients: clients, connectionsPerClient: 1)
        plan.cookiePolicy = .none
        plan.hold = hold
        let engine = try LoadEngine(plan: plan)
        engine.awaitRelease(timeout: timeout)
        let began = Date()
        if let releaseAfter { DispatchQueue.global().asyncAfter(deadline: .now() + releaseAfter) { engine.release() } }
        let result = engine.run()
        return (result, result.holdStartedAt.timeIntervalSince(began))
    }

    @Test func theHoldStartsAtTheReleaseNotAtTheEndOfTheRamp() throws {
        let (result, holdStart) = try Self.run(clients: 4, hold: 0.5, timeout: 30, releaseAfter: 1.2)
        // The 4 connections were up in well under a second; the hold began at the release (≈1.2 s) and lasted 0.5 s.
        let held = result.holdEndedAt.timeIntervalSince(result.holdStartedAt)
        #expect(holdStart >= 1.1 && holdStart < 3, "hold started \(holdStart) s after the run")
        #expect(held >= 0.45 && held < 1.5, "held \(held) s")
        #expect(result.held == 4 && result.failed == 0 && result.warnings.isEmpty, "\(result.warnings)")
    }

    @Test func aReleaseThatNeverComesStartsTheHoldAfterTheBoundAndSaysSo() throws {
        let (result, holdStart) = try Self.run(clients: 3, hold: 0.3, timeout: 0.8, releaseAfter: nil)
        #expect(holdStart >= 0.7 && holdStart < 3, "hold started \(holdStart) s after the run")
        #expect(result.held == 3)
        #expect(result.warnings.contains { $0.contains("without the parent's release") }, "\(result.warnings)")
    }
}
