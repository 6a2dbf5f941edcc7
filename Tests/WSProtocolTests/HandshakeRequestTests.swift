import Testing

@testable import WSProtocol

/// The client's upgrade request bytes (RFC 6455 §4.1).
@Suite struct HandshakeRequestTests {
    @Test func minimalRequestIsByteExact() {
        let request = UpgradeRequest(host: "example.com", path: "/chat", key: "dGhlIHNhbXBsZSBub25jZQ==")
        let expected =
            "GET /chat HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        #expect(String(decoding: request.serialize(), as: UTF8.self) == expected)
    }

    @Test func fullRequestOrder() {
        let request = UpgradeRequest(
            host: "example.com:8080", path: "/ws?x=1", key: "dGhlIHNhbXBsZSBub25jZQ==", origin: "http://example.com",
            subprotocols: ["chat", "superchat"], extensionOffers: [PerMessageDeflateOffer().headerValue, "x-other"],
            cookieHeader: "SERVERID=s1; a=b", extraHeaders: HTTPHeaders([("X-Run", "42"), ("User-Agent", "wsload")]))
        let expected =
            "GET /ws?x=1 HTTP/1.1\r\nHost: example.com:8080\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: http://example.com\r\n"
            + "Sec-WebSocket-Protocol: chat, superchat\r\n"
            + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits, x-other\r\n"
            + "Cookie: SERVERID=s1; a=b\r\nX-Run: 42\r\nUser-Agent: wsload\r\n\r\n"
        #expect(String(decoding: request.serialize(), as: UTF8.self) == expected)
    }

    @Test func crlfIsStrippedToPreventHeaderInjection() throws {
        let request = UpgradeRequest(
            host: "example.com\r\nX-Injected: 1", path: "/a b\r\n", key: "k", cookieHeader: "a=b\r\n\r\nGET / HTTP/1.1",
            extraHeaders: HTTPHeaders([("X-\nEvil", "v\r\nX-Also: 2")]))
        let bytes = request.serialize()
        var parser = RequestHeadParser()
        let parsed = try #require(try parser.feed(bytes))
        #expect(parsed.remainder.isEmpty)
        #expect(parsed.head.target == "/a%20b")
        #expect(parsed.head.headers.first("Host") == "example.comX-Injected: 1")
        #expect(!parsed.head.headers.contains("X-Injected"))
        #expect(!parsed.head.headers.contains("X-Also"))
        #expect(parsed.head.headers.first("Cookie") == "a=bGET / HTTP/1.1")
        #expect(parsed.head.headers.first("X-Evil") == "vX-Also: 2")
    }

    @Test func emptyPathBecomesSlash() {
        let request = UpgradeRequest(host: "h", path: "", key: "k")
        #expect(String(decoding: request.serialize(), as: UTF8.self).hasPrefix("GET / HTTP/1.1\r\n"))
    }
}
