import Testing

@testable import WSLoad

/// TLSContext construction and configuration errors.
@Suite("TLS contexts")
struct TLSContextTests {
    let certificates = TestCertificates.shared

    private func configurationError(_ body: () throws -> Void) -> TLSError? {
        do {
            try body()
            return nil
        } catch {
            return error as? TLSError
        }
    }

    @Test("defaults: verify against the system store, offer http/1.1, TLS 1.2 or newer")
    func defaults() throws {
        let configuration = TLSClientConfiguration()
        #expect(configuration.verifyPeer)
        #expect(configuration.caFile == nil)
        #expect(configuration.alpn == ["http/1.1"])
        #expect(configuration.sessionResumption == false)
        #expect(configuration.minimumVersion == .tls12)
        let context = try TLSContext(client: configuration)
        #expect(context.role == .client)
        #expect(context.clientConfiguration == configuration)
        #expect(context.sessionCache == nil)
    }

    @Test("server context from the generated certificate and key")
    func serverContext() throws {
        let context = try TLSContext(
            server: TLSServerConfiguration(
                certificateChainFile: certificates.certificatePath,
                privateKeyFile: certificates.privateKeyPath))
        #expect(context.role == .server)
    }

    @Test("configuration errors name the problem")
    func errors() {
        let missingCA = configurationError {
            _ = try TLSContext(client: TLSClientConfiguration(caFile: "/nonexistent/ca.pem"))
        }
        #expect(missingCA?.kind == .configuration)
        #expect(missingCA?.message.hasPrefix("cannot load CA file /nonexistent/ca.pem") == true)

        let missingCertificate = configurationError {
            _ = try TLSContext(
                server: TLSServerConfiguration(
                    certificateChainFile: "/nonexistent/cert.pem",
                    privateKeyFile: certificates.privateKeyPath))
        }
        #expect(missingCertificate?.kind == .configuration)
        #expect(missingCertificate?.message.contains("/nonexistent/cert.pem") == true)

        let mismatchedKey = configurationError {
            _ = try TLSContext(
                server: TLSServerConfiguration(
                    certificateChainFile: certificates.certificatePath,
                    privateKeyFile: certificates.selfSignedPrivateKeyPath))
        }
        #expect(mismatchedKey?.kind == .configuration)

        let emptyALPN = configurationError {
            _ = try TLSContext(client: TLSClientConfiguration(alpn: [""]))
        }
        #expect(emptyALPN?.kind == .configuration)
        #expect(emptyALPN?.message.contains("ALPN") == true)

        let longALPN = configurationError {
            _ = try TLSContext(
                server: TLSServerConfiguration(
                    certificateChainFile: certificates.certificatePath,
                    privateKeyFile: certificates.privateKeyPath,
                    alpn: [String(repeating: "x", count: 256)]))
        }
        #expect(longALPN?.kind == .configuration)

        let inverted = configurationError {
            _ = try TLSContext(
                client: TLSClientConfiguration(
                    minimumVersion: .tls13, maximumVersion: .tls12))
        }
        #expect(inverted?.kind == .configuration)
        #expect(inverted?.message.contains("older than minimum") == true)
    }

    @Test("host names: IP literals get no SNI, brackets and a trailing dot are stripped")
    func hostNames() throws {
        #expect(TLSPeerIdentity(host: "127.0.0.1") == .ipAddress("127.0.0.1"))
        #expect(TLSPeerIdentity(host: "::1") == .ipAddress("::1"))
        #expect(TLSPeerIdentity(host: "localhost") == .dnsName("localhost"))
        #expect(TLSPeerIdentity(host: "1.2.3.4.example") == .dnsName("1.2.3.4.example"))
        #expect(TLSPeerIdentity(host: "[::1]") == .ipAddress("::1"))
        #expect(TLSPeerIdentity(host: "example.com.") == .dnsName("example.com"))
        #expect(
            try TLSContext.alpnWireFormat(["h2", "http/1.1"])
                == [2] + Array("h2".utf8) + [8] + Array("http/1.1".utf8))
    }

    @Test("one context makes many sessions; sessions keep their context alive")
    func manySessions() throws {
        var sessions: [TLSSession] = []
        do {
            let context = try TLSContext(client: TLSClientConfiguration(verifyPeer: false))
            for _ in 0..<100 {
                sessions.append(try context.makeSession(fd: -1, serverName: "example.com"))
            }
        }
        #expect(sessions.allSatisfy { $0.context.role == .client && !$0.isHandshakeComplete })
        #expect(sessions[0].protocolVersion == nil)
        #expect(sessions[0].negotiatedALPN == nil)
    }
}
