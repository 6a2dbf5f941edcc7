import Testing

@testable import WSProtocol

/// `Sec-WebSocket-Key` / `Sec-WebSocket-Accept` (RFC 6455 §1.3, §4.1).
@Suite struct HandshakeKeyTests {
    @Test func rfc6455AcceptVector() {
        #expect(HandshakeKey.accept(for: "dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    }

    @Test func makeEncodesSixteenBytes() {
        // "the sample nonce" is the RFC's example nonce.
        #expect(HandshakeKey.make(Array("the sample nonce".utf8)) == "dGhlIHNhbXBsZSBub25jZQ==")
        let key = HandshakeKey.make([UInt8](repeating: 0xAB, count: 16))
        #expect(key.utf8.count == 24)
        #expect(Base64.decode(key)?.count == 16)
    }
}
