/// A violation of RFC 6455 / RFC 7692 by the peer, carrying the close code it must produce (RFC 6455 §7.4.1).
public struct ProtocolError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The close code to send when failing the connection because of this error.
    public var closeCode: CloseCode
    /// What went wrong, for humans.
    public var reason: String

    /// Creates a protocol error with the close code it maps to.
    public init(_ closeCode: CloseCode, _ reason: String) {
        self.closeCode = closeCode
        self.reason = reason
    }

    /// `protocol error (1002): reason`.
    public var description: String { "protocol error (\(closeCode)): \(reason)" }
}
