import Testing

@testable import WSLoad

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// TLSSession over real loopback TCP connections, both ends non-blocking and driven by poll().
@Suite("TLS sessions over loopback TCP")
struct TLSSessionTests {
    let certificates = TestCertificates.shared

    @Test(
        "handshake with the CA file, ALPN http/1.1, TLS 1.3, echo both ways",
        arguments: ["127.0.0.1", "localhost"])
    func handshakeAndEcho(serverName: String) throws {
        let (clientContext, serverContext) = try makeContexts()
        let listener = try LoopbackListener()
        let pair = try listener.connect()
        let client = try clientContext.makeSession(fd: pair.client, serverName: serverName)
        let server = try serverContext.makeSession(fd: pair.server, serverName: nil)

        let (c, s) = handshake(client: client, server: server, pair: pair)
        #expect(c == .done(0))
        #expect(s == .done(0))
        #expect(client.isHandshakeComplete && server.isHandshakeComplete)
        #expect(client.negotiatedALPN == "http/1.1")
        #expect(server.negotiatedALPN == "http/1.1")
        #expect(client.protocolVersion == "TLSv1.3")
        #expect(server.protocolVersion == "TLSv1.3")
        #expect(client.cipher?.hasPrefix("TLS_") == true)
        #expect(client.peerCertificateSubject == "O=wsload test,CN=localhost")
        #expect(server.peerCertificateSubject == nil)  // no client certificate
        #expect(client.sessionReused == false)

        let ping = Array("GET / HTTP/1.1\r\nHost: \(serverName)\r\n\r\n".utf8)
        let up = transfer(ping, from: client, fd: pair.client, to: server, fd: pair.server)
        #expect(up.stats.failure == nil)
        #expect(up.received == ping)
        let down = transfer(up.received, from: server, fd: pair.server, to: client, fd: pair.client)
        #expect(down.stats.failure == nil)
        #expect(down.received == ping)
    }

    @Test(
        "the browsers' TLS 1.3 cipher-suite order by default; a configured list is what gets negotiated",
        arguments: [
            (nil, "TLS_AES_128_GCM_SHA256"), ("TLS_CHACHA20_POLY1305_SHA256", "TLS_CHACHA20_POLY1305_SHA256"),
            ("TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"),
        ] as [(String?, String)])
    func cipherSuites(configured: String?, negotiated: String) throws {
        var config = TLSClientConfiguration(caFile: certificates.caCertificatePath)
        if let configured { config.ciphersuites = configured }
        let (clientContext, serverContext) = try makeContexts(client: config)
        let pair = try LoopbackListener().connect()
        let client = try clientContext.makeSession(fd: pair.client, serverName: "localhost")
        let server = try serverContext.makeSession(fd: pair.server, serverName: nil)
        let (c, s) = handshake(client: client, server: server, pair: pair)
        #expect(c == .done(0) && s == .done(0))
        #expect(client.cipher == negotiated)
        #expect(server.cipher == negotiated)
    }

