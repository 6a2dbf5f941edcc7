import Dispatch

#if canImport(Glibc)
    import Glibc
#endif

/// A listening socket whose accepted connections are handed out round-robin to I/O queues.
///
/// Confinement: the accept source runs on its own serial queue; `onAccept` is called there with the
/// chosen ``IOQueue`` and must hop onto it before touching connection state.
///
/// Descriptor headroom: the process never uses its last `fdHeadroom` descriptors for connections. A socket
/// accepted above that ceiling is closed at once and reported to `onRefuse` — the client sees its connection
/// end before any upgrade, a counted failure. Running out entirely would crash the process: libdispatch's
/// worker-pool monitor opens `/proc/<tid>/stat` for its threads about once a second while work is queued, and
/// a failed open is a deliberate crash ("workq: registered worker exited prematurely", SIGILL) — what a
/// `wsload serve` at its `ulimit -n` did under a 20 000-connection burst before this ceiling existed.
public final class Listener: @unchecked Sendable {
    /// The bound address (with the actual port when 0 was requested).
    public let address: SocketAddress
    /// Accepted sockets numbered at or above this are refused (the soft `RLIMIT_NOFILE` minus the headroom;
    /// Linux gives the lowest free number, so a number this high means at most the headroom is left).
    public let fdCeiling: Int32
    private let fd: Int32
    private let source: any DispatchSourceRead
    private let acceptQueue: DispatchQueue
    private let queues: [IOQueue]
    private var next = 0
    private let state = Locked(State())
    private struct State { var stopped = false, paused = false }

    /// Binds and listens on `address`, calling `onAccept(fd, queue)` for every accepted socket and
    /// `onRefuse(ceiling)` for every one closed at the descriptor ceiling (see the type's comment).
    /// A busy port fails with `EADDRINUSE` unless `reusePort` shares it on purpose (`SO_REUSEPORT`).
    public init(
        address: SocketAddress, queues: [IOQueue], backlog: Int32 = 4096, reusePort: Bool = false, fdHeadroom: Int = 64,
        onRefuse: @escaping @Sendable (Int32) -> Void = { _ in },
        onAccept: @escaping @Sendable (Int32, IOQueue) -> Void
    ) throws(ConnectionFailure) {
        precondition(!queues.isEmpty)
        let fd: Int32
        switch Socket.listen(on: address, backlog: backlog, reusePort: reusePort) {
        case .success(let s): fd = s
        case .failure(let e):
            let hint =
                e.code == EADDRINUSE
                ? "; another process listens on this port: pick another port, or share it on purpose with SO_REUSEPORT (`wsload serve --reuse-port`)"
                : ""
            throw ConnectionFailure(phase: .tcpConnect, kind: .system, errno: e.code, message: "listen on \(address): \(e)\(hint)")
        }
        self.fd = fd
        self.address = Socket.localAddress(fd) ?? address
        self.queues = queues
        fdCeiling = Self.ceiling(headroom: fdHeadroom)
        let ceiling = fdCeiling
        acceptQueue = DispatchQueue(label: "wsload.accept", target: .global())
        source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: acceptQueue)
        source.setEventHandler { [unowned self] in
            for _ in 0..<256 {
                let accepted = Socket.accept(fd)
                if case .failure(let e) = accepted, e.code == EMFILE || e.code == ENFILE {
                    // Out of descriptors for another reason (files, pipes): the level-triggered source would fire
                    // again at once and spin. Pause it 100 ms without blocking a worker thread.
                    self.pause()
                    return
                }
                guard case .success(let client) = accepted else { return }
                if client >= ceiling {
                    Glibc.close(client)
                    onRefuse(ceiling)
                    continue
                }
                let q = self.queues[self.next % self.queues.count]
                self.next &+= 1
                onAccept(client, q)
            }
        }
        source.setCancelHandler { Glibc.close(fd) }
        source.resume()
    }

    /// The soft descriptor limit minus `headroom` (at least 16 descriptors stay usable for connections).
    static func ceiling(headroom: Int) -> Int32 {
        var rl = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &rl)
        let soft = Int(clamping: rl.rlim_cur)
        return Int32(clamping: max(16, soft - max(0, headroom)))
    }

    /// Suspends the accept source for 100 ms (on the accept queue).
    private func pause() {
        let go = state.withLock { s -> Bool in
            guard !s.stopped, !s.paused else { return false }
            s.paused = true
            return true
        }
        guard go else { return }
        source.suspend()
        acceptQueue.asyncAfter(deadline: .now() + .milliseconds(100)) { [self] in
            let resume = state.withLock { s -> Bool in
                guard s.paused else { return false }
                s.paused = false
                return !s.stopped
            }
            if resume { source.resume() }
        }
    }

    /// Stops accepting and closes the listening socket.
    public func stop() {
        let wasPaused = state.withLock { s -> Bool? in
            guard !s.stopped else { return nil }
            s.stopped = true
            defer { s.paused = false }
            return s.paused
        }
        guard let wasPaused else { return }
        if wasPaused { source.resume() }  // a suspended source must be resumed to run its cancel handler
        source.cancel()
    }

    deinit { stop() }
}
