/// An incremental WebSocket frame decoder (RFC 6455 §5.2) that yields payload as it arrives.
///
/// Feed it bytes in any split with ``append(_:)``, then call ``next()`` until it returns `nil`.
/// A frame comes out as a ``Part/header(_:)``, zero or more ``Part/payload(_:)`` chunks (already
/// unmasked) and a ``Part/end``: payload is never held back until the whole frame is in, so a
/// streaming UTF-8 check can fail fast inside a frame and a 16 MiB frame is not buffered twice.
///
/// Every limit is checked the moment the length is known, before a payload byte is buffered.
public struct FrameDecoder: Sendable {
    /// One step of decoding.
    public enum Part: Hashable, Sendable {
        /// A complete, validated frame header.
        case header(FrameHeader)
        /// The next chunk of the current frame's payload, unmasked.
        case payload([UInt8])
        /// The current frame's payload is complete.
        case end
    }

    @usableFromInline enum State: Sendable, Hashable {
        case header
        case payload(remaining: Int, key: MaskingKey?, offset: Int)
        case end
    }

    @usableFromInline var buffer: [UInt8] = []
    @usableFromInline var readIndex = 0
    @usableFromInline var state: State = .header
    /// Which end this decoder serves: a client rejects masked frames, a server requires them (§5.1).
    public let role: Role
    /// Size limits; `maxFrameSize` is checked against each header.
    public var limits: ProtocolLimits
    /// Whether RSV1 may be set on data frames (permessage-deflate negotiated, RFC 7692 §6).
    public var allowsRSV1: Bool

    /// Creates a decoder for `role`.
    public init(role: Role, limits: ProtocolLimits = .default, allowsRSV1: Bool = false) {
        self.role = role; self.limits = limits; self.allowsRSV1 = allowsRSV1
    }

    /// Bytes received but not yet decoded.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    /// Appends received bytes.
    public mutating func append(_ bytes: some Sequence<UInt8>) {
        compactIfUseful()
        buffer.append(contentsOf: bytes)
    }

