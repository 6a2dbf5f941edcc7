/// A WebSocket close status code (RFC 6455 §7.4).
///
/// An open set of wire values: registered codes are static members, private and
/// library codes are representable too.
public struct CloseCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The 16-bit status code.
    public var rawValue: UInt16
    /// Creates a close code from its wire value.
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    /// Creates a close code from its wire value.
    public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    /// 1000: the purpose of the connection has been fulfilled.
    public static let normalClosure = CloseCode(1000)
    /// 1001: the endpoint is going away (server shutdown, page navigation).
    public static let goingAway = CloseCode(1001)
    /// 1002: protocol error.
    public static let protocolError = CloseCode(1002)
    /// 1003: a data type the endpoint cannot accept.
    public static let unsupportedData = CloseCode(1003)
    /// 1005: no status code was present (never sent on the wire).
    public static let noStatusReceived = CloseCode(1005)
    /// 1006: closed abnormally without a close frame (never sent on the wire).
    public static let abnormalClosure = CloseCode(1006)
    /// 1007: message data not consistent with its type (e.g. invalid UTF-8 in a text message).
    public static let invalidFramePayloadData = CloseCode(1007)
    /// 1008: a message violates the endpoint's policy.
    public static let policyViolation = CloseCode(1008)
    /// 1009: a message is too big to process.
    public static let messageTooBig = CloseCode(1009)
    /// 1010: the client expected the server to negotiate an extension.
    public static let mandatoryExtension = CloseCode(1010)
    /// 1011: the server met an unexpected condition.
    public static let internalServerError = CloseCode(1011)
    /// 1015: the TLS handshake failed (never sent on the wire).
    public static let tlsHandshake = CloseCode(1015)

    /// Whether this code may appear in a close frame on the wire (RFC 6455 §7.4.1, §7.4.2).
    ///
    /// 0–999 are unused, 1004/1005/1006/1015 are reserved or local-only, 1016–2999 are
    /// reserved for future RFCs; 3000–4999 are registered and private codes.
    public var isValidOnWire: Bool {
        switch rawValue {
        case 1000...1003, 1007...1011: return true
        case 1012...1014: return true  // IANA-registered: service restart, try again later, bad gateway
        case 3000...4999: return true
        default: return false
        }
    }

    /// A human-readable name, e.g. `1000 normal closure`.
    public var description: String {
        let name: String
        switch rawValue {
        case 1000: name = "normal closure"
        case 1001: name = "going away"
        case 1002: name = "protocol error"
        case 1003: name = "unsupported data"
        case 1005: name = "no status received"
        case 1006: name = "abnormal closure"
        case 1007: name = "invalid payload data"
        case 1008: name = "policy violation"
        case 1009: name = "message too big"
        case 1010: name = "mandatory extension"
        case 1011: name = "internal server error"
        case 1012: name = "service restart"
        case 1013: name = "try again later"
        case 1014: name = "bad gateway"
        case 1015: name = "TLS handshake failure"
        case 3000...3999: name = "registered"
        case 4000...4999: name = "private"
        default: name = "unknown"
        }
        return "\(rawValue) \(name)"
    }
}
