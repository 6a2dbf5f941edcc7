/// The sans-I/O WebSocket connection after the opening handshake (RFC 6455 §5–§7, RFC 7692 §6–§7).
///
/// Feed it received bytes with ``receive(_:)-(UnsafeRawBufferPointer)``, drain ``nextEvent()``
/// until `nil`, and write whatever ``takeOutput()`` returns. Sending is ``send(_:)``,
/// ``ping(_:)`` and ``close(_:)``; each only queues bytes. It never touches a socket, a clock or a
/// queue: the driver decides when to write and when to close the transport.
public struct ConnectionStateMachine: Sendable {
    /// Where the closing handshake stands.
    public enum State: Hashable, Sendable {
        /// Messages flow both ways.
        case open
        /// We sent a close frame and wait for the peer's (§7.1.2).
        case closeSent
        /// Both close frames were exchanged, or the connection failed: close the transport.
        case closed
    }

    // Ordered so the one-byte fields fill the decoder's tail padding: every open connection holds one
    // of these (136 bytes; 152 with the fields in reading order).
    private var decoder: FrameDecoder
    /// Closing-handshake state.
    public private(set) var state: State = .open
    // The message being assembled (§5.4) and the frame being received.
    private var messageOpcode: Opcode?
    private var messageCompressed = false
    private var utf8 = UTF8Validator()
    private var frameOpcode: Opcode = .continuation
    private var frameFin = false
    private let deflate: PerMessageDeflate?
    private var keys: MaskingKeySource
    private var output: [UInt8] = []
    private var fragmentCount = 0
    private var messageBuffer: [UInt8] = []
    private var controlBuffer: [UInt8] = []

    /// Creates the state machine for `role`; pass the codec when permessage-deflate was negotiated.
    public init(
        role: Role, limits: ProtocolLimits = .default, deflate: PerMessageDeflate? = nil,
        maskingKeys: MaskingKeySource = .random
    ) {
        decoder = FrameDecoder(role: role, limits: limits, allowsRSV1: deflate != nil)
        self.deflate = deflate
        self.keys = maskingKeys
    }

    /// This endpoint's role.
    public var role: Role { decoder.role }
    /// Whether bytes are waiting to be written.
    public var hasOutput: Bool { !output.isEmpty }
    /// Whether the transport should be closed once the output is flushed.
    public var isClosed: Bool { state == .closed }

    /// Hands over the bytes to write, leaving the output empty.
    public mutating func takeOutput() -> [UInt8] {
        defer { output = [] }
        return output
    }

    /// Queues received bytes for decoding.
    public mutating func receive(_ bytes: UnsafeRawBufferPointer) {
        guard state != .closed else { return }
        decoder.append(bytes)
    }

    /// Queues received bytes for decoding.
    public mutating func receive(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { receive($0) }
    }

    /// Decodes until the next event, or `nil` when more bytes are needed or the connection is closed.
    public mutating func nextEvent() -> ConnectionEvent? {
        while state != .closed {
            let part: FrameDecoder.Part
            do {
                guard let p = try decoder.next() else { return nil }
                part = p
            } catch {
                return fail(error)
            }
            do {
                if let event = try handle(part) { return event }
            } catch {
                return fail(error)
            }
        }
        return nil
    }

    private mutating func handle(_ part: FrameDecoder.Part) throws(ProtocolError) -> ConnectionEvent? {
        switch part {
        case .header(let header):
            frameOpcode = header.opcode
            frameFin = header.fin
            if header.opcode.isControl { controlBuffer = []; return nil }
            // §5.4: a continuation needs a message in progress; a new data frame needs none.
            if header.opcode == .continuation {
                guard messageOpcode != nil else { throw ProtocolError(.protocolError, "continuation frame without a message to continue") }
                fragmentCount += 1
                if fragmentCount > decoder.limits.maxFragments {
                    throw ProtocolError(.messageTooBig, "message has more than \(decoder.limits.maxFragments) fragments")
                }
            } else {
                guard messageOpcode == nil else { throw ProtocolError(.protocolError, "new \(header.opcode) message inside a fragmented message") }
                messageOpcode = header.opcode
                messageCompressed = header.rsv1
                fragmentCount = 1
                utf8 = UTF8Validator()
            }
            return nil
        case .payload(let chunk):
            if frameOpcode.isControl {
                controlBuffer.append(contentsOf: chunk)
            } else {
                try appendMessageData(
                    messageCompressed ? deflate!.decompress(chunk, isFinal: false, maxMessageSize: decoder.limits.maxMessageSize) : chunk)
            }
            return nil
        case .end:
            if frameOpcode.isControl { return try handleControl() }
            guard frameFin else { return nil }
            if messageCompressed {
                try appendMessageData(deflate!.decompress([], isFinal: true, maxMessageSize: decoder.limits.maxMessageSize))
            }
            let opcode = messageOpcode!
            // §8.1: a text message must end on a character boundary.
            if opcode == .text && !utf8.isComplete {
                throw ProtocolError(.invalidFramePayloadData, "text message ends inside a UTF-8 sequence")
            }
            let payload = messageBuffer
            messageBuffer = []
            messageOpcode = nil
            // §7.1.2: once we have sent a close frame, data that still arrives is discarded.
            return state == .open ? .message(Message(opcode: opcode, payload: payload)) : nil
        }
    }