    /// Appends received bytes from raw memory.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        compactIfUseful()
        buffer.append(contentsOf: bytes)
    }

    private mutating func compactIfUseful() {
        if readIndex == buffer.count {
            // Everything consumed: drop the storage entirely so an idle connection holds nothing.
            if !buffer.isEmpty { buffer = [] }
            readIndex = 0
        } else if readIndex > 4096 && readIndex * 2 > buffer.count {
            buffer.removeFirst(readIndex)
            readIndex = 0
        }
    }

    /// Decodes the next part, or returns `nil` when more bytes are needed.
    ///
    /// - Throws: ``ProtocolError`` carrying the close code the violation requires (§7.4.1).
    public mutating func next() throws(ProtocolError) -> Part? {
        switch state {
        case .header:
            guard let header = try parseHeader() else {
                if readIndex == buffer.count, !buffer.isEmpty { buffer = []; readIndex = 0 }
                return nil
            }
            state = header.payloadLength == 0 ? .end : .payload(remaining: header.payloadLength, key: header.maskingKey, offset: 0)
            return .header(header)
        case .end:
            state = .header
            return .end
        case .payload(let remaining, let key, let offset):
            let available = buffer.count - readIndex
            guard available > 0 else {
                if !buffer.isEmpty { buffer = []; readIndex = 0 }
                return nil
            }
            let n = min(available, remaining)
            var chunk = Array(buffer[readIndex..<readIndex + n])
            readIndex += n
            if let key { key.apply(to: &chunk, offset: offset) }
            state = n == remaining ? .end : .payload(remaining: remaining - n, key: key, offset: offset + n)
            if readIndex == buffer.count { buffer = []; readIndex = 0 }
            return .payload(chunk)
        }
    }

    /// Decodes the next whole frame, buffering its payload (convenient for tests and small frames).
    ///
    /// Do not mix with ``next()`` within one frame.
    public mutating func nextFrame() throws(ProtocolError) -> Frame? {
        // Only commit once the whole frame is buffered, so a partial frame is left in place.
        let savedIndex = readIndex
        let savedState = state
        guard case .header = state, let header = try parseHeader() else {
            readIndex = savedIndex; state = savedState
            return nil
        }
        guard buffer.count - readIndex >= header.payloadLength else {
            readIndex = savedIndex
            return nil
        }
        var payload = Array(buffer[readIndex..<readIndex + header.payloadLength])
        readIndex += header.payloadLength
        if let key = header.maskingKey { key.apply(to: &payload) }
        if readIndex == buffer.count { buffer = []; readIndex = 0 }
        return Frame(header: header, payload: payload)
    }

    /// Parses and validates a header at `readIndex`, advancing past it; `nil` if incomplete.
    private mutating func parseHeader() throws(ProtocolError) -> FrameHeader? {
        let available = buffer.count - readIndex
        guard available >= 2 else { return nil }
        let b0 = buffer[readIndex], b1 = buffer[readIndex + 1]
        let opcode = Opcode(rawValue: b0 & 0x0F)
        let fin = b0 & 0x80 != 0, rsv1 = b0 & 0x40 != 0, rsv2 = b0 & 0x20 != 0, rsv3 = b0 & 0x10 != 0
        let masked = b1 & 0x80 != 0
        let len7 = Int(b1 & 0x7F)

        // Checks that need only the first two bytes fail before the rest of the header arrives.
        // §5.2: reserved opcodes.
        guard opcode.isDefined else { throw ProtocolError(.protocolError, "reserved opcode \(opcode)") }
        // §5.2: RSV bits must be 0 unless an extension defines them; RFC 7692 §6: RSV1 only on
        // the first frame of a data message.
        if rsv2 || rsv3 { throw ProtocolError(.protocolError, "RSV2/RSV3 set without a negotiated extension") }
        if rsv1 && (!allowsRSV1 || opcode.isControl || opcode == .continuation) {
            throw ProtocolError(.protocolError, allowsRSV1 ? "RSV1 set on a \(opcode) frame" : "RSV1 set without permessage-deflate")
        }
        // §5.5: control frames are never fragmented and carry at most 125 bytes.
        if opcode.isControl {
            if !fin { throw ProtocolError(.protocolError, "fragmented \(opcode) frame") }
            if len7 > 125 { throw ProtocolError(.protocolError, "\(opcode) frame payload longer than 125 bytes") }
        }
        // §5.1: a server masks nothing; a client masks everything.
        switch role {
        case .client where masked: throw ProtocolError(.protocolError, "masked frame from server")
        case .server where !masked: throw ProtocolError(.protocolError, "unmasked frame from client")
        default: break
        }

        var headerSize = 2
        var length = len7
        if len7 == 126 {
            guard available >= 4 else { return nil }
            length = Int(buffer[readIndex + 2]) << 8 | Int(buffer[readIndex + 3])
            headerSize = 4
        } else if len7 == 127 {
            guard available >= 10 else { return nil }
            var l: UInt64 = 0
            for i in 2..<10 { l = l << 8 | UInt64(buffer[readIndex + i]) }
            // §5.2: the most significant bit of a 64-bit length MUST be 0.
            if l >> 63 != 0 { throw ProtocolError(.protocolError, "64-bit payload length with the high bit set") }
            guard l <= UInt64(limits.maxFrameSize) else {
                throw ProtocolError(.messageTooBig, "frame of \(l) bytes exceeds the \(limits.maxFrameSize)-byte limit")
            }
            length = Int(l)
            headerSize = 10
        }
        if length > limits.maxFrameSize {
            throw ProtocolError(.messageTooBig, "frame of \(length) bytes exceeds the \(limits.maxFrameSize)-byte limit")
        }
        var key: MaskingKey?
        if masked {
            guard available >= headerSize + 4 else { return nil }
            key = MaskingKey(
                buffer[readIndex + headerSize], buffer[readIndex + headerSize + 1],
                buffer[readIndex + headerSize + 2], buffer[readIndex + headerSize + 3])
            headerSize += 4
        }
        readIndex += headerSize
        return FrameHeader(fin: fin, rsv1: rsv1, rsv2: rsv2, rsv3: rsv3, opcode: opcode, maskingKey: key, payloadLength: length)
    }
}