    @Test("an unknown cipher suite is a configuration error")
    func unknownCipherSuite() {
        #expect(TLSContext.ciphersuitesProblem("TLS_AES_128_GCM_SHA256") == nil)
        #expect(TLSContext.ciphersuitesProblem("NOPE")?.contains(#"unknown TLS 1.3 cipher suite "NOPE""#) == true)
        // OpenSSL itself would drop the typo and keep the rest: each name is checked.
        #expect(
            TLSContext.ciphersuitesProblem("TLS_AES_128_GCM_SHA256:TLS_AES_128_GCM_SHA265")?
                .contains(#"unknown TLS 1.3 cipher suite "TLS_AES_128_GCM_SHA265""#) == true)
        #expect(TLSContext.ciphersuitesProblem("TLS_AES_128_GCM_SHA256::")?.contains("separated by") == true)
        #expect(throws: TLSError.self) { try TLSContext(client: TLSClientConfiguration(ciphersuites: "NOPE")) }
    }

    @Test("TLS 1.2 when the client caps the version")
    func tls12() throws {
        let (clientContext, serverContext) = try makeContexts(
            client: TLSClientConfiguration(
                caFile: certificates.caCertificatePath, maximumVersion: .tls12))
        let pair = try LoopbackListener().connect()
        let client = try clientContext.makeSession(fd: pair.client, serverName: "localhost")
        let server = try serverContext.makeSession(fd: pair.server, serverName: nil)
        let (c, s) = handshake(client: client, server: server, pair: pair)
        #expect(c == .done(0) && s == .done(0))
        #expect(client.protocolVersion == "TLSv1.2")
        #expect(client.negotiatedALPN == "http/1.1")
    }

    @Test("system trust store rejects the test CA with a named reason")
    func systemStoreRejects() throws {
        let (clientContext, serverContext) = try makeContexts(client: TLSClientConfiguration())
        let pair = try LoopbackListener().connect()
        let client = try clientContext.makeSession(fd: pair.client, serverName: "127.0.0.1")
        let server = try serverContext.makeSession(fd: pair.server, serverName: nil)

        let (c, s) = handshake(client: client, server: server, pair: pair)
        guard case .failed(let error)? = c else {
            Issue.record("expected a verification failure, got \(String(describing: c))")
            return
        }
        #expect(error.kind == .certificateVerification)
        #expect(
            error.message.hasPrefix(
                "certificate verify failed: issuer O=wsload test,CN=wsload test CA of the server's certificate O=wsload test,CN=localhost "
                    + "is neither among the trusted CAs nor sent by the server"))
        #expect(error.message.hasSuffix("[OpenSSL: unable to get local issuer certificate, verify error 20]"))
        #expect(error.check == "issuer not found")
        #expect(error.verifyResult == 20)  // X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY
        #expect(error.description.hasPrefix("TLS certificateVerification: certificate verify failed"))
        // The client's alert reaches the server, which fails its handshake too.
        guard case .failed(let serverError)? = s else {
            Issue.record("server should fail after the client's alert, got \(String(describing: s))")
            return
        }
        #expect(serverError.kind == .handshake)
        #expect(serverError.message.contains("unknown ca"))
        // A failed session stays failed, without calling into OpenSSL again.
        #expect(client.handshake() == c)
        var byte: UInt8 = 0
        #expect(withUnsafeMutableBytes(of: &byte) { client.read(into: $0) } == c)
        client.shutdown()  // no close_notify after a fatal error, and no crash
    }