    private mutating func appendMessageData(_ data: [UInt8]) throws(ProtocolError) {
        guard !data.isEmpty else { return }
        if messageBuffer.count + data.count > decoder.limits.maxMessageSize {
            throw ProtocolError(.messageTooBig, "message exceeds the \(decoder.limits.maxMessageSize)-byte limit")
        }
        // §8.1: fail fast on invalid UTF-8, inside a frame and across fragments.
        if messageOpcode == .text && !utf8.validate(data) {
            throw ProtocolError(.invalidFramePayloadData, "invalid UTF-8 in text message")
        }
        if state == .open { messageBuffer.append(contentsOf: data) }
    }

    private mutating func handleControl() throws(ProtocolError) -> ConnectionEvent? {
        let payload = controlBuffer
        controlBuffer = []
        switch frameOpcode {
        case .ping:
            // §5.5.2: answer with a pong carrying the same payload, unless we already sent close.
            if state == .open { writeFrame(.pong, payload) }
            return .ping(payload)
        case .pong:
            return .pong(payload)
        case .close:
            let body = try CloseFrameBody.parse(payload)
            switch state {
            case .open:
                // §5.5.1: reply with a close frame, echoing the status code.
                writeFrame(.close, CloseFrameBody(code: body.code).payload)
                state = .closed
                return .closeReceived(body)
            case .closeSent:
                state = .closed
                return .closeCompleted(body)
            case .closed:
                return nil
            }
        default:
            return nil
        }
    }

    private mutating func fail(_ error: ProtocolError) -> ConnectionEvent {
        // §7.1.7: fail the connection, sending a close frame with the matching code first.
        if state == .open { writeFrame(.close, CloseFrameBody(code: error.closeCode, reason: error.reason).payload) }
        state = .closed
        messageBuffer = []
        controlBuffer = []
        return .failed(error)
    }

    private mutating func writeFrame(_ opcode: Opcode, _ payload: [UInt8], rsv1: Bool = false) {
        let key: MaskingKey? = decoder.role == .client ? keys.next() : nil
        FrameEncoder.encode(opcode: opcode, payload: payload, fin: true, rsv1: rsv1, maskingKey: key, into: &output)
    }

    /// Queues a data message, compressed when permessage-deflate was negotiated; `false` once closing.
    @discardableResult
    public mutating func send(_ message: Message) -> Bool {
        guard state == .open else { return false }
        if let deflate, let compressed = try? deflate.compress(message.payload) {
            writeFrame(message.opcode, compressed, rsv1: true)
        } else {
            writeFrame(message.opcode, message.payload)
        }
        return true
    }

    /// Queues a ping (§5.5.2); the payload is cut to 125 bytes.
    @discardableResult
    public mutating func ping(_ payload: [UInt8] = []) -> Bool {
        guard state == .open else { return false }
        writeFrame(.ping, Array(payload.prefix(125)))
        return true
    }

    /// Starts the closing handshake (§7.1.2); `false` when already closing or closed.
    @discardableResult
    public mutating func close(_ body: CloseFrameBody = CloseFrameBody(code: .normalClosure)) -> Bool {
        guard state == .open else { return false }
        writeFrame(.close, body.payload)
        state = .closeSent
        return true
    }

    /// Marks the connection closed without a closing handshake (the transport ended, §7.1.5: 1006).
    public mutating func transportClosed() {
        state = .closed
        messageBuffer = []
        controlBuffer = []
    }
}
