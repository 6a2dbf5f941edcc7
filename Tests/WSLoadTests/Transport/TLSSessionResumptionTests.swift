import Testing

@testable import WSLoad

/// Client session resumption through the context's session cache.
@Suite("TLS session resumption")
struct TLSSessionResumptionTests {
    let certificates = TestCertificates.shared

    /// Connects twice to one listener with one pair of contexts; returns `sessionReused` of each
    /// connection's client and server, and the cache size after the first connection.
    private func connectTwice(
        resumption: Bool, maximumVersion: TLSVersion?
    ) throws -> (first: Bool, second: Bool, serverSecond: Bool, cached: Int?) {
        let (clientContext, serverContext) = try makeContexts(
            client: TLSClientConfiguration(
                caFile: certificates.caCertificatePath, sessionResumption: resumption,
                maximumVersion: maximumVersion))
        let listener = try LoopbackListener()
        var reused: [Bool] = []
        var serverReused = false
        var cached: Int? = nil
        for round in 0..<2 {
            let pair = try listener.connect()
            let client = try clientContext.makeSession(fd: pair.client, serverName: "localhost")
            let server = try serverContext.makeSession(fd: pair.server, serverName: nil)
            let (c, s) = handshake(client: client, server: server, pair: pair)
            #expect(c == .done(0) && s == .done(0))
            // TLS 1.3 tickets arrive after the handshake: one read collects them.
            #expect(readUntilBlocked(client, fd: pair.client) == .wantRead)
            reused.append(client.sessionReused)
            if round == 0 { cached = clientContext.sessionCache?.count }
            if round == 1 { serverReused = server.sessionReused }
            client.shutdown()
            server.shutdown()
        }
        return (reused[0], reused[1], serverReused, cached)
    }

    @Test("second connection resumes when enabled", arguments: [nil, TLSVersion.tls12])
    func resumes(maximumVersion: TLSVersion?) throws {
        let r = try connectTwice(resumption: true, maximumVersion: maximumVersion)
        #expect(r.cached == 1)
        #expect(r.first == false)
        #expect(r.second == true)
        #expect(r.serverSecond == true)
    }

    @Test("no resumption when disabled")
    func disabled() throws {
        let r = try connectTwice(resumption: false, maximumVersion: nil)
        #expect(r.cached == nil)
        #expect(r.first == false)
        #expect(r.second == false)
        #expect(r.serverSecond == false)
    }

    /// Also proves that connections dropped without `shutdown()` (OpenSSL then marks their own
    /// session not resumable) do not spoil the cache: nothing here sends close_notify.
    @Test("an explicit resumption key separates cache entries; unclean closes keep them usable")
    func explicitKey() throws {
        let (clientContext, serverContext) = try makeContexts(
            client: TLSClientConfiguration(
                caFile: certificates.caCertificatePath, sessionResumption: true))
        let listener = try LoopbackListener()
        var reused: [Bool] = []
        for key in ["a", "b", "a"] {
            let pair = try listener.connect()
            let client = try clientContext.makeSession(
                fd: pair.client, serverName: "localhost", resumptionKey: key)
            let server = try serverContext.makeSession(fd: pair.server, serverName: nil)
            let (c, s) = handshake(client: client, server: server, pair: pair)
            #expect(c == .done(0) && s == .done(0))
            #expect(readUntilBlocked(client, fd: pair.client) == .wantRead)
            reused.append(client.sessionReused)
        }
        #expect(reused == [false, false, true])
        #expect(clientContext.sessionCache?.count == 2)
    }
}
