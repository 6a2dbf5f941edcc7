/// Something the peer did, as decoded by ``ConnectionStateMachine``.
public enum ConnectionEvent: Hashable, Sendable {
    /// A complete message (decompressed, and for text validated as UTF-8).
    case message(Message)
    /// A ping arrived; the matching pong is already queued in the output (RFC 6455 §5.5.2).
    case ping([UInt8])
    /// A pong arrived (§5.5.3).
    case pong([UInt8])
    /// The peer started the closing handshake; the reply close frame is queued (§5.5.1).
    /// The connection is now closed at the WebSocket level: flush, then close the transport.
    case closeReceived(CloseFrameBody)
    /// The peer answered our close frame: the closing handshake is complete (§7.1.2).
    case closeCompleted(CloseFrameBody)
    /// The peer violated the protocol; a close frame with the error's code is queued (§7.1.7).
    /// Flush the output, then close the transport.
    case failed(ProtocolError)
}

/// A complete WebSocket data message.
public struct Message: Hashable, Sendable {
    /// `.text` or `.binary`.
    public var opcode: Opcode
    /// The message payload (for text, valid UTF-8).
    public var payload: [UInt8]

    /// Creates a message.
    public init(opcode: Opcode, payload: [UInt8]) { self.opcode = opcode; self.payload = payload }

    /// A text message.
    public static func text(_ string: String) -> Message { Message(opcode: .text, payload: Array(string.utf8)) }
    /// A binary message.
    public static func binary(_ bytes: [UInt8]) -> Message { Message(opcode: .binary, payload: bytes) }
    /// The payload as a string (text messages).
    public var text: String { String(decoding: payload, as: UTF8.self) }
}
