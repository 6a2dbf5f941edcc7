/// Negotiated result of a successful client handshake.
public struct HandshakeResult: Sendable {
    /// The server's 101 response head.
    public var head: ResponseHead
    /// The subprotocol the server selected, if any (RFC 6455 §4.1, client step 6).
    public var subprotocol: String?
    /// The negotiated permessage-deflate parameters in send/receive terms, if negotiated (RFC 7692 §5).
    public var deflate: DeflateParameters?

    /// Creates a handshake result.
    public init(head: ResponseHead, subprotocol: String? = nil, deflate: DeflateParameters? = nil) {
        self.head = head
        self.subprotocol = subprotocol
        self.deflate = deflate
    }
}
