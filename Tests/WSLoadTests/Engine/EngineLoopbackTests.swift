import Foundation
import Testing
import WSProtocol

@testable import WSLoad

@Suite(.serialized) struct EngineLoopbackTests {
    @Test func perClientJarsPinEachClientAndSpreadClients() throws {
        let cluster = try LocalCluster(pods: 3, policy: .cookie)
        defer { cluster.shutdown() }
        var plan = RunPlan(url: cluster.url, clients: 6, connectionsPerClient: 5)
        plan.cookiePolicy = .perClient
        plan.attribution = AttributionRules(headers: ["X-Pod-Name"], cookieName: "SERVERID")
        plan.hold = 0.2
        let result = try LoadEngine(plan: plan).run()
        #expect(result.attempted == 30)
        #expect(result.held == 30)
        #expect(result.failed == 0)
        var podsByClient: [Int: Set<String>] = [:]
        for r in result.records { podsByClient[r.client, default: []].insert(r.pod ?? "?") }
        for (client, pods) in podsByClient { #expect(pods.count == 1, "client \(client) reached \(pods)") }
        #expect(Set(podsByClient.values.flatMap { $0 }).count == 3)
        // Every connection after a client's first carried the affinity cookie.
        #expect(result.records.filter { $0.conn > 0 }.allSatisfy { $0.sentCookie })
    }

    @Test func sharedJarPinsEverything() throws {
        let cluster = try LocalCluster(pods: 3, policy: .cookie)
        defer { cluster.shutdown() }
        var plan = RunPlan(url: cluster.url, clients: 4, connectionsPerClient: 5)
        plan.cookiePolicy = .shared
        plan.attribution = AttributionRules(headers: ["X-Pod-Name"], cookieName: "SERVERID")
        plan.hold = 0.1
        let result = try LoadEngine(plan: plan).run()
        #expect(result.held == 20)
        #expect(Set(result.records.compactMap(\.pod)).count == 1)
        #expect(result.heldPerPod.values.reduce(0, +) == 20)
    }

    @Test func sourceAddressesAreUsedAndSpreadUnderSourceHash() throws {
        let cluster = try LocalCluster(pods: 3, policy: .sourceHash)
        defer { cluster.shutdown() }
        var plan = RunPlan(url: cluster.url, clients: 20, connectionsPerClient: 1)
        plan.sources = sources(2...21)
        plan.cookiePolicy = .none
        plan.hold = 0.1
        let result = try LoadEngine(plan: plan).run()
        #expect(result.held == 20)
        let locals = Set(result.records.compactMap { $0.local?.split(separator: ":").first.map(String.init) })
        #expect(locals == Set((2...21).map { "127.0.0.\($0)" }))
        #expect(Set(result.records.compactMap(\.pod)).count >= 2)
    }

    @Test func ipHashPinsOneSlash24() throws {
        let cluster = try LocalCluster(pods: 3, policy: .ipHash)
        defer { cluster.shutdown() }
        var plan = RunPlan(url: cluster.url, clients: 20, connectionsPerClient: 1)
        plan.sources = sources(2...21)
        plan.cookiePolicy = .none
        let result = try LoadEngine(plan: plan).run()
        #expect(result.held == 20)
        #expect(Set(result.records.compactMap(\.pod)).count == 1)
    }

    @Test func serverCountsMatchAndReturnToZero() throws {
        let cluster = try LocalCluster(pods: 2, policy: AffinityPolicy.none)
        var plan = RunPlan(url: cluster.url, clients: 10, connectionsPerClient: 1)
        plan.cookiePolicy = .none
        plan.hold = 0.3
        let engine = try LoadEngine(plan: plan)
        let seen = Locked(0)
        let result = engine.run(progressInterval: 0.05) { snap in
            if snap.phase == .hold { seen.withLock { $0 = max($0, cluster.pods.map(\.activeConnections).reduce(0, +)) } }
        }
        #expect(result.held == 10)
        #expect(seen.current == 10)
        // After close every pod is back to zero.
        let deadline = Date().addingTimeInterval(3)
        while cluster.pods.map(\.activeConnections).reduce(0, +) > 0 && Date() < deadline { usleep(20_000) }
        #expect(cluster.pods.map(\.activeConnections) == [0, 0])
        cluster.shutdown()
    }

    @Test func capacityLimitGives503Failures() throws {
        let cluster = try LocalCluster(pods: 1, policy: nil, capacity: 3)
        defer { cluster.shutdown() }
        var plan = RunPlan(url: cluster.url, clients: 5, connectionsPerClient: 1)
        plan.cookiePolicy = .none
        let result = try LoadEngine(plan: plan).run()
        #expect(result.held == 3)
        #expect(result.failed == 2)
        for r in result.records where r.status == .failed {
            #expect(r.failure?.phase == .upgrade)
            #expect(r.failure?.httpStatus == 503)
        }
        #expect(cluster.pods[0].rejectedConnections == 2)
    }

    @Test func refusedConnectionsFailInTCPPhase() throws {
        // Bind a port, then close it so nothing listens there.
        let fd = try #require(try? Socket.listen(on: SocketAddress(ip: "127.0.0.1", port: 0)!).get())
        let port = Socket.localAddress(fd)!.port
        close(fd)
        var plan = RunPlan(url: try WebSocketURL("ws://127.0.0.1:\(port)/"), clients: 3, connectionsPerClient: 1)
        plan.cookiePolicy = .none
        let result = try LoadEngine(plan: plan).run()
        #expect(result.failed == 3)
        #expect(result.records.allSatisfy { $0.failure?.phase == .tcpConnect && $0.failure?.errno == ECONNREFUSED })
    }

    /// A peer that accepts and resets at once (SO_LINGER 0): every attempt fails with ECONNRESET in the phase it
    /// reached, each is accounted for, and no descriptor is left. (Resets arrive as EPOLLIN|EPOLLHUP|EPOLLERR on
    /// a source whose handler then cancels it: the pattern of the libdispatch use-after-free PLATFORM.md warns
    /// about for pipes; 30 000 such resets through the release build did not trip it either.)
    @Test func connectionsResetByThePeerAreAccountedForAndLeaveNothingOpen() throws {
        let listener = try #require(try? Socket.listen(on: SocketAddress(ip: "127.0.0.1", port: 0)!).get())
        let port = Socket.localAddress(listener)!.port
        let total = 200
        let resetter = Thread {
            var done = 0
            let deadline = Date().addingTimeInterval(20)
            while done < total, Date() < deadline {
                var p = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
                guard poll(&p, 1, 100) > 0 else { continue }
                while case let c = accept(listener, nil, nil), c >= 0 {
                    var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
                    setsockopt(c, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
                    close(c)
                    done += 1
                }
            }
            close(listener)
        }
        resetter.start()
        var plan = RunPlan(url: try WebSocketURL("ws://127.0.0.1:\(port)/"), clients: total, connectionsPerClient: 1)
        plan.cookiePolicy = .none
        plan.maxInFlight = 64
        let result = try LoadEngine(plan: plan).run()
        #expect(result.attempted == total && result.failed == total && result.established == 0)
        #expect(
            result.records.allSatisfy { $0.failure?.errno == ECONNRESET && [.tcpConnect, .upgrade].contains($0.failure?.phase) },
            "\(Set(result.records.compactMap { $0.failure.map { "\($0.phase) \($0.message)" } }))")
        usleep(200_000)
        #expect(openSocketInodes(ports: [port]).isEmpty)
    }

    @Test func upgradeTimeoutWhenServerNeverAnswers() throws {
        // A listener that accepts TCP (kernel backlog) but never answers the upgrade.
        let fd = try #require(try? Socket.listen(on: SocketAddress(ip: "127.0.0.1", port: 0)!).get())
        defer { close(fd) }
        let port = Socket.localAddress(fd)!.port
        var plan = RunPlan(url: try WebSocketURL("ws://127.0.0.1:\(port)/"), clients: 2, connectionsPerClient: 1)
        plan.cookiePolicy = .none
        plan.upgradeTimeout = 0.3
        let start = Date()
        let result = try LoadEngine(plan: plan).run()
        #expect(result.failed == 2)
        #expect(result.records.allSatisfy { $0.failure?.phase == .upgrade && $0.failure?.kind == .timeout })
        #expect(Date().timeIntervalSince(start) < 3)
    }

    @Test func firstMessageAttribution() throws {
        let cluster = try LocalCluster(pods: 2, policy: AffinityPolicy.none, identityMessage: true)
        defer { cluster.shutdown() }
        var plan = RunPlan(url: cluster.url, clients: 4, connectionsPerClient: 1)
        plan.cookiePolicy = .none
        plan.attribution = AttributionRules(headers: [], firstMessageJSONPath: "pod")
        plan.hold = 0.3
        let result = try LoadEngine(plan: plan).run()
        #expect(result.held == 4)
        #expect(result.records.allSatisfy { $0.podSource == .firstMessage && $0.pod != nil })
        #expect(Set(result.records.compactMap(\.pod)) == ["ws-0", "ws-1"])
    }

    @Test func trafficEchoRoundTripsAreMeasured() throws {
        let cluster = try LocalCluster(pods: 1, policy: nil)
        defer { cluster.shutdown() }
        var plan = RunPlan(url: cluster.url, clients: 3, connectionsPerClient: 1)
        plan.cookiePolicy = .none
        plan.hold = 0.5
        plan.trafficInterval = 0.1
        plan.pingInterval = 0.1
        plan.pongTimeout = 1
        let result = try LoadEngine(plan: plan).run()
        #expect(result.held == 3)
        #expect((result.histograms["echo-rtt"]?.totalCount ?? 0) >= 3)
        #expect((result.histograms["ping-rtt"]?.totalCount ?? 0) >= 3)
    }

    @Test func noFileDescriptorsLeakAfterARun() throws {
        let cluster = try LocalCluster(pods: 2, policy: .cookie)
        var plan = RunPlan(url: cluster.url, clients: 10, connectionsPerClient: 3)
        plan.hold = 0.1
        let ports = Set([cluster.frontAddress!.port] + cluster.podAddresses.map(\.port))
        let result = try LoadEngine(plan: plan).run()
        #expect(result.held == 30)
        cluster.shutdown()
        usleep(200_000)
        // Nothing of the run is left: no client socket (remote port = the front's), tunnel, pod or listener.
        #expect(openSocketInodes(ports: ports).isEmpty)
    }
}

/// Issue 13: a balancer's affinity cookie is used for attribution although the profile names another.
@Suite(.serialized) struct RecognisedAffinityCookieTests {
    @Test func ingressCookieAttributesWhenTheProfileNamesServerID() throws {
        var servers: [PodServer] = []
        var addresses: [SocketAddress] = []
        for i in 0..<3 {
            let config = PodServerConfiguration(listen: SocketAddress(ip: "127.0.0.1", port: 0)!, podName: "ws-\(i)", ioQueues: 1)
            let server = try PodServer(config, logger: .discarding)
            addresses.append(try server.start())
            servers.append(server)
        }
        let front = AffinityFront(
            backends: zip(servers, addresses).map { .init(name: $0.0.configuration.podName, address: $0.1) },
            policy: .cookie, cookieName: "INGRESSCOOKIE")
        let frontAddress = try front.start(on: SocketAddress(ip: "127.0.0.1", port: 0)!)
        defer {
            front.stop()
            for s in servers { s.drain(timeout: 2) }
        }
        var plan = RunPlan(url: try WebSocketURL("ws://127.0.0.1:\(frontAddress.port)/ws"), clients: 6, connectionsPerClient: 3)
        plan.cookiePolicy = .perClient
        // Pods that disclose no identity (no header read), and a profile naming the wrong cookie.
        plan.attribution = AttributionRules(headers: [], cookieName: "SERVERID")
        plan.hold = 0.1
        let result = try LoadEngine(plan: plan).run()
        #expect(result.held == 18)
        #expect(result.records.allSatisfy { $0.podSource == .cookie && $0.pod?.hasPrefix("ws-") == true })
        var podsByClient: [Int: Set<String>] = [:]
        for r in result.records { podsByClient[r.client, default: []].insert(r.pod ?? "?") }
        #expect(podsByClient.values.allSatisfy { $0.count == 1 })
        #expect(Set(podsByClient.values.flatMap { $0 }).count == 3)
        #expect(result.heldPerPod["?"] == nil)
    }
}
