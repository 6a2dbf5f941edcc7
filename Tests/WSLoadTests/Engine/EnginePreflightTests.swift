import Foundation
import Testing

@testable import WSLoad

/// Pre-flight GETs fill cookie jars before the ramp; without them a cookie-less burst scatters a client.
@Suite(.serialized) struct EnginePreflightTests {
    @Test func preflightCookiePinsEveryConnectionOfAClientEvenInABurst() throws {
        let cluster = try LocalCluster(pods: 3, policy: .cookie)
        defer { cluster.shutdown() }
        var plan = RunPlan(url: cluster.url, clients: 3, connectionsPerClient: 6)
        plan.cookiePolicy = .perClient
        plan.firstConnectionFirst = false
        plan.preflight = (try WebSocketURL("http://127.0.0.1:\(cluster.frontAddress!.port)/login"), "GET")
        plan.attribution = AttributionRules(headers: ["X-Pod-Name"], cookieName: "SERVERID")
        plan.hold = 0.1
        let result = try LoadEngine(plan: plan).run()
        #expect(result.held == 18)
        #expect(result.warnings.isEmpty, "\(result.warnings)")
        #expect(result.records.allSatisfy { $0.sentCookie })
        var pods: [Int: Set<String>] = [:]
        for r in result.records { pods[r.client, default: []].insert(r.pod ?? "?") }
        #expect(pods.values.allSatisfy { $0.count == 1 }, "\(pods)")
    }

    @Test func withoutPreflightACookielessBurstScattersAClient() throws {
        let cluster = try LocalCluster(pods: 3, policy: .cookie)
        defer { cluster.shutdown() }
        var plan = RunPlan(url: cluster.url, clients: 1, connectionsPerClient: 6)
        plan.cookiePolicy = .perClient
        plan.firstConnectionFirst = false
        plan.maxInFlight = 6
        // Unpaced (rate 0: the bucket holds max_in_flight tokens at every step): all six go out in the first step,
        // on the control queue, before any 101 (and its Set-Cookie) can be handled there. A paced bucket starts
        // empty — even at 1 000 000/s its first step held one token, and on a loaded machine the first connection
        // finished before the next step launched the rest, so the jar pinned them (seen in full runs).
        plan.rate = 0
        plan.hold = 0.1
        let result = try LoadEngine(plan: plan).run()
        #expect(result.held == 6)
        // All six were launched in one pacing step with the jar still empty: none carried a cookie, so the
        // front's round robin spread them (with a per-client jar and first_connection_first they would be pinned).
        #expect(result.records.allSatisfy { !$0.sentCookie })
        #expect(Set(result.records.compactMap(\.pod)).count >= 2)
    }

    @Test func failingPreflightIsAWarningNotAFailure() throws {
        let cluster = try LocalCluster(pods: 1, policy: nil)
        defer { cluster.shutdown() }
        let fd = try #require(try? Socket.listen(on: SocketAddress(ip: "127.0.0.1", port: 0)!).get())
        let closedPort = Socket.localAddress(fd)!.port
        close(fd)
        var plan = RunPlan(url: cluster.url, clients: 2, connectionsPerClient: 1)
        plan.preflight = (try WebSocketURL("http://127.0.0.1:\(closedPort)/login"), "GET")
        let result = try LoadEngine(plan: plan).run()
        #expect(result.held == 2)
        #expect(result.warnings.contains { $0.contains("pre-flight") && $0.contains("2 of 2") })
    }
}
