/// Compressor + decompressor for one connection (RFC 7692 §7.2). Heap-allocated z_streams owned by a final class (never move a z_stream).
///
/// Confinement rule (why `@unchecked Sendable` is sound): an instance belongs to exactly one
/// connection and is only used on that connection's serial queue; it may be handed to that
/// queue once, but never used from two threads. zlib contexts are created lazily on first use,
/// so an idle connection that never sends or receives a compressed message holds no zlib memory.
/// After a method throws, the connection must be failed; the codec must not be used again.
public final class PerMessageDeflate: @unchecked Sendable {
    /// Whether zlib contexts currently exist (compressor, decompressor); for memory tests and diagnostics.
    public var hasContexts: (compressor: Bool, decompressor: Bool) { (deflater != nil, inflater != nil) }
    /// The negotiated send/receive parameters.
    public let parameters: DeflateParameters
    private var deflater: Deflater?
    private var inflater: Inflater?
    /// Decompressed bytes produced so far for the message being received.
    private var receivedInMessage = 0

    /// The DEFLATE tail that a sync flush ends with and that is removed / re-appended (RFC 7692 §7.2.1, §7.2.2).
    private static let tail: [UInt8] = [0x00, 0x00, 0xFF, 0xFF]

    /// zlib memLevel for the compressor (1...9): memory is about 2^(windowBits+2) + 2^(memLevel+9) bytes.
    public let memoryLevel: Int
    /// Free a direction's zlib context after each message when that direction has no context takeover.
    public let releasesContextsBetweenMessages: Bool

    /// Creates the codec with zlib's default memory level; throws if `sendMaxWindowBits` is outside 9...15 (zlib cannot deflate with 8).
    public convenience init(_ parameters: DeflateParameters) throws(ProtocolError) {
        try self.init(parameters, memoryLevel: 8, releasesContextsBetweenMessages: false)
    }

    /// Creates the codec with a chosen compressor memory level; with `releasesContextsBetweenMessages`,
    /// a no-context-takeover direction holds no zlib memory between messages (CPU traded for memory).
    public init(_ parameters: DeflateParameters, memoryLevel: Int, releasesContextsBetweenMessages: Bool) throws(ProtocolError) {
        guard (1...9).contains(memoryLevel) else {
            throw ProtocolError(.internalServerError, "zlib memory level \(memoryLevel) is not 1...9")
        }
        guard (9...15).contains(parameters.sendMaxWindowBits) else {
            throw ProtocolError(.internalServerError, "cannot compress with window bits \(parameters.sendMaxWindowBits) (zlib supports 9...15)")
        }
        guard (8...15).contains(parameters.receiveMaxWindowBits) else {
            throw ProtocolError(.internalServerError, "invalid receive window bits \(parameters.receiveMaxWindowBits)")
        }
        self.parameters = parameters
        self.memoryLevel = memoryLevel
        self.releasesContextsBetweenMessages = releasesContextsBetweenMessages
    }

    /// Compress one whole message payload: deflate with Z_SYNC_FLUSH, strip trailing 00 00 FF FF (§7.2.1); reset context per message if sendNoContextTakeover.
    public func compress(_ message: [UInt8]) throws(ProtocolError) -> [UInt8] {
        let deflater: Deflater
        if let existing = self.deflater {
            deflater = existing
        } else {
            deflater = try Deflater(windowBits: parameters.sendMaxWindowBits, memLevel: memoryLevel)
            self.deflater = deflater
        }
        var output = try deflater.compress(message)
        // RFC 7692 §7.2.1 step 2: remove the 4-octet tail 00 00 FF FF the sync flush produced.
        if output.count >= 4 && output[(output.count - 4)...].elementsEqual(Self.tail) {
            output.removeLast(4)
        }
        // RFC 7692 §7.2.3.6: an empty payload is sent as a single 00 octet (an empty stored block once the tail is re-appended).
        if output.isEmpty { output = [0x00] }
        // RFC 7692 §7.1.1: with no context takeover every message starts from an empty window.
        if parameters.sendNoContextTakeover {
            if releasesContextsBetweenMessages { self.deflater = nil } else { deflater.reset() }
        }
        return output
    }

    /// Streaming decompression of one message's frames: call for each fragment payload in order, with isFinal on the last.
    ///
    /// Appends 00 00 FF FF after the final fragment (RFC 7692 §7.2.2). Throws
    /// `ProtocolError(.messageTooBig, …)` as soon as the output of the current message would
    /// exceed `maxMessageSize` (inflation runs in bounded chunks and is checked as it goes);
    /// corrupt data throws `.invalidFramePayloadData`. Returns the bytes produced by this call.
    /// Resets the inflater after the final fragment if `receiveNoContextTakeover`.
    public func decompress(_ fragment: [UInt8], isFinal: Bool, maxMessageSize: Int) throws(ProtocolError) -> [UInt8] {
        let inflater: Inflater
        if let existing = self.inflater {
            inflater = existing
        } else {
            inflater = try Inflater()
            self.inflater = inflater
        }
        var output: [UInt8] = []
        let limit = max(0, maxMessageSize - receivedInMessage)
        var outcome = fragment.withUnsafeBufferPointer { inflater.inflate($0, into: &output, limit: limit) }
        if case .ok = outcome, isFinal {
            outcome = Self.tail.withUnsafeBufferPointer { inflater.inflate($0, into: &output, limit: limit) }
        }
        switch outcome {
        case .ok:
            break
        case .tooBig:
            inflater.reset()
            receivedInMessage = 0
            throw ProtocolError(.messageTooBig, "decompressed message exceeds \(maxMessageSize) bytes")
        case .failed(let code, let message):
            receivedInMessage = 0
            let detail = message ?? "zlib error \(code)"
            // Corrupt DEFLATE data is payload inconsistent with the message (1007); a preset
            // dictionary request is a protocol violation (1002); anything else is local (1011).
            switch code {
            case Inflater.dataError: throw ProtocolError(.invalidFramePayloadData, "invalid compressed data: \(detail)")
            case Inflater.needDictionary: throw ProtocolError(.protocolError, "compressed data asks for a preset dictionary")
            default: throw ProtocolError(.internalServerError, "inflate failed: \(detail)")
            }
        }
        if isFinal {
            receivedInMessage = 0
            if parameters.receiveNoContextTakeover {
                if releasesContextsBetweenMessages { self.inflater = nil } else { inflater.reset() }
            }
        } else {
            receivedInMessage += output.count
        }
        return output
    }
}
