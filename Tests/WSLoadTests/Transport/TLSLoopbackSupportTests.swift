@testable import WSLoad

// Test support for the TLS tests: loopback TCP pairs and a poll() loop that drives both ends.
// (Named *Tests.swift to sit with the TLS test files; it declares no tests.)
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

struct SocketError: Error, CustomStringConvertible {
    var description: String
    init(_ what: String) { description = "\(what): \(String(cString: strerror(errno)))" }
}

/// OpenSSL writes with write(2): a peer that closed must not kill the test process.
let ignoreSIGPIPE: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

/// A TCP listener on 127.0.0.1 with an ephemeral port; `connect()` returns accepted pairs.
final class LoopbackListener {
    let fd: Int32
    let port: UInt16

    init() throws {
        _ = ignoreSIGPIPE
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SocketError("socket") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw SocketError("bind/listen")
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.fd = fd
        self.port = UInt16(bigEndian: address.sin_port)
    }

    deinit { close(fd) }

    /// A connected, accepted pair, both non-blocking; `bufferSize` shrinks SO_SNDBUF/SO_RCVBUF.
    func connect(bufferSize: Int32? = nil) throws -> TCPPair {
        let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard client >= 0 else { throw SocketError("socket") }
        if let bufferSize { TCPPair.setBuffers(client, bufferSize) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = port.bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                posixConnect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(client)
            throw SocketError("connect")
        }
        let server = accept(fd, nil, nil)
        guard server >= 0 else {
            close(client)
            throw SocketError("accept")
        }
        if let bufferSize { TCPPair.setBuffers(server, bufferSize) }
        return TCPPair(client: client, server: server)
    }
}

private func posixConnect(_ fd: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> Int32 {
    connect(fd, address, length)
}

/// Both ends of one loopback TCP connection, non-blocking; closed in deinit unless closed before.
final class TCPPair {
    private(set) var client: Int32
    private(set) var server: Int32

    init(client: Int32, server: Int32) {
        self.client = client
        self.server = server
        for fd in [client, server] {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
    }

    deinit {
        if client >= 0 { close(client) }
        if server >= 0 { close(server) }
    }

    func closeClient() {
        close(client)
        client = -1
    }

    func closeServer() {
        close(server)
        server = -1
    }

    static func setBuffers(_ fd: Int32, _ size: Int32) {
        var value = size
        let length = socklen_t(MemoryLayout<Int32>.size)
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &value, length)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &value, length)
    }
}

/// Waits until `fd` is ready for what `result` asks (`.wantRead`/`.wantWrite`), at most `ms`.
func waitFor(_ result: TLSIOResult, fd: Int32, ms: Int32 = 100) {
    let events: Int16
    switch result {
    case .wantRead: events = Int16(POLLIN)
    case .wantWrite: events = Int16(POLLOUT)
    default: return
    }
    var pfd = pollfd(fd: fd, events: events, revents: 0)
    _ = poll(&pfd, 1, ms)
}

/// Runs each step (e.g. a handshake) again whenever its socket is ready for what it asked, until
/// every step returned something other than `.wantRead`/`.wantWrite`; `nil` for those still
/// pending at the deadline.
func runUntilDone(
    _ steps: [(fd: Int32, step: () -> TLSIOResult)], timeoutSeconds: Double = 5
) -> [TLSIOResult?] {
    var results = [TLSIOResult?](repeating: nil, count: steps.count)
    var wants = [Int16](repeating: Int16(POLLIN | POLLOUT), count: steps.count)
    let deadline = monotonicSeconds() + timeoutSeconds
    while true {
        for index in steps.indices where results[index] == nil {
            switch steps[index].step() {
            case .wantRead: wants[index] = Int16(POLLIN)
            case .wantWrite: wants[index] = Int16(POLLOUT)
            case let other: results[index] = other
            }
        }
        let pending = steps.indices.filter { results[$0] == nil }
        if pending.isEmpty || monotonicSeconds() > deadline { return results }
        var fds = pending.map { pollfd(fd: steps[$0].fd, events: wants[$0], revents: 0) }
        _ = poll(&fds, nfds_t(fds.count), 50)
    }
}

