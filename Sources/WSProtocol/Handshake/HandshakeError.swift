/// What went wrong in the opening handshake, for humans and for the phase taxonomy (RFC 6455 §4.1, §4.2.1).
public enum HandshakeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The bytes are not a well-formed HTTP/1.1 head: bad status or request line, bad header line, obs-fold.
    case malformedHead(String)
    /// The head grew past the byte limit before its terminating empty line.
    case headTooLarge(limit: Int)
    /// The head has more header lines than the limit.
    case tooManyHeaders(limit: Int)
    /// The server answered with a status other than 101 (RFC 6455 §4.1, client step 1).
    case unexpectedStatus(Int, reason: String)
    /// The response lacks an `Upgrade` header with the token `websocket` (RFC 6455 §4.1, client step 2).
    case missingUpgradeHeader
    /// The response lacks a `Connection` header with the token `upgrade` (RFC 6455 §4.1, client step 3).
    case missingConnectionUpgrade
    /// `Sec-WebSocket-Accept` is missing or wrong (RFC 6455 §4.1, client step 4).
    case badAccept(expected: String, got: String?)
    /// The server selected a subprotocol the client did not offer, or more than one (RFC 6455 §4.1, client step 6).
    case unofferedSubprotocol(String)
    /// The server selected an extension the client did not offer (RFC 6455 §4.1, client step 5).
    case unofferedExtension(String)
    /// The permessage-deflate response parameters are invalid or cannot be honoured (RFC 7692 §5, §7.1).
    case invalidExtensionParameters(String)
    /// Server side: the client's upgrade request is invalid (RFC 6455 §4.2.1).
    case badRequest(String)

    /// A one-line explanation.
    public var description: String {
        switch self {
        case .malformedHead(let detail): return "malformed HTTP head: \(detail)"
        case .headTooLarge(let limit): return "HTTP head larger than \(limit) bytes"
        case .tooManyHeaders(let limit): return "more than \(limit) HTTP header fields"
        case .unexpectedStatus(let status, let reason):
            return reason.isEmpty ? "unexpected HTTP status \(status) (expected 101)" : "unexpected HTTP status \(status) \(reason) (expected 101)"
        case .missingUpgradeHeader: return "response lacks 'Upgrade: websocket'"
        case .missingConnectionUpgrade: return "response lacks 'Connection: Upgrade'"
        case .badAccept(let expected, let got):
            return "Sec-WebSocket-Accept mismatch: expected \(expected), got \(got ?? "none")"
        case .unofferedSubprotocol(let value): return "server selected a subprotocol that was not offered: \(value)"
        case .unofferedExtension(let value): return "server selected an extension that was not offered: \(value)"
        case .invalidExtensionParameters(let detail): return "invalid permessage-deflate negotiation: \(detail)"
        case .badRequest(let detail): return "bad upgrade request: \(detail)"
        }
    }
}
