import Foundation
import Testing

@testable import WSLoad

/// The load engine over TLS against the reference pod server with a certificate made in the test.
@Suite(.serialized) struct EngineTLSTests {
    private func tlsPod(_ certs: TestCertificates) throws -> (PodServer, SocketAddress) {
        let config = PodServerConfiguration(
            listen: SocketAddress(ip: "127.0.0.1", port: 0)!, podName: "tls-0",
            tls: TLSServerConfiguration(certificateChainFile: certs.certificatePath, privateKeyFile: certs.privateKeyPath),
            ioQueues: 1)
        let server = try PodServer(config, logger: .discarding)
        return (server, try server.start())
    }

    @Test func verificationFailsWithoutTheCAAndSucceedsWithIt() throws {
        let certs = try TestCertificates.generate()
        let (server, address) = try tlsPod(certs)
        defer { server.drain(timeout: 2) }
        let url = try WebSocketURL("wss://127.0.0.1:\(address.port)/ws")

        var plan = RunPlan(url: url, clients: 3, connectionsPerClient: 1)
        plan.cookiePolicy = .none
        let failed = try LoadEngine(plan: plan).run()
        #expect(failed.failed == 3)
        for r in failed.records {
            #expect(r.failure?.phase == .tls)
            #expect(r.failure?.message.contains("verif") == true, "\(r.failure?.message ?? "")")
        }

        plan.tls = TLSClientConfiguration(caFile: certs.caCertificatePath)
        plan.hold = 0.1
        let ok = try LoadEngine(plan: plan).run()
        #expect(ok.held == 3)
        #expect(ok.records.allSatisfy { $0.pod == "tls-0" && ($0.tlsMs ?? 0) > 0 })
        #expect((ok.histograms["tls"]?.totalCount ?? 0) == 3)
    }

    /// With session resumption the first connection runs alone, so every later one resumes its session,
    /// even when all of them could start at once (without the warm-up a first wave of full handshakes).
    @Test func resumptionWarmUpMakesEveryLaterHandshakeResume() throws {
        let certs = try TestCertificates.generate()
        let (server, address) = try tlsPod(certs)
        defer { server.drain(timeout: 2) }
        var plan = RunPlan(url: try WebSocketURL("wss://127.0.0.1:\(address.port)/ws"), clients: 24, connectionsPerClient: 1)
        plan.cookiePolicy = .none
        plan.maxInFlight = 24
        plan.hold = 0.1
        plan.tls = TLSClientConfiguration(caFile: certs.caCertificatePath, sessionResumption: true)
        let result = try LoadEngine(plan: plan).run()
        #expect(result.held == 24)
        let resumed = result.records.filter(\.tlsResumed)
        #expect(resumed.count == 23, "\(resumed.count) of 24 resumed")
        #expect(result.records.first { !$0.tlsResumed }?.index == 0)

        plan.tls = TLSClientConfiguration(caFile: certs.caCertificatePath, sessionResumption: false)
        let full = try LoadEngine(plan: plan).run()
        #expect(full.held == 24 && full.records.allSatisfy { !$0.tlsResumed })
    }

    @Test func insecureSkipsVerification() throws {
        let certs = try TestCertificates.generate()
        let (server, address) = try tlsPod(certs)
        defer { server.drain(timeout: 2) }
        var plan = RunPlan(url: try WebSocketURL("wss://127.0.0.1:\(address.port)/ws"), clients: 2, connectionsPerClient: 1)
        plan.cookiePolicy = .none
        plan.tls = TLSClientConfiguration(verifyPeer: false)
        let result = try LoadEngine(plan: plan).run()
        #expect(result.held == 2)
    }

    @Test func tlsHandshakeTimeoutAgainstAPlainListener() throws {
        // A listener that accepts TCP but never speaks TLS: the TLS phase must time out.
        let fd = try #require(try? Socket.listen(on: SocketAddress(ip: "127.0.0.1", port: 0)!).get())
        defer { close(fd) }
        let port = Socket.localAddress(fd)!.port
        var plan = RunPlan(url: try WebSocketURL("wss://127.0.0.1:\(port)/"), clients: 1, connectionsPerClient: 1)
        plan.cookiePolicy = .none
        plan.tlsTimeout = 0.3
        plan.tls = TLSClientConfiguration(verifyPeer: false)
        let result = try LoadEngine(plan: plan).run()
        #expect(result.failed == 1)
        #expect(result.records[0].failure?.phase == .tls)
        #expect(result.records[0].failure?.kind == .timeout)
    }
}
