import Foundation
import Testing

@testable import WSLoad

/// The run planner's split decision: one process, worker processes, or a usage error (worked from the rule: no
/// process holds more than its descriptor limit minus the plan's reserve; a shard runs in one process).
@Suite struct RunSplitTests {
    static func budget(_ fds: Int) -> ResourceBudget { ResourceBudget(fdSoftLimit: fds, fdHardLimit: fds, portRange: 32768...60999) }
    static func plan(clients: Int, per: Int, reserve: Int = 64) throws -> RunPlan {
        var p = RunPlan(url: try WebSocketURL("ws://127.0.0.1:9/"), clients: clients, connectionsPerClient: per)
        p.fdReserve = reserve
        return p
    }

    @Test func aPlanThatFitsStaysInOneProcess() throws {
        // 1 000 usable descriptors, 1 000 connections.
        #expect(try RunSplit.decide(plan: Self.plan(clients: 1000, per: 1), requestedWorkers: nil, budget: Self.budget(1064)) == RunSplit(workers: 1))
        // Asked for more workers than needed: they are used, without a note.
        #expect(try RunSplit.decide(plan: Self.plan(clients: 10, per: 1), requestedWorkers: 3, budget: Self.budget(1064)) == RunSplit(workers: 3))
    }

    @Test func aPlanBeyondTheLimitIsSplitWithANote() throws {
        // 2 500 connections over 1 000 usable: 3 processes (each of the 3 shards holds 834 or 833 clients).
        let split = try RunSplit.decide(plan: Self.plan(clients: 2500, per: 1), requestedWorkers: nil, budget: Self.budget(1064))
        #expect(split.workers == 3)
        #expect(
            split.note == "The plan needs 2500 connections but one process may open only 1000 (file-descriptor limit 1064 minus a reserve of 64): "
                + "the run was split over 3 worker processes.")
        // `--workers 2` is not enough: the need wins.
        #expect(try RunSplit.decide(plan: Self.plan(clients: 2500, per: 1), requestedWorkers: 2, budget: Self.budget(1064)).workers == 3)
        // 4 clients × 400 = 1 600 over 1 000 usable: 2 processes of 2 clients (800) each.
        #expect(try RunSplit.decide(plan: Self.plan(clients: 4, per: 400), requestedWorkers: nil, budget: Self.budget(1064)).workers == 2)
    }

    @Test func impossibleOrContradictoryRequestsAreUsageErrors() throws {
        // One client's 1 500 connections fit no process of 1 000.
        let tooBig = #expect(throws: RunSessionError.self) {
            try RunSplit.decide(plan: Self.plan(clients: 2, per: 1500), requestedWorkers: nil, budget: Self.budget(1064))
        }
        #expect(tooBig?.exitCode == .usageError)
        #expect(tooBig?.message.contains("one virtual client opens 1500 connections but one process may open only 1000") == true)
        let zero = #expect(throws: RunSessionError.self) {
            try RunSplit.decide(plan: Self.plan(clients: 1, per: 1), requestedWorkers: 0, budget: Self.budget(1064))
        }
        #expect(zero?.message == "--workers 0: expected 1 or more" && zero?.exitCode == .usageError)
        var sharded = try Self.plan(clients: 10, per: 1)
        sharded.shard = ShardSpec(index: 0, count: 2)
        let both = #expect(throws: RunSessionError.self) { try RunSplit.decide(plan: sharded, requestedWorkers: 2, budget: Self.budget(1064)) }
        #expect(both?.message.hasPrefix("--shard and --workers do not combine") == true)
    }

    @Test func aShardRunsInOneProcessWhateverItsSize() throws {
        var sharded = try Self.plan(clients: 5000, per: 1)
        sharded.shard = ShardSpec(index: 1, count: 2)
        #expect(try RunSplit.decide(plan: sharded, requestedWorkers: nil, budget: Self.budget(1064)) == RunSplit(workers: 1))
        #expect(try RunSplit.decide(plan: sharded, requestedWorkers: 1, budget: Self.budget(1064)) == RunSplit(workers: 1))
    }
}
