import Testing

@testable import WSProtocol

/// Client-side response validation table (RFC 6455 §4.1 steps 1–6, RFC 7692 §5/§7.1).
@Suite struct HandshakeValidatorTests {
    static let key = "dGhlIHNhbXBsZSBub25jZQ=="
    static let accept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="

    enum Expected: Sendable {
        case ok(subprotocol: String?, deflate: DeflateParameters?)
        case error(HandshakeError)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var status = 101
        var headers: [(String, String)]
        var offer: PerMessageDeflateOffer? = PerMessageDeflateOffer()
        var expected: Expected
        var testDescription: String { name }
    }

    static let base: [(String, String)] = [("Upgrade", "websocket"), ("Connection", "Upgrade"), ("Sec-WebSocket-Accept", accept)]
    static func pmd(_ value: String) -> [(String, String)] { base + [("Sec-WebSocket-Extensions", value)] }
    static func invalid(_ s: String) -> Expected { .error(.invalidExtensionParameters(s)) }
    static let plainDeflate = DeflateParameters()

    static let cases: [Case] = [
        Case(name: "plain 101", headers: base, expected: .ok(subprotocol: nil, deflate: nil)),
        Case(name: "status 200", status: 200, headers: base, expected: .error(.unexpectedStatus(200, reason: "Reason"))),
        Case(name: "status 302", status: 302, headers: base, expected: .error(.unexpectedStatus(302, reason: "Reason"))),
        Case(name: "no Upgrade", headers: [("Connection", "Upgrade"), ("Sec-WebSocket-Accept", accept)], expected: .error(.missingUpgradeHeader)),
        Case(
            name: "Upgrade h2c", headers: [("Upgrade", "h2c"), ("Connection", "Upgrade"), ("Sec-WebSocket-Accept", accept)],
            expected: .error(.missingUpgradeHeader)),
        Case(
            name: "Upgrade mixed case", headers: [("upgrade", "WebSocket"), ("Connection", "Upgrade"), ("Sec-WebSocket-Accept", accept)],
            expected: .ok(subprotocol: nil, deflate: nil)),
        Case(
            name: "no Connection", headers: [("Upgrade", "websocket"), ("Sec-WebSocket-Accept", accept)], expected: .error(.missingConnectionUpgrade)),
        Case(
            name: "Connection keep-alive", headers: [("Upgrade", "websocket"), ("Connection", "keep-alive"), ("Sec-WebSocket-Accept", accept)],
            expected: .error(.missingConnectionUpgrade)),
        Case(
            name: "Connection keep-alive, Upgrade",
            headers: [("Upgrade", "websocket"), ("Connection", "keep-alive, Upgrade"), ("Sec-WebSocket-Accept", accept)],
            expected: .ok(subprotocol: nil, deflate: nil)),
        Case(
            name: "nginx lower-case upgrade", headers: [("upgrade", "websocket"), ("connection", "upgrade"), ("sec-websocket-accept", accept)],
            expected: .ok(subprotocol: nil, deflate: nil)),
        Case(
            name: "wrong accept",
            headers: [("Upgrade", "websocket"), ("Connection", "Upgrade"), ("Sec-WebSocket-Accept", "AAAAAAAAAAAAAAAAAAAAAAAAAAA=")],
            expected: .error(.badAccept(expected: accept, got: "AAAAAAAAAAAAAAAAAAAAAAAAAAA="))),
        Case(
            name: "accept wrong case", headers: [("Upgrade", "websocket"), ("Connection", "Upgrade"), ("Sec-WebSocket-Accept", accept.lowercased())],
            expected: .error(.badAccept(expected: accept, got: accept.lowercased()))),
        Case(
            name: "missing accept", headers: [("Upgrade", "websocket"), ("Connection", "Upgrade")],
            expected: .error(.badAccept(expected: accept, got: nil))),
        Case(
            name: "two accepts", headers: base + [("Sec-WebSocket-Accept", accept)],
            expected: .error(.badAccept(expected: accept, got: accept + ", " + accept))),
        Case(name: "offered subprotocol", headers: base + [("Sec-WebSocket-Protocol", "chat")], expected: .ok(subprotocol: "chat", deflate: nil)),
        Case(name: "unoffered subprotocol", headers: base + [("Sec-WebSocket-Protocol", "mqtt")], expected: .error(.unofferedSubprotocol("mqtt"))),
        Case(name: "subprotocol case differs", headers: base + [("Sec-WebSocket-Protocol", "Chat")], expected: .error(.unofferedSubprotocol("Chat"))),
        Case(
            name: "two subprotocols in one value", headers: base + [("Sec-WebSocket-Protocol", "chat, superchat")],
            expected: .error(.unofferedSubprotocol("chat, superchat"))),
        Case(
            name: "two subprotocol headers", headers: base + [("Sec-WebSocket-Protocol", "chat"), ("Sec-WebSocket-Protocol", "chat")],
            expected: .error(.unofferedSubprotocol("chat, chat"))),
        Case(name: "unoffered extension", headers: pmd("x-webkit-deflate-frame"), expected: .error(.unofferedExtension("x-webkit-deflate-frame"))),
        Case(
            name: "deflate not offered", headers: pmd("permessage-deflate"), offer: nil, expected: .error(.unofferedExtension("permessage-deflate"))),
        Case(name: "deflate plus unknown", headers: pmd("permessage-deflate, foo"), expected: .error(.unofferedExtension("foo"))),
        Case(name: "deflate accepted", headers: pmd("permessage-deflate"), expected: .ok(subprotocol: nil, deflate: plainDeflate)),
        Case(name: "deflate name case-insensitive", headers: pmd("PerMessage-Deflate"), expected: .ok(subprotocol: nil, deflate: plainDeflate)),
        Case(
            name: "deflate twice", headers: pmd("permessage-deflate, permessage-deflate"),
            expected: invalid("permessage-deflate accepted more than once")),
        Case(
            name: "deflate twice in two headers", headers: pmd("permessage-deflate") + [("Sec-WebSocket-Extensions", "permessage-deflate")],
            expected: invalid("permessage-deflate accepted more than once")),
        Case(
            name: "server_no_context_takeover", headers: pmd("permessage-deflate; server_no_context_takeover"),
            expected: .ok(subprotocol: nil, deflate: DeflateParameters(receiveNoContextTakeover: true))),
        Case(
            name: "client_no_context_takeover", headers: pmd("permessage-deflate; client_no_context_takeover"),
            expected: .ok(subprotocol: nil, deflate: DeflateParameters(sendNoContextTakeover: true))),
        Case(
            name: "server_max_window_bits=10", headers: pmd("permessage-deflate; server_max_window_bits=10"),
            expected: .ok(subprotocol: nil, deflate: DeflateParameters(receiveMaxWindowBits: 10))),
        Case(
            name: "server_max_window_bits=8", headers: pmd("permessage-deflate; server_max_window_bits=8"),
            expected: .ok(subprotocol: nil, deflate: DeflateParameters(receiveMaxWindowBits: 8))),
        Case(
            name: "client_max_window_bits=10", headers: pmd("permessage-deflate; client_max_window_bits=10"),
            expected: .ok(subprotocol: nil, deflate: DeflateParameters(sendMaxWindowBits: 10))),
        Case(
            name: "client_max_window_bits=9", headers: pmd("permessage-deflate;client_max_window_bits=9"),
            expected: .ok(subprotocol: nil, deflate: DeflateParameters(sendMaxWindowBits: 9))),
        Case(
            name: "quoted client_max_window_bits", headers: pmd("permessage-deflate; client_max_window_bits=\"10\""),
            expected: .ok(subprotocol: nil, deflate: DeflateParameters(sendMaxWindowBits: 10))),
        Case(
            name: "all four parameters",
            headers: pmd(
                "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=12; client_max_window_bits=11"),
            expected: .ok(
                subprotocol: "superchat",
                deflate: DeflateParameters(
                    sendMaxWindowBits: 11, sendNoContextTakeover: true, receiveMaxWindowBits: 12, receiveNoContextTakeover: true))),
        Case(
            name: "client_max_window_bits=8", headers: pmd("permessage-deflate; client_max_window_bits=8"),
            expected: invalid("client_max_window_bits=8 not supported by zlib")),
        Case(
            name: "bare client_max_window_bits in response", headers: pmd("permessage-deflate; client_max_window_bits"),
            expected: invalid("client_max_window_bits needs a value in a response")),
        Case(
            name: "client_max_window_bits=16", headers: pmd("permessage-deflate; client_max_window_bits=16"),
            expected: invalid("client_max_window_bits=16 is not 8...15")),
        Case(
            name: "client_max_window_bits=7", headers: pmd("permessage-deflate; client_max_window_bits=7"),
            expected: invalid("client_max_window_bits=7 is not 8...15")),
        Case(
            name: "client_max_window_bits=010", headers: pmd("permessage-deflate; client_max_window_bits=010"),
            expected: invalid("client_max_window_bits=010 is not 8...15")),
        Case(
            name: "client_max_window_bits=0xA", headers: pmd("permessage-deflate; client_max_window_bits=0xA"),
            expected: invalid("client_max_window_bits=0xA is not 8...15")),
        Case(
            name: "client_max_window_bits=+10", headers: pmd("permessage-deflate; client_max_window_bits=+10"),
            expected: invalid("client_max_window_bits=+10 is not 8...15")),
        Case(
            name: "quoted value with space", headers: pmd("permessage-deflate; client_max_window_bits=\"1 0\""),
            expected: invalid("malformed Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=\"1 0\"")),
        Case(
            name: "unterminated quote", headers: pmd("permessage-deflate; client_max_window_bits=\"10"),
            expected: invalid("malformed Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=\"10")),
        Case(
            name: "server_max_window_bits bare", headers: pmd("permessage-deflate; server_max_window_bits"),
            expected: invalid("server_max_window_bits= is not 8...15")),
        Case(
            name: "server_max_window_bits=16", headers: pmd("permessage-deflate; server_max_window_bits=16"),
            expected: invalid("server_max_window_bits=16 is not 8...15")),
        Case(
            name: "server_max_window_bits=09", headers: pmd("permessage-deflate; server_max_window_bits=09"),
            expected: invalid("server_max_window_bits=09 is not 8...15")),
        Case(
            name: "server_no_context_takeover with value", headers: pmd("permessage-deflate; server_no_context_takeover=1"),
            expected: invalid("server_no_context_takeover takes no value")),
        Case(
            name: "client_no_context_takeover quoted value", headers: pmd("permessage-deflate; client_no_context_takeover=\"x\""),
            expected: invalid("client_no_context_takeover takes no value")),
        Case(
            name: "duplicate server_no_context_takeover", headers: pmd("permessage-deflate; server_no_context_takeover; server_no_context_takeover"),
            expected: invalid("duplicate parameter server_no_context_takeover")),
        Case(
            name: "duplicate server_max_window_bits", headers: pmd("permessage-deflate; server_max_window_bits=10; server_max_window_bits=10"),
            expected: invalid("duplicate parameter server_max_window_bits")),
        Case(name: "unknown parameter", headers: pmd("permessage-deflate; foo=1"), expected: invalid("unknown parameter foo")),
        Case(
            name: "trailing semicolon", headers: pmd("permessage-deflate;"),
            expected: invalid("malformed Sec-WebSocket-Extensions: permessage-deflate;")),
        Case(
            name: "client bits not offered", headers: pmd("permessage-deflate; client_max_window_bits=10"),
            offer: PerMessageDeflateOffer(clientMaxWindowBits: nil), expected: invalid("client_max_window_bits in the response but not in the offer")),
        Case(
            name: "client bits above offered", headers: pmd("permessage-deflate; client_max_window_bits=12"),
            offer: PerMessageDeflateOffer(clientMaxWindowBits: 10), expected: invalid("client_max_window_bits=12 exceeds the offered 10")),
        Case(
            name: "client bits below offered", headers: pmd("permessage-deflate; client_max_window_bits=9"),
            offer: PerMessageDeflateOffer(clientMaxWindowBits: 10), expected: .ok(subprotocol: nil, deflate: DeflateParameters(sendMaxWindowBits: 9))),
        Case(
            name: "offered client bits, none answered", headers: pmd("permessage-deflate"), offer: PerMessageDeflateOffer(clientMaxWindowBits: 11),
            expected: .ok(subprotocol: nil, deflate: DeflateParameters(sendMaxWindowBits: 11))),
        Case(
            name: "offered server bits, none answered", headers: pmd("permessage-deflate"), offer: PerMessageDeflateOffer(serverMaxWindowBits: 10),
            expected: invalid("server_max_window_bits=10 was offered but not accepted")),
        Case(
            name: "offered server bits, larger answered", headers: pmd("permessage-deflate; server_max_window_bits=11"),
            offer: PerMessageDeflateOffer(serverMaxWindowBits: 10), expected: invalid("server_max_window_bits=11 exceeds the offered 10")),
        Case(
            name: "offered server bits, smaller answered", headers: pmd("permessage-deflate; server_max_window_bits=9"),
            offer: PerMessageDeflateOffer(serverMaxWindowBits: 10),
            expected: .ok(subprotocol: nil, deflate: DeflateParameters(receiveMaxWindowBits: 9))),
        Case(
            name: "offered server_no_context_takeover, not echoed", headers: pmd("permessage-deflate"),
            offer: PerMessageDeflateOffer(serverNoContextTakeover: true), expected: invalid("server_no_context_takeover was offered but not accepted")
        ),
        Case(
            name: "offered client_no_context_takeover is kept", headers: pmd("permessage-deflate"),
            offer: PerMessageDeflateOffer(clientNoContextTakeover: true),
            expected: .ok(subprotocol: nil, deflate: DeflateParameters(sendNoContextTakeover: true))),
        Case(name: "empty extensions header", headers: pmd(""), expected: .ok(subprotocol: nil, deflate: nil)),
    ]

