/// The client's opening handshake request (RFC 6455 §4.1).
///
/// `serialize()` strips CR, LF and NUL from every caller-supplied value and extra header name,
/// so a profile or cookie value can never inject extra header lines or end the head early.
public struct UpgradeRequest: Sendable {
    /// Value for the Host header, e.g. `example.com:8080` (the caller includes the port when non-default).
    public var host: String
    /// The request target, e.g. `/ws?x=1`.
    public var path: String
    /// The `Sec-WebSocket-Key` value (see `HandshakeKey.make`).
    public var key: String
    /// The `Origin` header value, if any.
    public var origin: String?
    /// Subprotocols to offer in preference order, sent comma-joined in `Sec-WebSocket-Protocol`.
    public var subprotocols: [String]
    /// Full `Sec-WebSocket-Extensions` values to offer, e.g. `PerMessageDeflateOffer().headerValue`.
    public var extensionOffers: [String]
    /// The full `Cookie` header value, if any.
    public var cookieHeader: String?
    /// Further headers appended after the WebSocket ones, in order.
    public var extraHeaders: HTTPHeaders

    /// Creates an upgrade request.
    public init(
        host: String, path: String, key: String, origin: String? = nil, subprotocols: [String] = [],
        extensionOffers: [String] = [], cookieHeader: String? = nil, extraHeaders: HTTPHeaders = HTTPHeaders()
    ) {
        self.host = host
        self.path = path
        self.key = key
        self.origin = origin
        self.subprotocols = subprotocols
        self.extensionOffers = extensionOffers
        self.cookieHeader = cookieHeader
        self.extraHeaders = extraHeaders
    }

    /// The request head bytes, ending with the empty line (RFC 6455 §4.1, requirements 1–12).
    public func serialize() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        // §4.1 (2): "GET" request-target "HTTP/1.1". Spaces would split the request line: percent-encode them.
        out.append(contentsOf: "GET ".utf8)
        let target = HTTPSyntax.sanitize(path)
        if target.isEmpty { out.append(UInt8(ascii: "/")) }
        for byte in target.utf8 {
            if byte == HTTPSyntax.space { out.append(contentsOf: "%20".utf8) } else { out.append(byte) }
        }
        out.append(contentsOf: " HTTP/1.1\r\n".utf8)
        HTTPSyntax.appendField("Host", host, to: &out)  // §4.1 (4)
        HTTPSyntax.appendField("Upgrade", "websocket", to: &out)  // §4.1 (5)
        HTTPSyntax.appendField("Connection", "Upgrade", to: &out)  // §4.1 (6)
        HTTPSyntax.appendField("Sec-WebSocket-Key", key, to: &out)  // §4.1 (7)
        HTTPSyntax.appendField("Sec-WebSocket-Version", "13", to: &out)  // §4.1 (9)
        if let origin { HTTPSyntax.appendField("Origin", origin, to: &out) }  // §4.1 (8)
        if !subprotocols.isEmpty {  // §4.1 (10)
            HTTPSyntax.appendField("Sec-WebSocket-Protocol", subprotocols.joined(separator: ", "), to: &out)
        }
        if !extensionOffers.isEmpty {  // §4.1 (11), RFC 7692 §5
            HTTPSyntax.appendField("Sec-WebSocket-Extensions", extensionOffers.joined(separator: ", "), to: &out)
        }
        if let cookieHeader { HTTPSyntax.appendField("Cookie", cookieHeader, to: &out) }  // §4.1 (12)
        for (name, value) in extraHeaders { HTTPSyntax.appendField(name, value, to: &out) }
        out.append(contentsOf: "\r\n".utf8)
        return out
    }
}
