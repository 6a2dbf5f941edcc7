/// The server role of the opening handshake, used by the reference pod server (RFC 6455 §4.2).
public enum ServerHandshake {
    /// RFC 6455 §4.2.1/§4.2.2: validate an upgrade request and build the 101 response (with chosen subprotocol, negotiated permessage-deflate if enabled and offered, and extra response headers such as X-Pod-Name / Set-Cookie).
    ///
    /// `subprotocols` are the server's supported subprotocols in preference order; the first one
    /// the client also offered is selected. On `badRequest` the caller answers with
    /// `errorResponse` (400, or 426 with `Sec-WebSocket-Version: 13` for a version mismatch).
    public static func accept(
        _ request: RequestHead, subprotocols: [String] = [], deflate: PerMessageDeflateServerConfig? = nil,
        extraHeaders: HTTPHeaders = HTTPHeaders()
    ) throws(HandshakeError) -> (response: [UInt8], subprotocol: String?, deflate: DeflateParameters?) {
        let headers = request.headers
        // §4.2.1 (1): GET, HTTP/1.1 or higher.
        guard request.method == "GET" else { throw .badRequest("method must be GET, got \(request.method)") }
        guard isAtLeastHTTP11(request.version) else {
            throw .badRequest("HTTP version must be at least 1.1, got \(request.version)")
        }
        // §4.2.1 (2): a Host header.
        guard headers.contains("Host") else { throw .badRequest("missing Host header") }
        // §4.2.1 (3), (4): Upgrade: websocket and Connection: Upgrade, case-insensitive tokens.
        guard headers.tokens("Upgrade").contains("websocket") else {
            throw .badRequest("missing 'Upgrade: websocket'")
        }
        guard headers.tokens("Connection").contains("upgrade") else {
            throw .badRequest("missing 'Connection: Upgrade'")
        }
        // §4.2.1 (5): exactly one Sec-WebSocket-Key that decodes to 16 bytes.
        let keys = headers.values("Sec-WebSocket-Key")
        guard keys.count == 1 else {
            throw .badRequest(keys.isEmpty ? "missing Sec-WebSocket-Key" : "more than one Sec-WebSocket-Key")
        }
        let key = keys[0]
        guard let decoded = Base64.decode(key), decoded.count == 16 else {
            throw .badRequest("Sec-WebSocket-Key is not Base64 of 16 bytes: \(key)")
        }
        // §4.2.1 (6): Sec-WebSocket-Version 13; otherwise §4.2.2 (4) asks for 426 with our version.
        guard headers.values("Sec-WebSocket-Version") == ["13"] else {
            let got = headers.values("Sec-WebSocket-Version").joined(separator: ", ")
            throw .badRequest("unsupported Sec-WebSocket-Version '\(got)': respond 426 Upgrade Required with 'Sec-WebSocket-Version: 13'")
        }
        // §4.2.2 (5.4) subprotocol: the server's first preference the client offered (exact match).
        let offeredProtocols = headers.listElements("Sec-WebSocket-Protocol")
        let subprotocol = subprotocols.first { offeredProtocols.contains($0) }
        // §4.2.2 (5.4) extensions / RFC 7692 §5: first acceptable permessage-deflate offer; a
        // malformed header is treated as no offer (the extension is simply not used).
        var negotiated: (response: ExtensionHeader, parameters: DeflateParameters)?
        if let deflate, let offers = ExtensionHeader.parse(headers.values("Sec-WebSocket-Extensions")) {
            negotiated = deflate.negotiate(offers)
        }

        var out: [UInt8] = []
        out.reserveCapacity(256)
        out.append(contentsOf: "HTTP/1.1 101 Switching Protocols\r\n".utf8)
        HTTPSyntax.appendField("Upgrade", "websocket", to: &out)
        HTTPSyntax.appendField("Connection", "Upgrade", to: &out)
        HTTPSyntax.appendField("Sec-WebSocket-Accept", HandshakeKey.accept(for: key), to: &out)
        if let subprotocol { HTTPSyntax.appendField("Sec-WebSocket-Protocol", subprotocol, to: &out) }
        if let negotiated { HTTPSyntax.appendField("Sec-WebSocket-Extensions", negotiated.response.headerValue, to: &out) }
        for (name, value) in extraHeaders { HTTPSyntax.appendField(name, value, to: &out) }
        out.append(contentsOf: "\r\n".utf8)
        return (out, subprotocol, negotiated?.parameters)
    }

    /// A plain HTTP response (e.g. 400, 503, or a 200 for a plain GET) with a short body and Connection: close;
    /// the body is `text/plain` unless `extraHeaders` names its own `Content-Type`.
    public static func errorResponse(status: Int, reason: String, body: String, extraHeaders: HTTPHeaders = HTTPHeaders()) -> [UInt8] {
        let bodyBytes = Array(body.utf8)
        var out: [UInt8] = []
        out.append(contentsOf: "HTTP/1.1 \(status) \(HTTPSyntax.sanitize(reason))\r\n".utf8)
        if !extraHeaders.contains("Content-Type") { HTTPSyntax.appendField("Content-Type", "text/plain; charset=utf-8", to: &out) }
        HTTPSyntax.appendField("Content-Length", String(bodyBytes.count), to: &out)
        HTTPSyntax.appendField("Connection", "close", to: &out)
        for (name, value) in extraHeaders { HTTPSyntax.appendField(name, value, to: &out) }
        out.append(contentsOf: "\r\n".utf8)
        out.append(contentsOf: bodyBytes)
        return out
    }

    /// `HTTP/1.1` or a later `HTTP/x.y` (RFC 6455 §4.2.1 (1)).
    private static func isAtLeastHTTP11(_ version: String) -> Bool {
        let v = Array(version.utf8)
        guard HTTPHeadScanner.isHTTPVersion(v) else { return false }
        let major = v[5] - UInt8(ascii: "0")
        let minor = v[7] - UInt8(ascii: "0")
        return major > 1 || (major == 1 && minor >= 1)
    }
}