    @Test(arguments: cases)
    func validate(_ c: Case) {
        var headers = HTTPHeaders(c.headers)
        if c.name == "all four parameters" { headers.add("Sec-WebSocket-Protocol", "superchat") }
        let head = ResponseHead(status: c.status, reason: c.status == 101 ? "Switching Protocols" : "Reason", headers: headers)
        var request = UpgradeRequest(host: "example.com", path: "/", key: Self.key, subprotocols: ["chat", "superchat"])
        if let offer = c.offer { request.extensionOffers = [offer.headerValue] }
        let outcome: Result<HandshakeResult, HandshakeError>
        do throws(HandshakeError) {
            outcome = .success(try HandshakeValidator.validate(head, request: request, deflateOffer: c.offer))
        } catch {
            outcome = .failure(error)
        }
        switch (c.expected, outcome) {
        case (.ok(let subprotocol, let deflate), .success(let result)):
            #expect(result.subprotocol == subprotocol)
            #expect(result.deflate == deflate)
            #expect(result.head == head)
        case (.error(let expected), .failure(let error)):
            #expect(error == expected)
            #expect(!error.description.isEmpty)
        default:
            Issue.record("\(c.name): expected \(c.expected), got \(outcome)")
        }
    }

    @Test func offerHeaderValues() {
        #expect(PerMessageDeflateOffer().headerValue == "permessage-deflate; client_max_window_bits")
        #expect(PerMessageDeflateOffer(clientMaxWindowBits: nil).headerValue == "permessage-deflate")
        #expect(
            PerMessageDeflateOffer(clientMaxWindowBits: 10, serverMaxWindowBits: 12, clientNoContextTakeover: true, serverNoContextTakeover: true)
                .headerValue
                == "permessage-deflate; client_no_context_takeover; server_no_context_takeover; server_max_window_bits=12; client_max_window_bits=10")
    }

    @Test func extensionHeaderParsing() throws {
        let parsed = try #require(
            ExtensionHeader.parse("permessage-deflate ; client_max_window_bits ; server_max_window_bits = \"10\" , , x-foo;a=b"))
        #expect(
            parsed == [
                ExtensionHeader(name: "permessage-deflate", parameters: [.init("client_max_window_bits"), .init("server_max_window_bits", "10")]),
                ExtensionHeader(name: "x-foo", parameters: [.init("a", "b")]),
            ])
        #expect(parsed[0].headerValue == "permessage-deflate; client_max_window_bits; server_max_window_bits=10")
        for bad in ["permessage-deflate; a=", "permessage-deflate x", "; a", "permessage-deflate; a=\"b c\"", "pmd; =1", "pmd; a=b=c"] {
            #expect(ExtensionHeader.parse(bad) == nil, "\(bad)")
        }
        #expect(ExtensionHeader.parse("")?.isEmpty == true)
    }
}
