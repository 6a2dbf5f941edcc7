import Foundation
import Testing

@testable import WSLoad

/// `wsload run` (``LoadEngine`` and ``ReportBuilder``) against the bad-certificate matrix: every bad certificate
/// fails every connection in the TLS phase, in a failure bucket of its own check.
@Suite("TLS certificate matrix: run", .serialized)
struct EngineTLSMatrixTests {
    static let matrix = BadCertificateMatrix.shared

    @Test(
        "run: good cases hold, bad ones fail in their own bucket; the report says what was verified",
        arguments: BadCertificateMatrix.shared.cases)
    func runCase(_ c: BadCertificateMatrix.Case) throws {
        let pod = try MatrixPodServer(c)
        defer { pod.stop() }
        var plan = RunPlan(url: try WebSocketURL(c.url(port: pod.port)), clients: 2, connectionsPerClient: 1)
        plan.cookiePolicy = .none
        plan.hold = 0.05
        plan.tlsTimeout = 5
        plan.resolveOverride = c.connectTo == c.host ? nil : c.connectTo
        plan.tls = TLSClientConfiguration(caFile: Self.matrix.rootPath)
        let result = try LoadEngine(plan: plan).run()
        var context = ReportContext(target: plan.url.description)
        context.tls = TLSVerificationSummary(identity: plan.tlsIdentity, configuration: plan.tls)
        let report = ReportBuilder.build(result: result, context: context)
        #expect(report.run.tls?.verifiedIdentity == TLSPeerIdentity(host: c.host)!.subjectAltName)
        #expect(report.run.tls?.insecure == false)
        guard let expected = c.expectedCheck else {
            #expect(result.held == 2, "\(c.name): \(result.records.compactMap(\.failure))")
            #expect(report.totals.failures.isEmpty)
            return
        }
        #expect(result.failed == 2)
        #expect(result.records.allSatisfy { $0.failure?.phase == .tls && $0.failure?.bucket == "tls: \(expected)" })
        #expect(report.totals.failures.map(\.phase) == ["tls"])
        #expect(report.totals.failures.map(\.reason) == [expected])
        #expect(report.totals.failures.map(\.count) == [2])
    }

    @Test("target.resolve pins the address, not the identity: the URL's host is verified and sent as SNI")
    func resolveKeepsTheName() throws {
        var plan = RunPlan(url: try WebSocketURL("wss://pod-1.wsload.test:443/ws"), clients: 1, connectionsPerClient: 1)
        plan.resolveOverride = "127.0.0.1"
        #expect(plan.tlsIdentity == .dnsName("pod-1.wsload.test"))
        #expect(plan.tlsIdentity?.sni == "pod-1.wsload.test")
        plan.serverName = "ws.example.com"
        #expect(plan.tlsIdentity == .dnsName("ws.example.com"))
        plan.serverName = "203.0.113.10"
        #expect(plan.tlsIdentity == .ipAddress("203.0.113.10") && plan.tlsIdentity?.sni == nil)
        plan = RunPlan(url: try WebSocketURL("wss://[::0001]/ws"), clients: 1, connectionsPerClient: 1)
        #expect(plan.tlsIdentity == .ipAddress("::1"))
    }

    @Test("--insecure is recorded in the report and its JSON; a ws:// report has no tls field")
    func insecureRecorded() throws {
        let summary = TLSVerificationSummary(identity: .dnsName("localhost"), configuration: TLSClientConfiguration(verifyPeer: false))
        #expect(summary.insecure && summary.verifiedIdentity == nil && summary.serverName == "localhost")
        #expect(summary.line.hasPrefix("certificate NOT verified (--insecure)"))
        var context = ReportContext(target: "wss://localhost/ws")
        context.tls = summary
        let report = ReportBuilder.build(result: EngineResult.empty(at: Date(timeIntervalSince1970: 0)), context: context)
        let json = String(decoding: try JSONEncoder().encode(report.run), as: UTF8.self)
        #expect(json.contains(#""tls":{"insecure":true,"serverName":"localhost"}"#) || json.contains(#""insecure":true"#), "\(json)")
        #expect(TableRenderer.render(report).contains("tls certificate NOT verified (--insecure)"))
        let plain = ReportBuilder.build(result: EngineResult.empty(at: Date(timeIntervalSince1970: 0)), context: ReportContext(target: "ws://x/"))
        #expect(!String(decoding: try JSONEncoder().encode(plain.run), as: UTF8.self).contains("tls"))
        let verified = TLSVerificationSummary(identity: .ipAddress("127.0.0.1"), configuration: TLSClientConfiguration())
        #expect(verified.line == "certificate checked against IP:127.0.0.1 (no SNI: IP address)")
    }
}
