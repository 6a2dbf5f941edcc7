import Foundation
import Testing

@testable import WSLoad

/// `wsload connect` (``ConnectionProbe``) against the bad-certificate matrix: the URL's host is what is verified,
/// the address dialled (`--resolve`) never is.
@Suite("TLS certificate matrix: connect", .serialized)
struct ConnectTLSMatrixTests {
    static let matrix = BadCertificateMatrix.shared

    @Test(
        "connect: good cases open and ping, bad ones fail in the TLS phase naming the check",
        arguments: BadCertificateMatrix.shared.cases)
    func connectCase(_ c: BadCertificateMatrix.Case) throws {
        let pod = try MatrixPodServer(c)
        defer { pod.stop() }
        let url = try WebSocketURL(c.url(port: pod.port))
        let result = try ConnectionProbe.run(
            url: url, tls: TLSClientConfiguration(caFile: Self.matrix.rootPath),
            resolve: c.connectTo == c.host ? nil : c.connectTo, timeout: 5, wait: 0)
        #expect(result.tlsIdentity == TLSPeerIdentity(host: c.host))
        #expect(result.tlsSNI == (c.host.first!.isLetter ? c.host : nil))
        guard let expected = c.expectedCheck else {
            #expect(result.failure == nil, "\(c.name): \(String(describing: result.failure))")
            #expect(result.pod == "matrix-\(c.name)")
            #expect(result.pingRTTMs != nil)
            return
        }
        let failure = try #require(result.failure, "\(c.name) must fail")
        #expect(failure.phase == .tls)
        #expect(failure.reason == expected)
        #expect(failure.bucket == "tls: \(expected)")
        for w in c.expectedWords { #expect(failure.description.contains(w), "\(c.name): \"\(w)\" not in \(failure)") }
        #expect(result.response == nil)
    }

    @Test("the issue's case: an IP-literal URL and a certificate for another name is refused; --server-name accepts it, --insecure too")
    func ipLiteralIsVerified() throws {
        let c = Self.matrix.case("dns-cert-for-ip")  // DNS:other.example only
        let pod = try MatrixPodServer(c)
        defer { pod.stop() }
        let url = try WebSocketURL("wss://127.0.0.1:\(pod.port)/ws")
        let refused = try ConnectionProbe.run(url: url, tls: TLSClientConfiguration(caFile: Self.matrix.rootPath), timeout: 5, wait: 0)
        #expect(refused.failure?.reason == "certificate IP address mismatch")
        #expect(refused.failure?.message.contains("certificate does not match IP address 127.0.0.1 (its names: DNS:other.example)") == true)

        let named = try ConnectionProbe.run(
            url: url, tls: TLSClientConfiguration(caFile: Self.matrix.rootPath), serverName: "other.example",
            timeout: 5, wait: 0)
        #expect(named.failure == nil, "\(String(describing: named.failure))")
        #expect(named.tlsIdentity == .dnsName("other.example") && named.tlsSNI == "other.example")

        let insecure = try ConnectionProbe.run(url: url, tls: TLSClientConfiguration(verifyPeer: false), timeout: 5, wait: 0)
        #expect(insecure.failure == nil)
        #expect(insecure.tlsIdentity == nil)
    }
}
