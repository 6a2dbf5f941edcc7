import Foundation
import Testing

@testable import WSLoad

/// Source addresses are checked by binding, before anything connects (issue 13, case 5).
@Suite struct SourceAddressCheckTests {
    @Test func boundAddressesPassAndForeignOnesFailWithEADDRNOTAVAIL() throws {
        let good = try #require(SocketAddress(ip: "127.0.0.7", port: 0))
        let bad = try #require(SocketAddress(ip: "203.0.113.5", port: 0))
        #expect(SourceAddressCheck.bindError(good) == nil)
        #expect(SourceAddressCheck.bindError(bad) == Errno(EADDRNOTAVAIL))
        #expect(SourceAddressCheck.unbindable([good, bad, good, bad]) == [.init(address: "203.0.113.5", errno: EADDRNOTAVAIL)])
    }

    /// Every 127.0.0.0/8 address binds without an alias (lo's `local` route, the AnyIP mechanism).
    @Test func loopbackAddressesAllBind() throws {
        let addresses = (2...201).map { SocketAddress(ip: "127.0.3.\($0)", port: 0)! }
        #expect(SourceAddressCheck.unbindable(addresses).isEmpty)
    }

    @Test func longListsAreSampledEvenlyWithBothEnds() throws {
        let spec = try SourceSpec(parsing: "127.1.0.0/16")
        let all = try spec.expand().map { SocketAddress(ip: $0, port: 0)! }
        let sample = SourceAddressCheck.sample(all)
        #expect(sample.count == SourceAddressCheck.exhaustiveLimit)
        #expect(sample.first?.ip == "127.1.0.0" && sample.last?.ip == "127.1.255.255")
        #expect(Set(sample.map(\.ip)).count == sample.count)
        // Evenly spaced: 65 536 addresses over 4096 samples is one every ~16.
        #expect(sample[1].ip == "127.1.0.16" || sample[1].ip == "127.1.0.15", "\(sample[1].ip)")
        let short = Array(all.prefix(10))
        #expect(SourceAddressCheck.sample(short + short) == short)
    }

    /// The engine refuses the plan before the ramp: nothing reaches the server.
    @Test func theEngineRefusesAnUnbindableSourceBeforeConnecting() throws {
        let cluster = try LocalCluster(pods: 1, policy: nil)
        defer { cluster.shutdown() }
        var plan = RunPlan(url: cluster.url, clients: 3, connectionsPerClient: 1)
        plan.sources = [SocketAddress(ip: "127.0.0.2", port: 0)!, SocketAddress(ip: "203.0.113.5", port: 0)!]
        plan.hold = 5
        let started = Date()
        do {
            _ = try LoadEngine(plan: plan)
            Issue.record("expected a PlanError")
        } catch let error as PlanError {
            #expect(
                error.description.contains("203.0.113.5") && error.description.contains("EADDRNOTAVAIL")
                    && error.description.contains("ip addr add 203.0.113.5/32 dev lo"), "\(error)")
        }
        #expect(Date().timeIntervalSince(started) < 1)
        #expect(cluster.logs.withLock { $0["ws-0"] ?? [] }.allSatisfy { !$0.contains("Active connections: 1") })
    }
}
