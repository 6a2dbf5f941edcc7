/// The fixed part of a WebSocket frame (RFC 6455 §5.2): flags, opcode, mask and payload length.
public struct FrameHeader: Hashable, Sendable {
    /// FIN: this is the final fragment of a message.
    public var fin: Bool
    /// RSV1 (used by permessage-deflate, RFC 7692 §6).
    public var rsv1: Bool
    /// RSV2 (no extension wsload negotiates uses it).
    public var rsv2: Bool
    /// RSV3 (no extension wsload negotiates uses it).
    public var rsv3: Bool
    /// The frame's opcode.
    public var opcode: Opcode
    /// The masking key, present on client-to-server frames (§5.3).
    public var maskingKey: MaskingKey?
    /// The payload length in bytes.
    public var payloadLength: Int

    /// Creates a frame header.
    public init(
        fin: Bool = true, rsv1: Bool = false, rsv2: Bool = false, rsv3: Bool = false,
        opcode: Opcode, maskingKey: MaskingKey? = nil, payloadLength: Int
    ) {
        self.fin = fin; self.rsv1 = rsv1; self.rsv2 = rsv2; self.rsv3 = rsv3
        self.opcode = opcode; self.maskingKey = maskingKey; self.payloadLength = payloadLength
    }

    /// The encoded size of this header in bytes: 2, plus 2 or 8 for extended lengths, plus 4 with a mask (§5.2).
    public var encodedSize: Int {
        let lengthBytes = payloadLength <= 125 ? 0 : (payloadLength <= 0xFFFF ? 2 : 8)
        return 2 + lengthBytes + (maskingKey == nil ? 0 : 4)
    }
}

/// A whole frame: header and (unmasked) payload.
public struct Frame: Hashable, Sendable {
    /// The frame header; `payloadLength` equals `payload.count`.
    public var header: FrameHeader
    /// The unmasked payload.
    public var payload: [UInt8]

    /// Creates a frame.
    public init(header: FrameHeader, payload: [UInt8]) { self.header = header; self.payload = payload }
}
