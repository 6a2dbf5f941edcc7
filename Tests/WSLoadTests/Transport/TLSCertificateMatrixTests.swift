import COpenSSL
import Foundation
import Testing

@testable import WSLoad

/// The bad-certificate matrix at the TLS layer: every case over a loopback TCP pair, the client verifying the
/// case's identity (its URL host) with only the matrix root trusted.
@Suite("TLS certificate matrix: sessions")
struct TLSCertificateMatrixTests {
    static let matrix = BadCertificateMatrix.shared

    /// Handshakes one case; the client's outcome.
    static func handshakeOutcome(_ c: BadCertificateMatrix.Case) throws -> (TLSIOResult?, TLSSession) {
        let client = try TLSContext(client: TLSClientConfiguration(caFile: matrix.rootPath))
        let server = try TLSContext(
            server: TLSServerConfiguration(
                certificateChainFile: c.chainPath, privateKeyFile: c.keyPath,
                securityLevel: c.weak ? 0 : nil))
        let pair = try LoopbackListener().connect()
        let clientSession = try client.makeSession(fd: pair.client, identity: TLSPeerIdentity(host: c.host))
        let serverSession = try server.makeSession(fd: pair.server, identity: nil)
        let (result, _) = handshake(client: clientSession, server: serverSession, pair: pair)
        return (result, clientSession)
    }

    @Test(
        "each case passes or fails with its check, naming the certificate and the name or address",
        arguments: BadCertificateMatrix.shared.cases)
    func matrixCase(_ c: BadCertificateMatrix.Case) throws {
        let (result, session) = try Self.handshakeOutcome(c)
        guard let expected = c.expectedCheck else {
            #expect(result == .done(0), "\(c.name): \(String(describing: result))")
            #expect(session.verifiedIdentity == TLSPeerIdentity(host: c.host))
            return
        }
        guard case .failed(let error)? = result else {
            Issue.record("\(c.name): expected \(expected), got \(String(describing: result))")
            return
        }
        #expect(error.kind == .certificateVerification, "\(c.name): \(error)")
        #expect(error.check == expected, "\(c.name): \(error)")
        for w in c.expectedWords { #expect(error.message.contains(w), "\(c.name): \"\(w)\" not in \(error.message)") }
    }

    /// OpenSSL 3.0 refuses SHA-1 signatures from level 1 on, but a 1024-bit RSA key only from level 2.
    @Test(
        "security level: OpenSSL's default level 1 accepts the RSA-1024 leaf, wsload's level 2 refuses it; SHA-1 fails at both",
        arguments: [("rsa-1024", 1, true), ("rsa-1024", 2, false), ("sha1", 1, false), ("sha1", 0, true)])
    func securityLevelMatters(name: String, level: Int32, passes: Bool) throws {
        let c = Self.matrix.case(name)
        let client = try TLSContext(client: TLSClientConfiguration(caFile: Self.matrix.rootPath))
        #expect(TLSContext.clientSecurityLevel == 2)
        SSL_CTX_set_security_level(client.ctx, level)  // before the session is made: SSL_new copies it
        let server = try TLSContext(server: TLSServerConfiguration(certificateChainFile: c.chainPath, privateKeyFile: c.keyPath, securityLevel: 0))
        let pair = try LoopbackListener().connect()
        let s = try client.makeSession(fd: pair.client, identity: TLSPeerIdentity(host: c.host))
        let (result, _) = handshake(client: s, server: try server.makeSession(fd: pair.server, identity: nil), pair: pair)
        #expect((result == .done(0)) == passes, "\(String(describing: result))")
    }

    @Test("a self-signed CA:TRUE certificate trusted directly (--ca-file self.pem) is still accepted")
    func directlyTrustedCACertificate() throws {
        let direct = Self.matrix.directory + "/direct.pem"
        let server = try TLSContext(
            server: TLSServerConfiguration(
                certificateChainFile: direct,
                privateKeyFile: Self.matrix.directory + "/direct-key.pem"))
        let client = try TLSContext(client: TLSClientConfiguration(caFile: direct))
        let pair = try LoopbackListener().connect()
        let s = try client.makeSession(fd: pair.client, identity: .dnsName("localhost"))
        let (result, _) = handshake(client: s, server: try server.makeSession(fd: pair.server, identity: nil), pair: pair)
        #expect(result == .done(0), "\(String(describing: result))")
    }
}
