/// The body of a close frame: an optional status code and a UTF-8 reason (RFC 6455 §5.5.1).
public struct CloseFrameBody: Hashable, Sendable {
    /// The status code, or `nil` for an empty body (reported locally as 1005, §7.1.5).
    public var code: CloseCode?
    /// The reason text, at most 123 bytes of UTF-8.
    public var reason: String

    /// Creates a close body.
    public init(code: CloseCode?, reason: String = "") { self.code = code; self.reason = reason }

    /// Parses and validates a received close payload.
    ///
    /// §5.5.1: a body is empty or starts with a 2-byte code; a 1-byte body is malformed.
    /// §7.4: codes that must not appear on the wire fail with 1002. §8.1: the reason must be
    /// valid UTF-8, else 1007.
    public static func parse(_ payload: [UInt8]) throws(ProtocolError) -> CloseFrameBody {
        if payload.isEmpty { return CloseFrameBody(code: nil) }
        guard payload.count >= 2 else { throw ProtocolError(.protocolError, "close frame with a 1-byte body") }
        let code = CloseCode(UInt16(payload[0]) << 8 | UInt16(payload[1]))
        guard code.isValidOnWire else { throw ProtocolError(.protocolError, "close code \(code.rawValue) is not allowed on the wire") }
        let reasonBytes = Array(payload[2...])
        guard UTF8Validator.isValid(reasonBytes) else {
            throw ProtocolError(.invalidFramePayloadData, "close reason is not valid UTF-8")
        }
        return CloseFrameBody(code: code, reason: String(decoding: reasonBytes, as: UTF8.self))
    }

    /// The wire payload: code and reason, the reason cut at a character boundary to fit 125 bytes (§5.5).
    public var payload: [UInt8] {
        guard let code else { return [] }
        var out: [UInt8] = [UInt8(code.rawValue >> 8), UInt8(code.rawValue & 0xFF)]
        var used = 0
        for scalar in reason.unicodeScalars {
            let bytes = Array(String(scalar).utf8)
            if used + bytes.count > 123 { break }
            out.append(contentsOf: bytes)
            used += bytes.count
        }
        return out
    }
}
