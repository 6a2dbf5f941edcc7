import Testing

@testable import WSLoad

/// The ramp pacer: token bucket, `max_in_flight`, TLS warm-up and held-back connections, driven by hand-picked times.
@Suite struct RampPacerTests {
    private let ms: UInt64 = 1_000_000

    private func pacer(
        clients: Int, perClient: Int = 1, holdBack: RampPacer.HoldBack = .none, rate: Double, maxInFlight: Int,
        tls: Bool = false
    ) -> RampPacer {
        var p = RampPacer(
            clients: Array(0..<clients), clientCount: clients, connectionsPerClient: perClient, holdBack: holdBack,
            rate: rate, maxInFlight: maxInFlight, tlsWarmup: tls)
        p.start(now: 0)
        return p
    }

    @Test func hundredPerSecondLaunchesThreeIn30MsOfFiveMsTicks() {
        // 100/s is 0.5 token per 5 ms tick: a whole token at 10, 20 and 30 ms — 3 launches, never 4.
        var p = pacer(clients: 20, rate: 100, maxInFlight: 5)
        var launched: [Int] = []
        for t in stride(from: UInt64(0), through: 30, by: 5) { launched += p.tick(now: t * ms).launch }
        #expect(launched == [0, 1, 2])
        #expect(p.inFlight == 3)
    }

    @Test func burstIsCappedAtFiftyMillisecondsOfRateAndByMaxInFlight() {
        // After 100 ms at 100/s the bucket holds min(10, max(1, 100 × 0.05)) = 5 tokens; max_in_flight 4 admits 4.
        var p = pacer(clients: 20, rate: 100, maxInFlight: 4)
        #expect(p.tick(now: 100 * ms).launch == [0, 1, 2, 3])
        // One token is left, but four are in flight: nothing more until one ends.
        #expect(p.tick(now: 100 * ms).launch == [])
        p.attemptEnded(client: 0, conn: 0)
        p.attemptEnded(client: 1, conn: 0)
        // 1 token left from before plus none accrued: exactly one launch although two slots are free.
        #expect(p.tick(now: 100 * ms).launch == [4])
        // 20 ms later: 2 more tokens, one slot free.
        #expect(p.tick(now: 120 * ms).launch == [5])
    }

    @Test func zeroRateFillsMaxInFlightAtOnce() {
        var p = pacer(clients: 10, rate: 0, maxInFlight: 3)
        #expect(p.tick(now: 0).launch == [0, 1, 2])
        p.attemptEnded(client: 1, conn: 0)
        #expect(p.tick(now: 0).launch == [3])
    }

    @Test func launchOrderInterleavesClients() {
        // Records are client by client (index = slot × 2 + conn); the order is every client's conn 0 first.
        var p = pacer(clients: 3, perClient: 2, rate: 0, maxInFlight: 10)
        #expect(p.tick(now: 0).launch == [0, 2, 4, 1, 3, 5])
    }

    @Test func perClientHoldBackWaitsForEachClientsFirstConnection() {
        var p = pacer(clients: 2, perClient: 3, holdBack: .perClient, rate: 0, maxInFlight: 10)
        #expect(p.waiting == 6)
        let first = p.tick(now: 0)
        #expect(first.launch == [0, 3] && !first.rampComplete)
        p.attemptEnded(client: 1, conn: 0)  // client 1's first opened (or failed): its others may go
        #expect(p.tick(now: 0).launch == [4, 5])
        p.attemptEnded(client: 1, conn: 1)
        p.attemptEnded(client: 1, conn: 2)  // not a first connection: releases nothing
        #expect(p.tick(now: 0).launch == [])
        p.attemptEnded(client: 0, conn: 0)
        #expect(p.tick(now: 0).launch == [1, 2])
        #expect(p.inFlight == 2 && p.waiting == 0)
        p.attemptEnded(client: 0, conn: 1)
        p.attemptEnded(client: 0, conn: 2)
        #expect(p.tick(now: 0) == RampPacer.Step(launch: [], rampComplete: true))
    }

    @Test func sharedHoldBackWaitsForTheRunsFirstConnectionWithGlobalClientNumbers() {
        // A shard with clients 3 and 4 of 5: slot 0 is client 3 (records 0, 1), slot 1 client 4 (records 2, 3).
        var p = RampPacer(
            clients: [3, 4], clientCount: 5, connectionsPerClient: 2, holdBack: .shared, rate: 0, maxInFlight: 10,
            tlsWarmup: false)
        p.start(now: 0)
        #expect(p.tick(now: 0).launch == [0])
        p.attemptEnded(client: 3, conn: 0)
        #expect(p.tick(now: 0).launch == [2, 1, 3])
    }

    @Test func tlsWarmupRunsTheFirstAttemptAlone() {
        var p = pacer(clients: 8, rate: 0, maxInFlight: 5, tls: true)
        #expect(p.tick(now: 0).launch == [0])
        #expect(p.tick(now: 10 * ms).launch == [])
        p.attemptEnded(client: 0, conn: 0)
        #expect(p.tick(now: 20 * ms).launch == [1, 2, 3, 4, 5])
        #expect(!p.tlsWarmup)
    }

    @Test func rampCompletesOnlyWhenEveryAttemptHasEnded() {
        var p = pacer(clients: 1, rate: 0, maxInFlight: 1)
        #expect(p.tick(now: 0) == RampPacer.Step(launch: [0], rampComplete: false))
        #expect(p.tick(now: 0) == RampPacer.Step(launch: [], rampComplete: false))
        p.attemptEnded(client: 0, conn: 0)
        #expect(p.tick(now: 0) == RampPacer.Step(launch: [], rampComplete: true))
    }

    @Test func planChoosesHoldBackAndWarmup() throws {
        var plan = RunPlan(url: try WebSocketURL("wss://example.test/ws"), clients: 2, connectionsPerClient: 2)
        plan.tls = TLSClientConfiguration(sessionResumption: true)
        plan.rate = 0
        var p = RampPacer(plan: plan)  // per-client jars, first connection first: one per client, and TLS warm-up: just one
        #expect(p.tlsWarmup)
        #expect(p.tick(now: 0).launch == [0])
        plan.firstConnectionFirst = false
        plan.tls?.sessionResumption = false
        var q = RampPacer(plan: plan)
        #expect(q.tick(now: 0).launch == [0, 2, 1, 3])
    }
}
