/// Client-side validation of the server's opening handshake response (RFC 6455 §4.1, RFC 7692 §5, §7.1).
public enum HandshakeValidator {
    /// RFC 6455 §4.1 (client steps 1–6 of validating the server's response) + RFC 7692 §5/§7.1 for the extension response.
    public static func validate(_ head: ResponseHead, request: UpgradeRequest, deflateOffer: PerMessageDeflateOffer?) throws(HandshakeError)
        -> HandshakeResult
    {
        let headers = head.headers
        // Step 1: anything but 101 means the handshake did not complete.
        guard head.status == 101 else { throw .unexpectedStatus(head.status, reason: head.reason) }
        // Step 2: Upgrade must contain "websocket", case-insensitively.
        guard headers.tokens("Upgrade").contains("websocket") else { throw .missingUpgradeHeader }
        // Step 3: Connection must contain "upgrade", case-insensitively (nginx sends lower case).
        guard headers.tokens("Connection").contains("upgrade") else { throw .missingConnectionUpgrade }
        // Step 4: Sec-WebSocket-Accept must be Base64(SHA-1(key + GUID)), exactly once.
        let expected = HandshakeKey.accept(for: request.key)
        let accepts = headers.values("Sec-WebSocket-Accept")
        guard accepts.count == 1, accepts[0] == expected else {
            throw .badAccept(expected: expected, got: accepts.isEmpty ? nil : accepts.joined(separator: ", "))
        }
        // Step 5: every extension in use must have been offered; only permessage-deflate is supported.
        var deflate: DeflateParameters?
        let extensionValues = headers.values("Sec-WebSocket-Extensions")
        if !extensionValues.isEmpty {
            guard let elements = ExtensionHeader.parse(extensionValues) else {
                throw .invalidExtensionParameters("malformed Sec-WebSocket-Extensions: \(extensionValues.joined(separator: ", "))")
            }
            for element in elements {
                guard element.name == "permessage-deflate", let offer = deflateOffer else {
                    throw .unofferedExtension(element.name)
                }
                // RFC 7692 §7: the server accepts at most one permessage-deflate element.
                guard deflate == nil else {
                    throw .invalidExtensionParameters("permessage-deflate accepted more than once")
                }
                deflate = try offer.negotiate(element)
            }
        }
        // Step 6: at most one subprotocol, and one the client offered (compared exactly).
        var subprotocol: String?
        let protocolValues = headers.values("Sec-WebSocket-Protocol")
        if !protocolValues.isEmpty {
            let selected = headers.listElements("Sec-WebSocket-Protocol")
            guard selected.count == 1, request.subprotocols.contains(selected[0]) else {
                throw .unofferedSubprotocol(protocolValues.joined(separator: ", "))
            }
            subprotocol = selected[0]
        }
        return HandshakeResult(head: head, subprotocol: subprotocol, deflate: deflate)
    }
}
