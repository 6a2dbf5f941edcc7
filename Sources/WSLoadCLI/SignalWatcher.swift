import Foundation

/// The write end of the self-pipe the signal handler writes each signal number to (set once, before any
/// handler is installed; read from the handler, which may only touch async-signal-safe state).
private nonisolated(unsafe) var signalPipeWriteEnd: Int32 = -1

/// Watches signals without losing one. `sigaction` installs a handler synchronously (before the caller goes on
/// to announce readiness, such as `listening on …`), and the handler writes the signal number to a pipe a
/// dedicated thread reads — the self-pipe pattern, which works whichever thread the kernel delivers to.
/// (Dispatch signal sources register asynchronously after `resume()`, and a SIGTERM sent in that window was
/// discarded under `SIG_IGN`: `wsload serve` then never exited.) The signals are unblocked in the calling thread,
/// in case the parent started us with them blocked. Child processes get every signal at its default
/// action (``RunningCommand`` spawns with `POSIX_SPAWN_SETSIGDEF`).
final class SignalWatcher: @unchecked Sendable {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var watchers: [ObjectIdentifier: (signals: Set<Int32>, handler: @Sendable (Int32) -> Void)] = [:]
    nonisolated(unsafe) private static var readEnd: Int32 = -1

    init(_ signals: [Int32], handler: @escaping @Sendable (Int32) -> Void) {
        Self.lock.lock()
        defer { Self.lock.unlock() }
        if Self.readEnd < 0 { Self.startReader() }
        Self.watchers[ObjectIdentifier(self)] = (Set(signals), handler)
        for s in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { signal in
                let saved = errno  // the interrupted code may be about to read errno
                var byte = UInt8(truncatingIfNeeded: signal)
                _ = write(signalPipeWriteEnd, &byte, 1)
                errno = saved
            }
            action.sa_flags = SA_RESTART
            sigemptyset(&action.sa_mask)
            sigaction(s, &action, nil)
        }
        // A parent may have started us with these signals blocked (a child inherits its spawning thread's mask,
        // and Swift's test runner spawns from Dispatch threads, which block them): unblock them in this thread,
        // so the kernel has a thread to run the handler on.
        var set = sigset_t()
        sigemptyset(&set)
        for s in signals { sigaddset(&set, s) }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    /// Stops calling the handler. The signals stay caught (and so ignored), as they were while watched.
    func cancel() {
        Self.lock.lock()
        Self.watchers[ObjectIdentifier(self)] = nil
        Self.lock.unlock()
    }

    deinit { cancel() }

    /// Opens the pipe (non-blocking write end: a flood of signals never blocks the handler) and starts the thread
    /// that hands each signal to the watchers registered for it. Called once, under `lock`.
    private static func startReader() {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
        readEnd = fds[0]
        signalPipeWriteEnd = fds[1]
        let fd = fds[0]
        let thread = Thread {
            var byte: UInt8 = 0
            while true {
                let n = read(fd, &byte, 1)
                if n < 0, errno == EINTR { continue }
                guard n == 1 else { return }
                let signal = Int32(byte)
                lock.lock()
                let handlers = watchers.values.filter { $0.signals.contains(signal) }.map(\.handler)
                lock.unlock()
                for handler in handlers { handler(signal) }
            }
        }
        thread.name = "wsload-signals"
        thread.start()
    }
}
