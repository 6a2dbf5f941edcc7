import Foundation

/// Reads lines from a descriptor we do not own (standard input) on a dedicated thread.
///
/// The thread waits with `poll(2)` in 100 ms steps, so ``stop(timeout:)`` ends it without closing the
/// descriptor or changing its flags (both are shared with the parent shell). It ends by itself at end of file.
final class LogSourceDescriptorReader: @unchecked Sendable {
    private let fd: Int32
    private let onLine: @Sendable (String) -> Void
    private let onEnd: @Sendable (String?) -> Void
    private let stopping = Locked(false)
    private let finished = DispatchSemaphore(value: 0)

    /// `onLine` per line; `onEnd(error)` once at end of file (nil), on a read error, or after stop.
    init(fd: Int32, onLine: @escaping @Sendable (String) -> Void, onEnd: @escaping @Sendable (String?) -> Void) {
        self.fd = fd
        self.onLine = onLine
        self.onEnd = onEnd
    }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "wsload.stdin-log"
        thread.start()
    }

    /// Asks the thread to end and waits up to `timeout` for it.
    func stop(timeout: TimeInterval = 1) {
        stopping.withLock { $0 = true }
        _ = finished.wait(timeout: .now() + timeout)
    }

    private func run() {
        var lines = LineBuffer()
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var failure: String?
        loop: while !stopping.current {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, 100)
            if ready < 0 {
                if errno == EINTR { continue }
                failure = String(cString: strerror(errno))
                break
            }
            if ready == 0 { continue }
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            switch n {
            case 0:
                break loop
            case ..<0:
                if errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK { continue }
                failure = String(cString: strerror(errno))
                break loop
            default:
                buffer.withUnsafeBytes { lines.append(UnsafeRawBufferPointer(rebasing: $0[..<n]), onLine) }
            }
        }
        lines.flush(onLine)
        onEnd(failure)
        finished.signal()
    }
}
