internal import CZlib

/// A raw-inflate decompressor owning one heap-allocated `z_stream` (RFC 7692 §7.2.2).
///
/// Always inflates with a 15-bit window, which decodes any peer window of 8...15 bits. The
/// `z_stream` never moves. Confinement: owned by one `PerMessageDeflate`, used by one
/// connection on one queue.
final class Inflater {
    private let stream: UnsafeMutablePointer<z_stream>

    /// The most bytes produced by one call to zlib; bounds the memory a single step can use.
    static let chunkSize = 32 * 1024

    /// zlib's Z_DATA_ERROR, re-exported so callers need not import CZlib.
    static let dataError: Int32 = Z_DATA_ERROR
    /// zlib's Z_NEED_DICT.
    static let needDictionary: Int32 = Z_NEED_DICT

    /// Creates a raw inflater.
    init() throws(ProtocolError) {
        let s = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        s.initialize(to: z_stream())
        let rc = wsl_inflateInit2(s, -15)
        guard rc == Z_OK else {
            s.deinitialize(count: 1)
            s.deallocate()
            throw ProtocolError(.internalServerError, "inflateInit2 failed (\(rc))")
        }
        stream = s
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Outcome of feeding one buffer.
    enum Outcome {
        case ok
        case tooBig
        case failed(Int32, String?)
    }

    /// Inflates all of `input`, appending to `output`, in chunks of at most `chunkSize`; stops with
    /// `.tooBig` as soon as `output.count` would exceed `limit` (checked after every chunk, so a
    /// tiny input can never expand without bound).
    func inflate(_ input: UnsafeBufferPointer<UInt8>, into output: inout [UInt8], limit: Int) -> Outcome {
        guard input.count > 0 else { return .ok }
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
        stream.pointee.avail_in = uInt(input.count)
        defer {
            stream.pointee.next_in = nil
            stream.pointee.next_out = nil
        }
        // Inflate into a scratch buffer and copy out what was produced. It starts small (most
        // frames are small) and grows to whole chunks; it is freed before returning, so an idle
        // connection keeps no output buffer.
        var scratchSize = min(Self.chunkSize, max(256, input.count * 4))
        var scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: scratchSize)
        defer { scratch.deallocate() }
        while true {
            // One byte beyond the limit is enough to know the message is too big.
            let space = min(scratchSize, max(limit - output.count + 1, 1))
            stream.pointee.next_out = scratch
            stream.pointee.avail_out = uInt(space)
            let rc = CZlib.inflate(stream, Z_SYNC_FLUSH)
            let produced = space - Int(stream.pointee.avail_out)
            output.append(contentsOf: UnsafeBufferPointer(start: scratch, count: produced))
            if output.count > limit { return .tooBig }
            switch rc {
            case Z_OK:
                break
            case Z_BUF_ERROR:
                // No progress: all input consumed and nothing pending.
                return .ok
            case Z_STREAM_END:
                // The peer ended the DEFLATE stream with a BFINAL block (RFC 7692 §7.2.3.4): start a
                // fresh stream for whatever follows (at least our appended 00 00 FF FF).
                inflateReset(stream)
            default:
                let message = stream.pointee.msg.map { String(cString: $0) }
                inflateReset(stream)
                return .failed(rc, message)
            }
            let filledAll = produced == space
            if stream.pointee.avail_in == 0 && !filledAll { return .ok }
            if filledAll && scratchSize < Self.chunkSize {
                scratch.deallocate()
                scratchSize = Self.chunkSize
                scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: scratchSize)
            }
        }
    }

    /// Forgets the LZ77 history (no context takeover, RFC 7692 §7.1.1).
    func reset() {
        inflateReset(stream)
    }
}
