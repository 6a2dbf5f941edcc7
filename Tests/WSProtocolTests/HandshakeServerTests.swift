import Testing

@testable import WSProtocol

/// The server role (RFC 6455 §4.2) and a full client ⇄ server handshake round trip.
@Suite struct HandshakeServerTests {
    static let key = "dGhlIHNhbXBsZSBub25jZQ=="

    static func request(_ lines: [(String, String)], method: String = "GET", version: String = "HTTP/1.1") -> RequestHead {
        RequestHead(method: method, target: "/", version: version, headers: HTTPHeaders(lines))
    }

    static let goodLines: [(String, String)] = [
        ("Host", "example.com"), ("Upgrade", "websocket"), ("Connection", "Upgrade"),
        ("Sec-WebSocket-Key", key), ("Sec-WebSocket-Version", "13"),
    ]

    static func replacing(_ name: String, with value: String?) -> [(String, String)] {
        var lines = goodLines.filter { $0.0 != name }
        if let value { lines.append((name, value)) }
        return lines
    }

    @Test func acceptsMinimalRequestByteExact() throws {
        let (response, subprotocol, deflate) = try ServerHandshake.accept(Self.request(Self.goodLines))
        #expect(subprotocol == nil)
        #expect(deflate == nil)
        #expect(
            String(decoding: response, as: UTF8.self)
                == "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"
        )
    }

    struct BadCase: Sendable, CustomTestStringConvertible {
        var name: String
        var head: RequestHead
        var messageContains: String
        var testDescription: String { name }
    }

    static let badCases: [BadCase] = [
        BadCase(name: "POST", head: request(goodLines, method: "POST"), messageContains: "GET"),
        BadCase(name: "HTTP/1.0", head: request(goodLines, version: "HTTP/1.0"), messageContains: "1.1"),
        BadCase(name: "no Host", head: request(replacing("Host", with: nil)), messageContains: "Host"),
        BadCase(name: "no Upgrade", head: request(replacing("Upgrade", with: nil)), messageContains: "Upgrade"),
        BadCase(name: "Upgrade h2c", head: request(replacing("Upgrade", with: "h2c")), messageContains: "Upgrade"),
        BadCase(name: "Connection close", head: request(replacing("Connection", with: "close")), messageContains: "Connection"),
        BadCase(name: "no key", head: request(replacing("Sec-WebSocket-Key", with: nil)), messageContains: "missing Sec-WebSocket-Key"),
        BadCase(
            name: "short key", head: request(replacing("Sec-WebSocket-Key", with: Base64.encode([UInt8](repeating: 1, count: 15)))),
            messageContains: "16 bytes"),
        BadCase(name: "non-base64 key", head: request(replacing("Sec-WebSocket-Key", with: "not base64!!")), messageContains: "16 bytes"),
        BadCase(name: "two keys", head: request(goodLines + [("Sec-WebSocket-Key", key)]), messageContains: "more than one"),
        BadCase(name: "version 8", head: request(replacing("Sec-WebSocket-Version", with: "8")), messageContains: "426"),
        BadCase(name: "no version", head: request(replacing("Sec-WebSocket-Version", with: nil)), messageContains: "Sec-WebSocket-Version: 13"),
    ]

    @Test(arguments: badCases)
    func rejectsBadRequests(_ c: BadCase) {
        #expect {
            _ = try ServerHandshake.accept(c.head)
        } throws: { error in
            guard let error = error as? HandshakeError, case .badRequest(let message) = error else { return false }
            return message.contains(c.messageContains)
        }
    }

    @Test func toleratesCaseAndListForms() throws {
        let lines: [(String, String)] = [
            ("host", "h"), ("upgrade", "WebSocket"), ("connection", "keep-alive, upgrade"),
            ("sec-websocket-key", Self.key), ("sec-websocket-version", "13"),
        ]
        #expect(throws: Never.self) { _ = try ServerHandshake.accept(Self.request(lines, version: "HTTP/1.1")) }
    }

    @Test func subprotocolFollowsServerPreference() throws {
        let head = Self.request(Self.goodLines + [("Sec-WebSocket-Protocol", "chat, superchat")])
        #expect(try ServerHandshake.accept(head, subprotocols: ["superchat", "chat"]).subprotocol == "superchat")
        #expect(try ServerHandshake.accept(head, subprotocols: ["mqtt"]).subprotocol == nil)
        #expect(try ServerHandshake.accept(head).subprotocol == nil)
    }

    struct NegotiationCase: Sendable, CustomTestStringConvertible {
        var offer: String
        var config: PerMessageDeflateServerConfig
        var response: String?
        var parameters: DeflateParameters?
        var testDescription: String { offer }
    }

    static let negotiationCases: [NegotiationCase] = [
        NegotiationCase(offer: "permessage-deflate", config: .init(), response: "permessage-deflate", parameters: DeflateParameters()),
        NegotiationCase(
            offer: "permessage-deflate; client_max_window_bits", config: .init(), response: "permessage-deflate", parameters: DeflateParameters()),
        NegotiationCase(
            offer: "permessage-deflate; client_max_window_bits", config: .init(clientMaxWindowBits: 10),
            response: "permessage-deflate; client_max_window_bits=10", parameters: DeflateParameters(receiveMaxWindowBits: 10)),
        NegotiationCase(
            offer: "permessage-deflate", config: .init(clientMaxWindowBits: 10), response: "permessage-deflate", parameters: DeflateParameters()),
        NegotiationCase(
            offer: "permessage-deflate; client_max_window_bits=12", config: .init(), response: "permessage-deflate; client_max_window_bits=12",
            parameters: DeflateParameters(receiveMaxWindowBits: 12)),
        NegotiationCase(
            offer: "permessage-deflate; server_max_window_bits=10", config: .init(), response: "permessage-deflate; server_max_window_bits=10",
            parameters: DeflateParameters(sendMaxWindowBits: 10)),
        NegotiationCase(
            offer: "permessage-deflate", config: .init(serverMaxWindowBits: 11), response: "permessage-deflate; server_max_window_bits=11",
            parameters: DeflateParameters(sendMaxWindowBits: 11)),
        NegotiationCase(
            offer: "permessage-deflate; server_no_context_takeover; client_no_context_takeover", config: .init(),
            response: "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
            parameters: DeflateParameters(sendNoContextTakeover: true, receiveNoContextTakeover: true)),
        NegotiationCase(
            offer: "permessage-deflate; server_max_window_bits=8, permessage-deflate", config: .init(), response: "permessage-deflate",
            parameters: DeflateParameters()),
        NegotiationCase(
            offer: "permessage-deflate; bogus, permessage-deflate; server_max_window_bits=9", config: .init(),
            response: "permessage-deflate; server_max_window_bits=9", parameters: DeflateParameters(sendMaxWindowBits: 9)),
        NegotiationCase(offer: "x-webkit-deflate-frame", config: .init(), response: nil, parameters: nil),
        NegotiationCase(offer: "permessage-deflate; server_max_window_bits", config: .init(), response: nil, parameters: nil),
        NegotiationCase(offer: "permessage-deflate; client_max_window_bits=16", config: .init(), response: nil, parameters: nil),
        NegotiationCase(offer: "permessage-deflate; \"broken", config: .init(), response: nil, parameters: nil),
    ]

    @Test(arguments: negotiationCases)
    func serverNegotiation(_ c: NegotiationCase) throws {
        let head = Self.request(Self.goodLines + [("Sec-WebSocket-Extensions", c.offer)])
        let accepted = try ServerHandshake.accept(head, deflate: c.config)
        #expect(accepted.deflate == c.parameters)
        var parser = ResponseHeadParser()
        let response = try #require(try parser.feed(accepted.response))
        #expect(response.head.headers.first("Sec-WebSocket-Extensions") == c.response)
        // Without a server config nothing is negotiated.
        #expect(try ServerHandshake.accept(head).deflate == nil)
    }

    struct RoundTripCase: Sendable, CustomTestStringConvertible {
        var offer: PerMessageDeflateOffer?
        var config: PerMessageDeflateServerConfig?
        var testDescription: String { "\(offer?.headerValue ?? "no offer") / \(config.map { "\($0)" } ?? "no deflate")" }
    }

    static let roundTripCases: [RoundTripCase] = [
        RoundTripCase(offer: nil, config: nil),
        RoundTripCase(offer: PerMessageDeflateOffer(), config: nil),
        RoundTripCase(offer: nil, config: .init()),
        RoundTripCase(offer: PerMessageDeflateOffer(), config: .init()),
        RoundTripCase(offer: PerMessageDeflateOffer(), config: .init(clientMaxWindowBits: 9, clientNoContextTakeover: true)),
        RoundTripCase(
            offer: PerMessageDeflateOffer(
                clientMaxWindowBits: 12, serverMaxWindowBits: 10, clientNoContextTakeover: true, serverNoContextTakeover: true), config: .init()),
        RoundTripCase(
            offer: PerMessageDeflateOffer(clientMaxWindowBits: nil, serverMaxWindowBits: 9),
            config: .init(serverMaxWindowBits: 12, clientMaxWindowBits: 10)),
    ]

    @Test(arguments: roundTripCases)
    func clientServerRoundTrip(_ c: RoundTripCase) throws {
        let key = HandshakeKey.make(Array("0123456789abcdef".utf8))
        let request = UpgradeRequest(
            host: "localhost:9001", path: "/echo?id=7", key: key, origin: "http://localhost",
            subprotocols: ["wsload.v1", "chat"], extensionOffers: c.offer.map { [$0.headerValue] } ?? [],
            cookieHeader: "SERVERID=pod-1", extraHeaders: HTTPHeaders([("X-Run-Id", "r1")]))

        var requestParser = RequestHeadParser()
        let pipelined: [UInt8] = [0x81, 0x82]
        let parsedRequest = try #require(try requestParser.feed(request.serialize() + pipelined))
        #expect(parsedRequest.remainder == pipelined)
        #expect(parsedRequest.head.target == "/echo?id=7")
        #expect(parsedRequest.head.headers.first("cookie") == "SERVERID=pod-1")

        let accepted = try ServerHandshake.accept(
            parsedRequest.head, subprotocols: ["chat"], deflate: c.config,
            extraHeaders: HTTPHeaders([("X-Pod-Name", "pod-1"), ("Set-Cookie", "SERVERID=pod-1; Path=/")]))
        #expect(accepted.subprotocol == "chat")

        var responseParser = ResponseHeadParser()
        let parsedResponse = try #require(try responseParser.feed(accepted.response))
        #expect(parsedResponse.remainder.isEmpty)
        #expect(parsedResponse.head.headers.first("x-pod-name") == "pod-1")
        let result = try HandshakeValidator.validate(parsedResponse.head, request: request, deflateOffer: c.offer)
        #expect(result.subprotocol == "chat")

        guard c.offer != nil, c.config != nil else {
            #expect(result.deflate == nil)
            #expect(accepted.deflate == nil)
            return
        }
        let clientParameters = try #require(result.deflate)
        let serverParameters = try #require(accepted.deflate)
        // Each side's send direction is the other's receive direction.
        #expect(clientParameters.sendMaxWindowBits == serverParameters.receiveMaxWindowBits)
        #expect(clientParameters.sendNoContextTakeover == serverParameters.receiveNoContextTakeover)
        #expect(clientParameters.receiveMaxWindowBits == serverParameters.sendMaxWindowBits)
        #expect(clientParameters.receiveNoContextTakeover == serverParameters.sendNoContextTakeover)

        // The codecs built from both results interoperate in both directions.
        let client = try PerMessageDeflate(clientParameters)
        let server = try PerMessageDeflate(serverParameters)
        for text in ["Hello", "Hello", String(repeating: "wsload ", count: 500), ""] {
            let message = Array(text.utf8)
            #expect(try server.decompress(client.compress(message), isFinal: true, maxMessageSize: 1 << 20) == message)
            #expect(try client.decompress(server.compress(message), isFinal: true, maxMessageSize: 1 << 20) == message)
        }
    }

    @Test func errorResponseFormat() throws {
        let bytes = ServerHandshake.errorResponse(
            status: 426, reason: "Upgrade Required", body: "use WebSocket version 13\n",
            extraHeaders: HTTPHeaders([("Sec-WebSocket-Version", "13")]))
        #expect(
            String(decoding: bytes, as: UTF8.self)
                == "HTTP/1.1 426 Upgrade Required\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 25\r\n"
                + "Connection: close\r\nSec-WebSocket-Version: 13\r\n\r\nuse WebSocket version 13\n")
        var parser = ResponseHeadParser()
        let parsed = try #require(try parser.feed(bytes))
        #expect(parsed.head.status == 426)
        #expect(parsed.remainder == Array("use WebSocket version 13\n".utf8))
        let request = UpgradeRequest(host: "h", path: "/", key: Self.key)
        #expect(throws: HandshakeError.unexpectedStatus(426, reason: "Upgrade Required")) {
            _ = try HandshakeValidator.validate(parsed.head, request: request, deflateOffer: nil)
        }
    }
}