/// Client and server handshakes on `pair`, driven together.
func handshake(
    client: TLSSession, server: TLSSession, pair: TCPPair
) -> (client: TLSIOResult?, server: TLSIOResult?) {
    let results = runUntilDone([
        (pair.client, { client.handshake() }),
        (pair.server, { server.handshake() }),
    ])
    return (results[0], results[1])
}

/// Counters from `transfer`.
struct TransferStats {
    var writeCalls = 0
    var partialWrites = 0
    var wantWrites = 0
    var movedRetries = 0
    var readCalls = 0
    var dataReads = 0
    var wantReads = 0
    var failure: TLSIOResult? = nil
}

/// Sends `payload` through `sender` while `receiver` reads it; returns what arrived.
/// With `movingRetries`, every retry after `.wantWrite` passes a fresh copy of the same bytes
/// (another address), which OpenSSL accepts only with `SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER`.
func transfer(
    _ payload: [UInt8], from sender: TLSSession, fd senderFD: Int32,
    to receiver: TLSSession, fd receiverFD: Int32, movingRetries: Bool = false,
    timeoutSeconds: Double = 5
) -> (received: [UInt8], stats: TransferStats) {
    var retrying = false
    var stats = TransferStats()
    var received: [UInt8] = []
    received.reserveCapacity(payload.count)
    var buffer = [UInt8](repeating: 0, count: 16 * 1024)
    var sent = 0
    var senderWant = Int16(POLLOUT)
    let deadline = monotonicSeconds() + timeoutSeconds
    while received.count < payload.count, monotonicSeconds() < deadline {
        // Write until the socket pushes back.
        writing: while sent < payload.count {
            stats.writeCalls += 1
            let result: TLSIOResult
            if movingRetries && retrying {
                stats.movedRetries += 1
                let copy = Array(payload[sent...])
                result = copy.withUnsafeBytes { sender.write($0) }
            } else {
                result = payload.withUnsafeBytes {
                    sender.write(UnsafeRawBufferPointer(rebasing: $0[sent...]))
                }
            }
            retrying = result == .wantWrite
            switch result {
            case .done(let n):
                if n < payload.count - sent { stats.partialWrites += 1 }
                sent += n
            case .wantWrite:
                stats.wantWrites += 1
                senderWant = Int16(POLLOUT)
                break writing
            case .wantRead:
                senderWant = Int16(POLLIN)
                break writing
            case .closed, .failed:
                stats.failure = result
                return (received, stats)
            }
        }
        // Read until OpenSSL and the socket are drained.
        reading: while true {
            stats.readCalls += 1
            let result = buffer.withUnsafeMutableBytes { receiver.read(into: $0) }
            switch result {
            case .done(let n):
                stats.dataReads += 1
                received.append(contentsOf: buffer[..<n])
            case .wantRead:
                stats.wantReads += 1
                break reading
            case .wantWrite:
                break reading
            case .closed, .failed:
                stats.failure = result
                return (received, stats)
            }
        }
        if received.count >= payload.count { break }
        var fds = [pollfd(fd: receiverFD, events: Int16(POLLIN), revents: 0)]
        if sent < payload.count { fds.append(pollfd(fd: senderFD, events: senderWant, revents: 0)) }
        _ = poll(&fds, nfds_t(fds.count), 50)
    }
    return (received, stats)
}

/// Reads until something other than data arrives (e.g. to collect TLS 1.3 session tickets).
func readUntilBlocked(_ session: TLSSession, fd: Int32) -> TLSIOResult {
    var buffer = [UInt8](repeating: 0, count: 4096)
    var result = TLSIOResult.wantRead
    for _ in 0..<4 {
        result = buffer.withUnsafeMutableBytes { session.read(into: $0) }
        if case .done = result { continue }
        guard result == .wantRead else { return result }
        waitFor(result, fd: fd, ms: 20)
    }
    return result
}

func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

/// The contexts most tests use: a server with the CA-signed leaf and a client trusting the CA.
func makeContexts(
    client: TLSClientConfiguration = TLSClientConfiguration(
        caFile: TestCertificates.shared.caCertificatePath),
    server: TLSServerConfiguration = TLSServerConfiguration(
        certificateChainFile: TestCertificates.shared.certificatePath,
        privateKeyFile: TestCertificates.shared.privateKeyPath)
) throws -> (client: TLSContext, server: TLSContext) {
    (try TLSContext(client: client), try TLSContext(server: server))
}
