internal import CZlib

/// A raw-deflate compressor owning one heap-allocated `z_stream` (RFC 7692 §7.2.1).
///
/// The `z_stream` never moves (zlib keeps a back-pointer into it). Confinement: owned by one
/// `PerMessageDeflate`, used by one connection on one queue.
final class Deflater {
    private let stream: UnsafeMutablePointer<z_stream>

    /// Creates a compressor with an LZ77 window of `windowBits` (9...15) bits.
    init(windowBits: Int, memLevel: Int = 8) throws(ProtocolError) {
        // Build the C resource in a local and assign the stored property only on success:
        // a throwing class init runs deinit once every stored property is set (PLATFORM.md).
        let s = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        s.initialize(to: z_stream())
        // Negative window bits select raw deflate (no zlib header), as RFC 7692 §7.2.1 requires.
        let rc = wsl_deflateInit2(s, Z_DEFAULT_COMPRESSION, -Int32(windowBits), Int32(memLevel))
        guard rc == Z_OK else {
            s.deinitialize(count: 1)
            s.deallocate()
            throw ProtocolError(.internalServerError, "deflateInit2 failed (\(rc)) for window bits \(windowBits)")
        }
        stream = s
    }

    deinit {
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Deflates `input` and flushes with Z_SYNC_FLUSH, returning every byte produced (ending in `00 00 FF FF`
    /// unless there was nothing to flush).
    func compress(_ input: [UInt8]) throws(ProtocolError) -> [UInt8] {
        guard input.count <= Int(UInt32.max) else { throw ProtocolError(.messageTooBig, "message too large for zlib") }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(stream, uLong(input.count))) + 16)
        var produced = 0
        var rc: Int32 = Z_OK
        input.withUnsafeBufferPointer { inBuf in
            stream.pointee.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress)
            stream.pointee.avail_in = uInt(inBuf.count)
            while true {
                if produced == output.count { output += [UInt8](repeating: 0, count: max(64, output.count)) }
                let space = output.count - produced
                output.withUnsafeMutableBufferPointer { outBuf in
                    stream.pointee.next_out = outBuf.baseAddress! + produced
                    stream.pointee.avail_out = uInt(space)
                    rc = deflate(stream, Z_SYNC_FLUSH)
                    produced += space - Int(stream.pointee.avail_out)
                }
                // Done once all input is consumed and the flush fit (zlib left output space over).
                if rc == Z_BUF_ERROR { rc = Z_OK; break }  // no progress possible: nothing left to flush
                if rc != Z_OK { break }
                if stream.pointee.avail_in == 0 && stream.pointee.avail_out > 0 { break }
            }
            stream.pointee.next_in = nil
            stream.pointee.next_out = nil
        }
        guard rc == Z_OK else { throw ProtocolError(.internalServerError, "deflate failed (\(rc))") }
        output.removeSubrange(produced...)
        return output
    }

    /// Forgets the LZ77 history (no context takeover, RFC 7692 §7.1.1).
    func reset() {
        deflateReset(stream)
    }
}
