import Dispatch

#if canImport(Glibc)
    import Glibc
#endif

/// A listening socket whose accepted connections are handed out round-robin to I/O queues.
///
/// Confinement: the accept source runs on its own serial queue; `onAccept` is called there with the
/// chosen ``IOQueue`` and must hop onto it before touching connection state.
public final class Listener: @unchecked Sendable {
    /// The bound address (with the actual port when 0 was requested).
    public let address: SocketAddress
    private let fd: Int32
    private let source: any DispatchSourceRead
    private let queues: [IOQueue]
    private var next = 0
    private var stopped = false

    /// Binds and listens on `address`, calling `onAccept(fd, queue)` for every accepted socket.
    /// A busy port fails with `EADDRINUSE` unless `reusePort` shares it on purpose (`SO_REUSEPORT`).
    public init(
        address: SocketAddress, queues: [IOQueue], backlog: Int32 = 4096, reusePort: Bool = false,
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
        let acceptQueue = DispatchQueue(label: "wsload.accept", target: .global())
        source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: acceptQueue)
        source.setEventHandler { [unowned self] in
            for _ in 0..<256 {
                let accepted = Socket.accept(fd)
                if case .failure(let e) = accepted, e.code == EMFILE || e.code == ENFILE {
                    // Out of descriptors: the level-triggered source would fire again at once and spin. This queue
                    // only accepts, so pausing it 100 ms is the simplest back-off (connections wait in the backlog).
                    usleep(100_000)
                    return
                }
                guard case .success(let client) = accepted else { return }
                let q = self.queues[self.next % self.queues.count]
                self.next &+= 1
                onAccept(client, q)
            }
        }
        source.setCancelHandler { Glibc.close(fd) }
        source.resume()
    }

    /// Stops accepting and closes the listening socket.
    public func stop() {
        guard !stopped else { return }
        stopped = true
        source.cancel()
    }

    deinit { stop() }
}
