import Foundation
import Testing

@testable import WSLoad

/// Profile → RunPlan and gate thresholds, value by value (expected values from docs/profiles.md).
@Suite struct RunPlannerTests {
    func profile(_ edit: (inout Profile) -> Void = { _ in }) -> Profile {
        var p = Profile()
        p.target.url = "ws://127.0.0.1:9000/ws"
        edit(&p)
        return p
    }

    @Test func clientsAndConnections() throws {
        let single = try RunPlanner.plan(from: profile { $0.clients.connections = 7 })
        #expect(single.clients == 7 && single.connectionsPerClient == 1 && single.totalConnections == 7)
        let grouped = try RunPlanner.plan(
            from: profile {
                $0.clients.count = 4; $0.clients.connectionsPerClient = 3
            })
        #expect(grouped.clients == 4 && grouped.connectionsPerClient == 3 && grouped.totalConnections == 12)
        let none = try RunPlanner.plan(from: profile())
        #expect(none.totalConnections == 1, "no clients section: one client, one connection")
    }

    @Test func sourceSpecsAreExpandedInOrder() throws {
        let plan = try RunPlanner.plan(from: profile { $0.clients.sources = ["127.0.0.2-127.0.0.4", "127.0.1.0/31"] })
        #expect(plan.sources.map(\.ip) == ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.1.0", "127.0.1.1"])
        #expect(plan.sources.allSatisfy { $0.port == 0 })
    }

    @Test func trafficSizePadsTheMessage() throws {
        let padded = try RunPlanner.plan(
            from: profile {
                var t = Profile.TrafficSection()
                t.message = "hi"
                t.size = ProfileSize(bytes: 5)
                t.interval = .milliseconds(250)
                $0.traffic = t
            })
        #expect(padded.trafficMessage == "hixxx" && padded.trafficInterval == 0.25)
        let plain = try RunPlanner.plan(from: profile { $0.traffic = Profile.TrafficSection() })
        #expect(plain.trafficMessage == "ping {conn}", "size 0 keeps the template as written")
    }

    @Test func defaultsAndConversions() throws {
        let plan = try RunPlanner.plan(
            from: profile {
                $0.ramp.maxInFlight = 0
                $0.reconnect = Profile.ReconnectSection(maxRetries: 2, initialBackoff: .milliseconds(100), maxBackoff: .seconds(3), jitter: 0.5)
                $0.target.tls.insecure = true
            })
        #expect(plan.maxInFlight == 1, "never fewer than one handshake in flight")
        #expect(plan.attribution.headers == ["X-Pod-Name"], "no attribution headers: X-Pod-Name")
        #expect(plan.reconnect == ReconnectPolicy(maxRetries: 2, initialBackoff: 0.1, maxBackoff: 3, jitter: 0.5))
        #expect(plan.tls?.verifyPeer == false)
        #expect(plan.tls?.ciphersuites == TLSClientConfiguration.browserCiphersuites)
        #expect(plan.hold == 10 && plan.rate == 200 && plan.upgradeTimeout == 10)
        #expect(try RunPlanner.plan(from: profile()).reconnect == nil, "no reconnect section: drops are final")
    }

    @Test func errorsNameTheKey() {
        var noURL = Profile()
        noURL.target.url = nil
        #expect(throws: PlanError.self) { try RunPlanner.plan(from: noURL) }
        do {
            _ = try RunPlanner.plan(from: profile { $0.clients.preflight = Profile.Preflight(url: "ftp://x/") })
            Issue.record("a non-HTTP pre-flight URL planned")
        } catch {
            #expect(error.description.hasPrefix("clients.preflight.url: "), "\(error)")
        }
    }

    @Test func thresholds() {
        var gate = Profile.GateSection()
        gate.maxSkew = 25
        gate.minPodsHit = .all
        gate.maxUpgradeP99 = .milliseconds(250)
        let t = RunPlanner.thresholds(from: gate, podCount: 3)
        #expect(t.maxSkewPercent == 25 && t.minPodsHit == 3 && t.maxLatencyMs == ["upgrade_p99": 250])
        #expect(RunPlanner.thresholds(from: gate, podCount: 0).minPodsHit == 1, "all of no known pods is at least one")
        gate.minPodsHit = .count(2)
        #expect(RunPlanner.thresholds(from: gate, podCount: 5).minPodsHit == 2)
        #expect(RunPlanner.thresholds(from: Profile.GateSection(), podCount: 5).minPodsHit == nil)
    }
}
