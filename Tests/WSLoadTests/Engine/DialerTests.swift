import Foundation
import Testing
import WSProtocol

@testable import WSLoad

/// ``Dialer``: the one resolve → TLS context → settings → upgrade request path, and proof that every caller
/// that opens a connection goes through it (the same configuration error reads the same from each).
@Suite struct DialerTests {
    private static let v6 = SocketAddress(ip: "::1", port: 0)!
    private static let v4 = SocketAddress(ip: "127.0.0.2", port: 0)!

    @Test func resolvesInTheSourcesFamilyAndRejectsAMixedFamily() throws {
        let url = try WebSocketURL("ws://127.0.0.1:8080/ws")
        let plain = try Dialer(url: url, tlsIdentity: nil)
        #expect(plain.destination == SocketAddress(ip: "127.0.0.1", port: 8080))
        // `connectTo` replaces the URL's host for the address only.
        let pinned = try Dialer(url: url, connectTo: "::1", sources: [Self.v6], tlsIdentity: nil)
        #expect(pinned.destination == SocketAddress(ip: "::1", port: 8080))
        #expect(pinned.request().host == "127.0.0.1:8080")
        #expect {
            try Dialer(url: url, sources: [Self.v6], tlsIdentity: nil)
        } throws: { error in
            "\(error)" == "source address ::1 is IPv6 but the target 127.0.0.1 is not"
        }
        #expect(throws: PlanError.self) { try Dialer(url: url, sources: [Self.v4, Self.v6], tlsIdentity: nil) }
    }

    @Test func aKnownAddressIsNotResolved() throws {
        // A name that cannot resolve: with an address given the dialer never asks.
        let url = try WebSocketURL("wss://pod.invalid:9443/ws")
        let address = SocketAddress(ip: "127.0.0.1", port: 9443)!
        let d = try Dialer(
            url: url, address: address, tls: TLSClientConfiguration(verifyPeer: false), tlsIdentity: TLSPeerIdentity(host: "pod.invalid"))
        #expect(d.destination == address)
        #expect(d.tlsIdentity == .dnsName("pod.invalid"))
        #expect(d.settings.tls != nil)
    }

    @Test func tlsContextOnlyForWSSAndOptionsReachTheSettings() throws {
        let options = DialOptions(
            deflate: PerMessageDeflateOffer(), connectTimeout: 1.5, tlsTimeout: 2.5, upgradeTimeout: 3.5,
            closeTimeout: 4.5, pingInterval: 5.5, pongTimeout: 6.5)
        let ws = try Dialer(url: WebSocketURL("ws://127.0.0.1:1/"), tlsIdentity: nil, options: options)
        #expect(ws.settings.tls == nil)
        let s = ws.settings
        #expect([s.connectTimeout, s.tlsTimeout, s.upgradeTimeout, s.closeTimeout, s.pingInterval, s.pongTimeout] == [1.5, 2.5, 3.5, 4.5, 5.5, 6.5])
        #expect(s.deflateOffer != nil)
        let wss = try Dialer(url: WebSocketURL("wss://127.0.0.1:1/"), tlsIdentity: nil)
        #expect(wss.settings.tls != nil)
        #expect(wss.settings.deflateOffer == nil)
    }

    @Test func requestCarriesTargetOriginSubprotocolsOfferAndOneCookieHeader() throws {
        let d = try Dialer(
            url: WebSocketURL("ws://127.0.0.1:8080/ws?x=1"), tlsIdentity: nil,
            options: DialOptions(deflate: PerMessageDeflateOffer(), origin: "https://app.example", subprotocols: ["chat"]))
        let r = d.request(cookieHeader: "SERVERID=ws-1", headers: HTTPHeaders([("Cookie", "a=1"), ("X-Test", "yes")]))
        #expect(r.path == "/ws?x=1")
        #expect(r.host == "127.0.0.1:8080")
        #expect(r.origin == "https://app.example")
        #expect(r.subprotocols == ["chat"])
        #expect(r.extensionOffers == [PerMessageDeflateOffer().headerValue])
        #expect(r.cookieHeader == "a=1; SERVERID=ws-1")
        #expect(r.extraHeaders.values("Cookie").isEmpty)
        #expect(r.extraHeaders.first("X-Test") == "yes")
        #expect(d.request(target: "/runCase?case=3").path == "/runCase?case=3")
        // A fresh key per request (RFC 6455 §4.1: randomly selected for each connection).
        #expect(d.request().key != d.request().key)
    }

    /// Every caller dials through ``Dialer``: an unusable CA file fails each of them with the dialer's one phrase,
    /// before anything connects.
    @Test func everyCallerReportsTheSameTLSConfigurationError() throws {
        let caFile = "/nonexistent/wsload-dialer-ca.pem"
        let tls = TLSClientConfiguration(caFile: caFile)
        let url = try WebSocketURL("wss://127.0.0.1:1/ws")
        var messages: [String: String] = [:]
        func capture(_ caller: String, _ body: () throws -> Void) {
            do { try body(); messages[caller] = "no error" } catch { messages[caller] = "\(error)" }
        }
        capture("dialer") { _ = try Dialer(url: url, tls: tls, tlsIdentity: nil) }
        capture("connect") { _ = try ConnectionProbe.run(url: url, tls: tls, timeout: 1, wait: 0) }
        capture("shell") { _ = try InteractiveSession(url: url, tls: tls, output: { _ in }) }
        capture("run") {
            var plan = RunPlan(url: url)
            plan.tls = tls
            _ = try LoadEngine(plan: plan)
        }
        capture("portforward") {
            var plan = PortForwardPlan()
            plan.tls = tls
            _ = try ForwardConnectionPool(plan: plan, port: 1, label: "wsload.test.dialer")
        }
        let expected = messages["dialer"]!
        #expect(expected.contains("cannot load CA file \(caFile)"), "\(expected)")
        for (caller, message) in messages { #expect(message == expected, "\(caller): \(message)") }
    }

    /// Choosing the destination is the dialer's too: a source of the other family reads the same from connect,
    /// shell and run (numeric addresses only: no name is looked up).
    @Test func everyCallerReportsTheSameFamilyMismatch() throws {
        let url = try WebSocketURL("ws://127.0.0.1:1/ws")
        var messages: [String] = []
        func capture(_ body: () throws -> Void) {
            do { try body(); messages.append("no error") } catch { messages.append("\(error)") }
        }
        capture { _ = try Dialer(url: url, sources: [Self.v6], tlsIdentity: nil) }
        capture { _ = try ConnectionProbe.run(url: url, source: Self.v6, timeout: 1, wait: 0) }
        capture { _ = try InteractiveSession(url: url, sources: [Self.v6], output: { _ in }) }
        capture {
            var plan = RunPlan(url: url)
            plan.sources = [Self.v6]
            _ = try LoadEngine(plan: plan)
        }
        #expect(messages[0] == "source address ::1 is IPv6 but the target 127.0.0.1 is not")
        #expect(Set(messages).count == 1, "\(messages)")
    }
}
