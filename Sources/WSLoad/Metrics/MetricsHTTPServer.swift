import Foundation
import WSProtocol

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A tiny HTTP/1.1 server for `GET /metrics` on its own thread (`wsload run --metrics-listen`): one request per
/// connection (`Connection: close`), the format negotiated from `Accept` (``MetricsExposition/negotiate(accept:)``),
/// 404 for other paths, 405 for other methods. Off the engine's queues: a slow scraper never delays a connection.
public final class MetricsHTTPServer: @unchecked Sendable {
    /// The bound address (the actual port when 0 was asked for).
    public let address: SocketAddress
    private let fd: Int32
    private let body: @Sendable (MetricsExposition) -> String
    private let stopped = Locked(false)
    private let done = DispatchSemaphore(value: 0)

    /// Listens on `address`; `body` renders the exposition for each scrape. Throws when the address cannot be bound.
    public init(address: SocketAddress, body: @escaping @Sendable (MetricsExposition) -> String) throws(ConnectionFailure) {
        let fd: Int32
        switch Socket.listen(on: address, backlog: 64) {
        case .success(let s): fd = s
        case .failure(let e):
            throw ConnectionFailure(phase: .tcpConnect, kind: .system, errno: e.code, message: "metrics listen on \(address): \(e)")
        }
        self.fd = fd
        self.address = Socket.localAddress(fd) ?? address
        self.body = body
        let thread = Thread { [self] in serve() }
        thread.name = "wsload.metrics"
        thread.start()
    }

    /// Stops accepting and closes the listener (a request being answered is finished first).
    public func stop() {
        guard
            !stopped.withLock({ s in
                defer { s = true }; return s
            })
        else { return }
        done.wait()
        close(fd)
    }

    private func serve() {
        defer { done.signal() }
        while !stopped.withLock({ $0 }) {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 100) > 0 else { continue }
            guard case .success(let client) = Socket.accept(fd) else { continue }
            answer(client)
            close(client)
        }
    }

    private func answer(_ c: Int32) {
        let deadline = Date().addingTimeInterval(2)
        var request: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while request.firstRange(of: [13, 10, 13, 10]) == nil, request.count < 16 * 1024 {
            var p = pollfd(fd: c, events: Int16(POLLIN), revents: 0)
            let left = Int32(max(0, deadline.timeIntervalSinceNow) * 1000)
            guard left > 0, poll(&p, 1, left) > 0 else { return }
            let n = buffer.withUnsafeMutableBytes { recv(c, $0.baseAddress, $0.count, 0) }
            if n <= 0 { if n < 0, errno == EAGAIN || errno == EINTR { continue }; return }
            request += buffer[0..<n]
        }
        let (status, type, text) = Self.response(to: String(decoding: request, as: UTF8.self), body: body)
        let head = "HTTP/1.1 \(status)\r\nContent-Type: \(type)\r\nContent-Length: \(text.utf8.count)\r\nConnection: close\r\n\r\n"
        var out = Array((head + text).utf8)[...]
        while !out.isEmpty, Date() < deadline {
            let n = out.withUnsafeBytes { send(c, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n > 0 { out = out.dropFirst(n); continue }
            if n < 0, errno == EAGAIN || errno == EINTR {
                var p = pollfd(fd: c, events: Int16(POLLOUT), revents: 0)
                _ = poll(&p, 1, 100)
                continue
            }
            return
        }
    }

    /// Status line tail, content type and body for one request head.
    static func response(to head: String, body: (MetricsExposition) -> String) -> (String, String, String) {
        let lines = head.components(separatedBy: "\r\n")
        let parts = (lines.first ?? "").split(separator: " ")
        guard parts.count >= 2 else { return ("400 Bad Request", "text/plain", "bad request\n") }
        guard parts[0] == "GET" else { return ("405 Method Not Allowed", "text/plain", "only GET /metrics\n") }
        let path = parts[1].split(separator: "?", maxSplits: 1).first.map(String.init) ?? ""
        guard path == "/metrics" else { return ("404 Not Found", "text/plain", "only GET /metrics\n") }
        var accept: [String] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":"), line[..<colon].lowercased() == "accept" else { continue }
            accept += line[line.index(after: colon)...].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        }
        let format = MetricsExposition.negotiate(accept: accept)
        return ("200 OK", format.contentType, body(format))
    }
}