    @Test("a self-signed server certificate is named as such")
    func selfSignedRejected() throws {
        let (clientContext, serverContext) = try makeContexts(
            client: TLSClientConfiguration(),
            server: TLSServerConfiguration(
                certificateChainFile: certificates.selfSignedCertificatePath,
                privateKeyFile: certificates.selfSignedPrivateKeyPath))
        let pair = try LoopbackListener().connect()
        let client = try clientContext.makeSession(fd: pair.client, serverName: "127.0.0.1")
        let server = try serverContext.makeSession(fd: pair.server, serverName: nil)
        let (c, _) = handshake(client: client, server: server, pair: pair)
        guard case .failed(let error)? = c else {
            Issue.record("expected a verification failure, got \(String(describing: c))")
            return
        }
        #expect(error.kind == .certificateVerification)
        #expect(
            error.message.hasPrefix(
                "certificate verify failed: the server's certificate O=wsload self-signed,CN=localhost is self-signed and is not among the trusted CAs"
            ))
        #expect(error.check == "self-signed certificate")
    }

    @Test(
        "a name the certificate does not cover fails verification",
        arguments: [("example.com", "host name example.com"), ("10.1.2.3", "IP address 10.1.2.3")])
    func wrongName(name: String, reason: String) throws {
        let (clientContext, serverContext) = try makeContexts()
        let pair = try LoopbackListener().connect()
        let client = try clientContext.makeSession(fd: pair.client, serverName: name)
        let server = try serverContext.makeSession(fd: pair.server, serverName: nil)
        let (c, _) = handshake(client: client, server: server, pair: pair)
        guard case .failed(let error)? = c else {
            Issue.record("expected a verification failure, got \(String(describing: c))")
            return
        }
        #expect(error.kind == .certificateVerification)
        #expect(error.message.hasPrefix("certificate verify failed: certificate does not match \(reason) (its names: IP:127.0.0.1, DNS:localhost)"))
    }

    @Test(
        "verifyPeer false accepts a self-signed certificate and a wrong name",
        arguments: ["example.com", "127.0.0.1"])
    func insecure(name: String) throws {
        let (clientContext, serverContext) = try makeContexts(
            client: TLSClientConfiguration(verifyPeer: false),
            server: TLSServerConfiguration(
                certificateChainFile: certificates.selfSignedCertificatePath,
                privateKeyFile: certificates.selfSignedPrivateKeyPath))
        let pair = try LoopbackListener().connect()
        let client = try clientContext.makeSession(fd: pair.client, serverName: name)
        let server = try serverContext.makeSession(fd: pair.server, serverName: nil)
        let (c, s) = handshake(client: client, server: server, pair: pair)
        #expect(c == .done(0))
        #expect(s == .done(0))
        #expect(client.peerCertificateSubject == "O=wsload self-signed,CN=localhost")
    }

    @Test("ALPN: server preference among offered protocols; none in common means no ALPN")
    func alpnSelection() throws {
        for (offered, expected) in [(["h2", "http/1.1"], "http/1.1"), (["h2"], nil)] as [([String], String?)] {
            let (clientContext, serverContext) = try makeContexts(
                client: TLSClientConfiguration(caFile: certificates.caCertificatePath, alpn: offered))
            let pair = try LoopbackListener().connect()
            let client = try clientContext.makeSession(fd: pair.client, serverName: "localhost")
            let server = try serverContext.makeSession(fd: pair.server, serverName: nil)
            let (c, s) = handshake(client: client, server: server, pair: pair)
            #expect(c == .done(0) && s == .done(0))
            #expect(client.negotiatedALPN == expected)
            #expect(server.negotiatedALPN == expected)
        }
    }

    @Test("1 MiB each way with small socket buffers: partial writes, want-write/want-read cycles, moved retry buffers")
    func largePayload() throws {
        let (clientContext, serverContext) = try makeContexts()
        let pair = try LoopbackListener().connect(bufferSize: 16 * 1024)
        let client = try clientContext.makeSession(fd: pair.client, serverName: "127.0.0.1")
        let server = try serverContext.makeSession(fd: pair.server, serverName: nil)
        let (c, s) = handshake(client: client, server: server, pair: pair)
        #expect(c == .done(0) && s == .done(0))

        var state = UInt64.random(in: 1...UInt64.max)  // xorshift64: fast even in debug builds
        var payload = [UInt8](repeating: 0, count: 1 << 20)
        payload.withUnsafeMutableBufferPointer { bytes in
            for index in bytes.indices {
                state ^= state << 13
                state ^= state >> 7
                state ^= state << 17
                bytes[index] = UInt8(truncatingIfNeeded: state)
            }
        }
        let up = transfer(payload, from: client, fd: pair.client, to: server, fd: pair.server)
        #expect(up.stats.failure == nil)
        #expect(up.received.count == payload.count)
        let upIntact = up.received == payload  // a Bool: #expect would diff 1 MiB arrays
        #expect(upIntact)
        #expect(up.stats.partialWrites > 10)  // at most one 16 KiB record per SSL_write
        #expect(up.stats.wantWrites > 0)
        #expect(up.stats.wantReads > 0)
        #expect(up.stats.dataReads > 10)

        let down = transfer(
            up.received, from: server, fd: pair.server, to: client, fd: pair.client,
            movingRetries: true)
        #expect(down.stats.failure == nil)
        #expect(down.stats.movedRetries > 0)
        let downIntact = down.received == payload
        #expect(downIntact)
        #expect(down.stats.wantWrites > 0)
        #expect(down.stats.wantReads > 0)
        #expect(client.pendingReadableBytes == 0)
    }

    @Test("shutdown sends close_notify: the peer reads .closed, and can answer in kind")
    func cleanShutdown() throws {
        let (clientContext, serverContext) = try makeContexts()
        let pair = try LoopbackListener().connect()
        let client = try clientContext.makeSession(fd: pair.client, serverName: "localhost")
        let server = try serverContext.makeSession(fd: pair.server, serverName: nil)
        let (c, s) = handshake(client: client, server: server, pair: pair)
        #expect(c == .done(0) && s == .done(0))

        client.shutdown()
        client.shutdown()  // idempotent
        #expect(readUntilBlocked(server, fd: pair.server) == .closed)
        #expect(server.receivedCloseNotify)
        var byte: UInt8 = 0
        #expect(withUnsafeMutableBytes(of: &byte) { server.read(into: $0) } == .closed)

        server.shutdown()
        #expect(readUntilBlocked(client, fd: pair.client) == .closed)
        #expect(client.receivedCloseNotify)
    }

    @Test("EOF without close_notify after the handshake reads as .closed")
    func eofAfterHandshake() throws {
        let (clientContext, serverContext) = try makeContexts()
        let pair = try LoopbackListener().connect()
        let client = try clientContext.makeSession(fd: pair.client, serverName: "localhost")
        let server = try serverContext.makeSession(fd: pair.server, serverName: nil)
        let (c, s) = handshake(client: client, server: server, pair: pair)
        #expect(c == .done(0) && s == .done(0))
        #expect(readUntilBlocked(client, fd: pair.client) == .wantRead)  // consume the ticket
        pair.closeClient()
        #expect(readUntilBlocked(server, fd: pair.server) == .closed)
        #expect(server.receivedCloseNotify == false)
        let bytes: [UInt8] = [1, 2, 3]
        #expect(bytes.withUnsafeBytes { server.write($0) } == .closed)
        server.shutdown()  // no close_notify into a dead connection, and no crash
    }

    enum MidHandshakeClose: String, CaseIterable, CustomTestStringConvertible {
        /// The server closes with the ClientHello unread: the kernel sends RST.
        case serverResetsWithUnreadHello
        /// The server reads the ClientHello as raw bytes, then closes: FIN.
        case serverClosesAfterReadingHello
        /// The client connects and closes before sending anything; the server sees EOF.
        case clientClosesBeforeHello
        /// The client sends half a ClientHello, then closes.
        case clientClosesMidHello

        var testDescription: String { rawValue }
    }

    @Test(
        "the peer closing the raw socket mid-handshake fails cleanly with a clear message",
        arguments: MidHandshakeClose.allCases)
    func peerClosesMidHandshake(scenario: MidHandshakeClose) throws {
        let (clientContext, serverContext) = try makeContexts()
        let pair = try LoopbackListener().connect()
        let result: TLSIOResult?
        switch scenario {
        case .serverResetsWithUnreadHello, .serverClosesAfterReadingHello:
            let client = try clientContext.makeSession(fd: pair.client, serverName: "localhost")
            #expect(client.handshake() == .wantRead)  // ClientHello sent
            if scenario == .serverClosesAfterReadingHello {
                var raw = [UInt8](repeating: 0, count: 4096)
                waitFor(.wantRead, fd: pair.server)
                #expect(recv(pair.server, &raw, raw.count, 0) > 0)
            }
            pair.closeServer()
            result = runUntilDone([(pair.client, { client.handshake() })])[0]
        case .clientClosesBeforeHello, .clientClosesMidHello:
            let server = try serverContext.makeSession(fd: pair.server, serverName: nil)
            #expect(server.handshake() == .wantRead)
            if scenario == .clientClosesMidHello {
                // A TLS record header announcing 200 bytes of handshake data, then only 4 of them.
                let partial: [UInt8] = [0x16, 0x03, 0x01, 0x00, 0xC8, 0x01, 0x00, 0x00, 0xC4]
                #expect(send(pair.client, partial, partial.count, 0) == partial.count)
            }
            pair.closeClient()
            result = runUntilDone([(pair.server, { server.handshake() })])[0]
        }
        guard case .failed(let error)? = result else {
            Issue.record("expected .failed, got \(String(describing: result))")
            return
        }
        switch scenario {
        case .serverResetsWithUnreadHello:
            #expect(error.kind == .io)
            #expect(error.errno == ECONNRESET)
            #expect(error.message.hasPrefix("socket error during TLS handshake: Connection reset by peer"))
        case .serverClosesAfterReadingHello, .clientClosesBeforeHello, .clientClosesMidHello:
            #expect(error.kind == .handshake)
            #expect(error.message.hasPrefix("connection closed by peer during TLS handshake (EOF)"))
        }
    }
}
