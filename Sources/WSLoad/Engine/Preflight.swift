import Foundation
import WSProtocol

#if canImport(Glibc)
    import Glibc
#endif

/// An optional HTTP request a virtual client makes before its WebSocket connections, whose
/// `Set-Cookie` headers fill the client's jar (e.g. a login page that sets the affinity cookie).
///
/// Blocking with `poll(2)` and a deadline; run off the I/O queues, before the ramp.
public enum Preflight {
    /// What a pre-flight request returned.
    public struct Response: Sendable {
        /// The HTTP status.
        public var status: Int
        /// The response headers.
        public var headers: HTTPHeaders
    }

    /// Sends `METHOD url` (the dialer's URL, to its resolved destination, over its TLS context and identity) from
    /// `source`, stores every Set-Cookie into `jar`, and returns the response head.
    public static func run(
        dialer: Dialer, method: String = "GET", source: SocketAddress?, jar: CookieJar?, cookieHeader: String? = nil,
        headers: [(String, String)] = [], timeout: Double = 10
    ) throws(ConnectionFailure) -> Response {
        let url = dialer.url, destination = dialer.destination, tls = dialer.settings.tls, tlsIdentity = dialer.tlsIdentity
        if let source, source.family != destination.family {
            throw ConnectionFailure(phase: .resolve, kind: .system, message: "no address of \(url.host) matches the source family")
        }
        let deadline = MonotonicClock.now() + MonotonicClock.nanos(timeout)
        let fd: Int32
        switch Socket.makeTCP(family: destination.family) {
        case .success(let s): fd = s
        case .failure(let e): throw .system(.tcpConnect, "socket", errno: e.code)
        }
        defer { close(fd) }
        if let source, let e = Socket.bindSource(fd, source) { throw .system(.tcpConnect, "bind to \(source.ip)", errno: e.code) }
        if let e = Socket.startConnect(fd, to: destination) { throw .system(.tcpConnect, "connect to \(destination)", errno: e.code) }
        try wait(fd, events: Int16(POLLOUT), until: deadline, phase: .tcpConnect)
        if let e = Socket.pendingError(fd) { throw .system(.tcpConnect, "connect to \(destination)", errno: e.code) }

        var session: TLSSession?
        if let tls {
            let s: TLSSession
            do { s = try tls.makeSession(fd: fd, identity: tlsIdentity) } catch { throw ConnectionFailure.tls(.tls, error) }
            loop: while true {
                switch s.handshake() {
                case .done: break loop
                case .wantRead: try wait(fd, events: Int16(POLLIN), until: deadline, phase: .tls)
                case .wantWrite: try wait(fd, events: Int16(POLLOUT), until: deadline, phase: .tls)
                case .closed: throw ConnectionFailure(phase: .tls, kind: .peerClosed, message: "peer closed during the TLS handshake")
                case .failed(let e): throw ConnectionFailure.tls(.tls, e)
                }
            }
            session = s
        }

        // Request (RFC 9112 §3): a plain GET with the jar's cookies; header values are stripped of CR/LF.
        var request =
            "\(method) \(url.target) HTTP/1.1\r\nHost: \(url.hostHeader)\r\nUser-Agent: wsload/\(WSLoadVersion.string)\r\nAccept: */*\r\nConnection: close\r\n"
        if let cookieHeader { request += "Cookie: \(clean(cookieHeader))\r\n" }
        for (n, v) in headers { request += "\(clean(n)): \(clean(v))\r\n" }
        request += "\r\n"
        var out = Array(request.utf8)[...]
        while !out.isEmpty {
            let n: Int = out.withUnsafeBytes { raw in
                if let session {
                    switch session.write(raw) {
                    case .done(let w): return w;
                    case .wantRead, .wantWrite: return 0;
                    default: return -1
                    }
                }
                let w = send(fd, raw.baseAddress, raw.count, Int32(MSG_NOSIGNAL))
                return w < 0 ? (errno == EAGAIN ? 0 : -1) : w
            }
            if n < 0 { throw ConnectionFailure(phase: .upgrade, kind: .peerClosed, message: "pre-flight request could not be sent") }
            if n == 0 { try wait(fd, events: Int16(POLLOUT), until: deadline, phase: .upgrade) } else { out = out.dropFirst(n) }
        }

        var parser = ResponseHeadParser()
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let n: Int = buffer.withUnsafeMutableBytes { raw in
                if let session {
                    switch session.read(into: raw) {
                    case .done(let r): return r;
                    case .wantRead, .wantWrite: return -2;
                    case .closed: return 0;
                    case .failed: return -1
                    }
                }
                let r = read(fd, raw.baseAddress, raw.count)
                return r < 0 ? (errno == EAGAIN ? -2 : -1) : r
            }
            if n == -2 { try wait(fd, events: Int16(POLLIN), until: deadline, phase: .upgrade); continue }
            if n <= 0 { throw ConnectionFailure(phase: .upgrade, kind: .peerClosed, message: "pre-flight: connection closed before a response head") }
            do {
                if let (head, _) = try parser.feed(buffer[0..<n]) {
                    jar?.store(setCookieHeaders: head.headers.values("Set-Cookie"), host: url.host, requestPath: url.target)
                    return Response(status: head.status, headers: head.headers)
                }
            } catch {
                throw ConnectionFailure(phase: .upgrade, kind: .handshake, message: "pre-flight response: \(error)")
            }
        }
    }

    private static func clean(_ s: String) -> String { s.filter { $0 != "\r" && $0 != "\n" && $0 != "\0" } }

    private static func wait(_ fd: Int32, events: Int16, until deadline: UInt64, phase: ConnectionPhase) throws(ConnectionFailure) {
        var p = pollfd(fd: fd, events: events, revents: 0)
        while true {
            let now = MonotonicClock.now()
            guard now < deadline else { throw ConnectionFailure(phase: phase, kind: .timeout, message: "pre-flight \(phase) timed out") }
            let rc = poll(&p, 1, Int32(min(1000, (deadline - now) / 1_000_000 + 1)))
            if rc > 0 { return }
            if rc < 0 && errno != EINTR { throw .system(phase, "poll", errno: errno) }
        }
    }
}
