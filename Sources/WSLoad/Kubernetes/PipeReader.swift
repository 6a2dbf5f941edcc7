import Dispatch
import Foundation

/// Reads the parent's end of a child's pipe with a `DispatchSourceRead` until end of file.
///
/// Confinement: everything after `init` runs on `queue`; `fd` is owned and closed in the cancel handler.
final class PipeReader: @unchecked Sendable {
    private let fd: Int32
    private let queue: DispatchQueue
    private let onBytes: (UnsafeRawBufferPointer) -> Void
    private let onEnd: () -> Void
    private var source: DispatchSourceRead?
    private var finished = false
    private var buffer = [UInt8](repeating: 0, count: 16 * 1024)

    /// Takes ownership of `fd`; `onBytes` and `onEnd` (called once) run on `queue`.
    init(fd: Int32, queue: DispatchQueue, onBytes: @escaping (UnsafeRawBufferPointer) -> Void,
         onEnd: @escaping () -> Void) {
        self.fd = fd
        self.queue = queue
        self.onBytes = onBytes
        self.onEnd = onEnd
    }

    /// Starts reading.
    func start() {
        queue.async { [self] in
            let flags = fcntl(fd, F_GETFL)
            _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
            let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
            let fd = self.fd
            source.setEventHandler { self.drain() } // cycle broken in finish()
            source.setCancelHandler { close(fd) }
            self.source = source
            source.resume()
        }
    }

    /// Stops reading now (e.g. a grandchild still holds the pipe open); `onEnd` is called if it was not yet.
    func forceFinish() {
        queue.async { [self] in finish() }
    }

    private func drain() {
        while !finished {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                buffer.withUnsafeBytes { onBytes(UnsafeRawBufferPointer(rebasing: $0[..<n])) }
            } else if n == 0 {
                finish()
            } else if errno == EINTR {
                continue
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                return
            } else {
                finish()
            }
        }
    }

    private func finish() {
        guard !finished else { return }
        finished = true
        if let source {
            source.cancel()
            self.source = nil
        } else {
            // Never started: nothing else will close the descriptor.
            close(fd)
        }
        onEnd()
    }
}
