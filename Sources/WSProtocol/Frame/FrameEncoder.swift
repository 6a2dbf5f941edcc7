/// Encodes WebSocket frames (RFC 6455 §5.2), masking client frames (§5.3).
public enum FrameEncoder {
    /// Appends the header bytes for `header` to `out`.
    @inlinable
    public static func appendHeader(_ header: FrameHeader, to out: inout [UInt8]) {
        var b0 = header.opcode.rawValue
        if header.fin { b0 |= 0x80 }
        if header.rsv1 { b0 |= 0x40 }
        if header.rsv2 { b0 |= 0x20 }
        if header.rsv3 { b0 |= 0x10 }
        out.append(b0)
        let maskBit: UInt8 = header.maskingKey == nil ? 0 : 0x80
        let length = header.payloadLength
        // §5.2: the minimal number of bytes MUST be used to encode the length.
        if length <= 125 {
            out.append(maskBit | UInt8(length))
        } else if length <= 0xFFFF {
            out.append(maskBit | 126)
            out.append(UInt8(length >> 8)); out.append(UInt8(length & 0xFF))
        } else {
            out.append(maskBit | 127)
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: length >> shift)) }
        }
        if let key = header.maskingKey {
            out.append(key.bytes.0); out.append(key.bytes.1); out.append(key.bytes.2); out.append(key.bytes.3)
        }
    }

    /// Appends a whole frame (header and payload, masked when `maskingKey` is set) to `out`.
    @inlinable
    public static func encode(
        opcode: Opcode, payload: UnsafeRawBufferPointer, fin: Bool = true, rsv1: Bool = false,
        maskingKey: MaskingKey?, into out: inout [UInt8]
    ) {
        let header = FrameHeader(fin: fin, rsv1: rsv1, opcode: opcode, maskingKey: maskingKey, payloadLength: payload.count)
        // Reserve once for the whole frame, but keep geometric growth: reserving exactly
        // `out.count + frameSize` on every call would reallocate and copy all queued output
        // per frame, making a burst of N queued frames O(N²).
        let needed = out.count + header.encodedSize + payload.count
        if needed > out.capacity { out.reserveCapacity(Swift.max(needed, 2 * out.capacity)) }
        appendHeader(header, to: &out)
        let start = out.count
        out.append(contentsOf: payload)
        if let key = maskingKey, payload.count > 0 {
            out.withUnsafeMutableBytes { raw in
                key.apply(to: UnsafeMutableRawBufferPointer(rebasing: raw[start...]))
            }
        }
    }

    /// Appends a whole frame built from a byte array to `out`.
    @inlinable
    public static func encode(
        opcode: Opcode, payload: [UInt8], fin: Bool = true, rsv1: Bool = false,
        maskingKey: MaskingKey?, into out: inout [UInt8]
    ) {
        payload.withUnsafeBytes { encode(opcode: opcode, payload: $0, fin: fin, rsv1: rsv1, maskingKey: maskingKey, into: &out) }
    }

    /// Returns a whole encoded frame.
    @inlinable
    public static func encode(opcode: Opcode, payload: [UInt8], fin: Bool = true, rsv1: Bool = false, maskingKey: MaskingKey?) -> [UInt8] {
        var out: [UInt8] = []
        encode(opcode: opcode, payload: payload, fin: fin, rsv1: rsv1, maskingKey: maskingKey, into: &out)
        return out
    }
}
