import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads a child's standard output and standard error with blocking `poll(2)` on a thread of its own.
///
/// Not a `DispatchSourceRead`: on Linux, libdispatch's epoll backend frees a source's muxnote on a worker thread
/// (when the handler cancels the source at end of file) while its manager thread may still be handling the
/// `EPOLLIN|EPOLLHUP` event of that same muxnote, and crashes in `_dispatch_event_loop_drain` /
/// `_dispatch_source_refs_finalize_unregistration`. Pipes of children that exit at once deliver exactly that
/// event (upstream: swift-corelibs-libdispatch #949). A plain thread with `poll` has no such shared state.
///
/// Confinement: an instance is used by the one thread that calls ``run(onStdout:onStderr:)``; it owns and
/// closes both pipe descriptors. ``WakePipe`` is shared with the reaper thread.
struct PipeReader {
    private let stdoutFD: Int32
    private let stderrFD: Int32
    private let wake: WakePipe
    private let drainGrace: TimeInterval

    /// Takes ownership of the read ends `stdoutFD` and `stderrFD`. Once `wake` is signalled (the child exited),
    /// reading goes on for at most `drainGrace` seconds (grandchildren may hold the pipes open).
    init(stdoutFD: Int32, stderrFD: Int32, wake: WakePipe, drainGrace: TimeInterval) {
        self.stdoutFD = stdoutFD
        self.stderrFD = stderrFD
        self.wake = wake
        self.drainGrace = drainGrace
    }

    /// Reads until both pipes reach end of file (or the drain grace after the wake-up ran out), calling the
    /// handlers on this thread, then closes both descriptors.
    func run(onStdout: (UnsafeRawBufferPointer) -> Void, onStderr: (UnsafeRawBufferPointer) -> Void) {
        var open = [true, true]
        let fds = [stdoutFD, stderrFD]
        var pollFDs = [pollfd](repeating: pollfd(fd: -1, events: Int16(POLLIN), revents: 0), count: 3)
        var deadline: UInt64?  // monotonic ns; set once the child has exited
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 1)
        defer {
            buffer.deallocate()
            close(stdoutFD)
            close(stderrFD)
        }
        while open[0] || open[1] {
            for i in 0..<2 { pollFDs[i].fd = open[i] ? fds[i] : -1 }  // poll ignores negative descriptors
            pollFDs[2].fd = deadline == nil ? wake.readFD : -1
            for i in 0..<3 { pollFDs[i].revents = 0 }
            var timeout: Int32 = -1
            if let deadline {
                let now = DispatchTime.now().uptimeNanoseconds
                if now >= deadline { break }
                timeout = Int32(min((deadline - now + 999_999) / 1_000_000, 60_000))
            }
            let ready = poll(&pollFDs, nfds_t(pollFDs.count), timeout)
            if ready < 0 {
                if errno == EINTR { continue }
                break  // EFAULT/EINVAL/ENOMEM: cannot go on; the pipes are closed below
            }
            if pollFDs[2].revents != 0 {
                deadline = DispatchTime.now().uptimeNanoseconds + UInt64(drainGrace * 1e9)
            }
            for i in 0..<2 where open[i] && pollFDs[i].revents != 0 {
                // One read per readiness: it cannot block (we are the only reader), and the loop polls again.
                let n = read(fds[i], buffer.baseAddress, buffer.count)
                if n > 0 {
                    let bytes = UnsafeRawBufferPointer(rebasing: buffer[..<n])
                    if i == 0 { onStdout(bytes) } else { onStderr(bytes) }
                } else if n == 0 || (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) {
                    open[i] = false
                }
            }
        }
    }
}

/// A close-on-exec pipe used once to tell the reading thread that the child has exited.
///
/// Both ends stay open until the last thread using it releases it, so the write never meets a closed
/// read end (no `SIGPIPE`) and neither descriptor is closed while `poll` may still use it.
final class WakePipe: Sendable {
    let readFD: Int32
    private let writeFD: Int32

    /// Nil when `pipe` fails (descriptor limit).
    init?() {
        var fds: [Int32] = [-1, -1]
        guard RunningCommand.makePipe(&fds) else { return nil }
        readFD = fds[0]
        writeFD = fds[1]
    }

    /// Makes ``readFD`` readable; call once.
    func signal() {
        var byte: UInt8 = 1
        while write(writeFD, &byte, 1) < 0 && errno == EINTR {}
    }

    deinit {
        close(readFD)
        close(writeFD)
    }
}
