import Foundation
import Testing

@testable import WSLoad

/// `wsload portforward --tls` against the bad-certificate matrix: connections go to the forward's local address,
/// and the pod's certificate is verified against `target.tls.server_name` (or `target.url`'s host), never that address.
@Suite("TLS certificate matrix: portforward", .serialized)
struct PortForwardTLSMatrixTests {
    static let matrix = BadCertificateMatrix.shared

    @Test(
        "portforward: good cases open, bad ones fail in the TLS phase in their own bucket",
        arguments: BadCertificateMatrix.shared.cases)
    func forwardCase(_ c: BadCertificateMatrix.Case) throws {
        let pod = try MatrixPodServer(c)  // stands for the forward's local end: the case's address, an ephemeral port
        defer { pod.stop() }
        var plan = PortForwardPlan(localHost: c.connectTo.contains(":") ? "::1" : "127.0.0.1", connectTimeout: 5, upgradeTimeout: 5)
        plan.tls = TLSClientConfiguration(caFile: Self.matrix.rootPath)
        plan.tlsIdentity = TLSPeerIdentity(host: c.host)
        let pool = try ForwardConnectionPool(plan: plan, port: pod.port, label: "wsload.test.pf-tls")
        defer { pool.closeAll(timeout: 2); pool.shutdown() }
        #expect(pool.urlDescription.hasPrefix("wss://"))
        let batch = pool.openBatch(2)
        guard let expected = c.expectedCheck else {
            #expect(batch.opened == 2, "\(c.name): \(batch.failures)")
            return
        }
        #expect(batch.opened == 0)
        #expect(batch.failures.count == 2)
        #expect(batch.failures.allSatisfy { $0.phase == .tls && $0.reason == expected }, "\(batch.failures)")
        #expect(pool.totals.buckets == ["tls: \(expected)": 2])
        for w in c.expectedWords { #expect(batch.failures.first?.message.contains(w) == true, "\(c.name): \"\(w)\"") }
    }

    @Test("profile: portforward.tls verifies target.tls.server_name (else target.url's host), never the local address")
    func planIdentity() throws {
        var profile = Profile()
        profile.portforward = Profile.PortForwardSection()
        profile.portforward?.tls = true
        profile.target.url = "wss://ws.example.com/ws"
        profile.target.tls.caFile = "ca.pem"
        var plan = PortForwardPlan(profile: profile)
        #expect(plan.localHost == "127.0.0.1")
        #expect(plan.tlsIdentity == .dnsName("ws.example.com"))
        #expect(plan.tls?.caFile == "ca.pem" && plan.tls?.verifyPeer == true)
        profile.target.tls.serverName = "pods.internal"
        plan = PortForwardPlan(profile: profile)
        #expect(plan.tlsIdentity == .dnsName("pods.internal"))
        profile.portforward?.tls = false
        #expect(PortForwardPlan(profile: profile).tls == nil)

        // Without any name to verify, the profile is refused before anything connects.
        var nameless = Profile()
        nameless.portforward = Profile.PortForwardSection()
        nameless.portforward?.tls = true
        nameless.portforward?.remotePort = 8443
        let error = #expect(throws: ProfileError.self) { try nameless.validateForPortForward() }
        #expect(error?.description.contains("portforward.tls") == true && error?.description.contains("target.tls.server_name") == true)
        nameless.target.tls.insecure = true
        #expect(throws: Never.self) { try nameless.validateForPortForward() }
    }
}
