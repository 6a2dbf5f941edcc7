import Foundation
import WSProtocol

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A small blocking HTTP/1.1 `GET` with a deadline, for off-hot-path reads such as a Prometheus API query or a
/// pod's `/metrics` (no TLS, no redirects, no keep-alive: `Connection: close`, body read to EOF, chunked decoded).
public enum HTTPGet {
    /// A response.
    public struct Response: Sendable, Equatable {
        /// The status code, e.g. 200.
        public var status: Int
        /// The header fields.
        public var headers: HTTPHeaders
        /// The decoded body.
        public var body: [UInt8]
        /// The body as UTF-8 text.
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// Why a GET failed, naming the URL and the step.
    public struct Failure: Error, CustomStringConvertible, Sendable, Equatable {
        /// The URL that was read.
        public var url: String
        /// What went wrong.
        public var message: String
        /// `GET URL: message`.
        public var description: String { "GET \(url): \(message)" }
    }

    /// Reads `url` (`http://host:port/path?query`), giving up after `timeout` seconds.
    public static func get(_ url: String, headers: [(String, String)] = [], timeout: Double = 5, maxBytes: Int = 16 << 20) throws(Failure) -> Response
    {
        guard let parts = split(url) else { throw Failure(url: url, message: "not an http://host:port/path URL") }
        let addresses: [SocketAddress]
        do { addresses = try Resolver.resolve(host: parts.host, port: parts.port) } catch {
            throw Failure(url: url, message: "resolve \(parts.host): \(error)")
        }
        guard let address = addresses.first else { throw Failure(url: url, message: "resolve \(parts.host): no address") }
        let deadline = MonotonicClock.now() + MonotonicClock.nanos(timeout)
        let fd: Int32
        switch Socket.makeTCP(family: address.family) {
        case .success(let s): fd = s
        case .failure(let e): throw Failure(url: url, message: "socket: \(e)")
        }
        defer { close(fd) }
        if let e = Socket.startConnect(fd, to: address) { throw Failure(url: url, message: "connect \(address): \(e)") }
        guard wait(fd, for: Int16(POLLOUT), until: deadline) else {
            throw Failure(url: url, message: "connect \(address): timed out after \(timeout) s")
        }
        if let e = Socket.pendingError(fd) { throw Failure(url: url, message: "connect \(address): \(e)") }

        var request = "GET \(parts.target) HTTP/1.1\r\nHost: \(parts.hostHeader)\r\nConnection: close\r\nUser-Agent: wsload\r\n"
        for (n, v) in headers { request += "\(n): \(v)\r\n" }
        request += "\r\n"
        var out = Array(request.utf8)[...]
        while !out.isEmpty {
            let n = out.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n > 0 { out = out.dropFirst(n); continue }
            if n < 0, errno == EAGAIN || errno == EINTR {
                guard wait(fd, for: Int16(POLLOUT), until: deadline) else { throw Failure(url: url, message: "write: timed out") }
                continue
            }
            throw Failure(url: url, message: "write: \(Errno(errno))")
        }

        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                received.append(contentsOf: chunk[0..<n])
                if received.count > maxBytes { throw Failure(url: url, message: "response larger than \(maxBytes) bytes") }
                continue
            }
            if n == 0 { break }
            if errno == EAGAIN || errno == EINTR {
                guard wait(fd, for: Int16(POLLIN), until: deadline) else { throw Failure(url: url, message: "read: timed out after \(timeout) s") }
                continue
            }
            throw Failure(url: url, message: "read: \(Errno(errno))")
        }
        do { return try parse(received) } catch { throw Failure(url: url, message: error.message) }
    }

    struct ParseError: Error { var message: String }

    /// Parses a whole response read to EOF: status line, header fields, a body by `Content-Length`, chunks or EOF.
    static func parse(_ bytes: [UInt8]) throws(ParseError) -> Response {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let headEnd = bytes.firstRange(of: separator) else {
            throw ParseError(message: "connection closed before the response head ended (\(bytes.count) bytes)")
        }
        let head = String(decoding: bytes[..<headEnd.lowerBound], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst()
        let f = statusLine.split(separator: " ", maxSplits: 2)
        guard f.count >= 2, f[0].hasPrefix("HTTP/"), let status = Int(f[1]) else {
            throw ParseError(message: "not an HTTP status line: \(statusLine.prefix(80))")
        }
        var headers = HTTPHeaders()
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.add(String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var body = Array(bytes[headEnd.upperBound...])
        if headers.tokens("Transfer-Encoding").contains("chunked") {
            body = try dechunk(body)
        } else if let l = headers.first("Content-Length"), let length = Int(l) {
            guard body.count >= length else { throw ParseError(message: "body ended after \(body.count) of \(length) bytes") }
            body = Array(body.prefix(length))
        }
        return Response(status: status, headers: headers, body: body)
    }

    /// Decodes a chunked body (RFC 9112 §7.1); trailers are ignored.
    static func dechunk(_ bytes: [UInt8]) throws(ParseError) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while true {
            guard let lineEnd = bytes[i...].firstRange(of: [13, 10]) else { throw ParseError(message: "chunked body ended inside a chunk size line") }
            let sizeText = String(decoding: bytes[i..<lineEnd.lowerBound], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else {
                throw ParseError(message: "bad chunk size \(sizeText.prefix(20))")
            }
            i = lineEnd.upperBound
            if size == 0 { return out }
            guard i + size <= bytes.count else { throw ParseError(message: "chunked body ended inside a chunk") }
            out.append(contentsOf: bytes[i..<i + size])
            i += size + 2
            guard i <= bytes.count else { throw ParseError(message: "chunked body ended after a chunk") }
        }
    }

    /// Splits `http://host[:port]/target` into its parts (IPv6 literals in brackets).
    static func split(_ url: String) -> (host: String, port: UInt16, target: String, hostHeader: String)? {
        guard url.lowercased().hasPrefix("http://") else { return nil }
        let rest = url.dropFirst(7)
        let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        let authority = String(rest[..<slash])
        var target = String(rest[slash...])
        if target.isEmpty { target = "/" } else if target.hasPrefix("?") { target = "/" + target }
        var host = authority, port: UInt16 = 80
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { guard let p = UInt16(after.dropFirst()) else { return nil }; port = p }
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            guard let p = UInt16(authority[authority.index(after: colon)...]) else { return nil }
            port = p
        }
        guard !host.isEmpty else { return nil }
        return (host, port, target, authority)
    }

    private static func wait(_ fd: Int32, for events: Int16, until deadline: UInt64) -> Bool {
        while true {
            let now = MonotonicClock.now()
            if now >= deadline { return false }
            let left = Double(deadline - now) / 1e9
            var p = pollfd(fd: fd, events: events, revents: 0)
            let rc = poll(&p, 1, Int32(min(left * 1000, 60_000)) + 1)
            if rc > 0 { return true }
            if rc < 0, errno != EINTR { return true }  // let the next call report the error
        }
    }
}
