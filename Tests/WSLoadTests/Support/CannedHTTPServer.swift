import Foundation

@testable import WSLoad

#if canImport(Glibc)
    import Glibc
#endif

/// A loopback HTTP/1.1 server for tests: answers every request with what `respond` returns for its target
/// (status, body), one connection at a time, `Connection: close`. Records the request targets it saw.
final class CannedHTTPServer: @unchecked Sendable {
    let port: UInt16
    private let fd: Int32
    private let respond: @Sendable (String) -> (Int, String)
    private let seen = Locked<[String]>([])
    private let stopped = Locked(false)
    private let done = DispatchSemaphore(value: 0)

    /// The request targets (`/api/v1/query?query=…`) received so far.
    var targets: [String] { seen.withLock { $0 } }

    init(_ respond: @escaping @Sendable (String) -> (Int, String)) throws {
        self.respond = respond
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(s, $0, len) } }
        guard bound == 0, listen(s, 16) == 0 else { close(s); throw CocoaError(.fileWriteUnknown) }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(s, $0, &len) } }
        fd = s
        port = UInt16(bigEndian: addr.sin_port)
        let thread = Thread { [self] in self.serve() }
        thread.start()
    }

    /// `http://127.0.0.1:PORT`.
    var base: String { "http://127.0.0.1:\(port)" }

    private func serve() {
        defer { done.signal() }
        while !stopped.withLock({ $0 }) {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 50) > 0 else { continue }
            let c = accept(fd, nil, nil)
            guard c >= 0 else { continue }
            var buffer = [UInt8](repeating: 0, count: 8192), request: [UInt8] = []
            while request.firstRange(of: [13, 10, 13, 10]) == nil {
                let n = recv(c, &buffer, buffer.count, 0)
                if n <= 0 { break }
                request += buffer[0..<n]
            }
            let line = String(decoding: request, as: UTF8.self).split(separator: "\r\n").first ?? ""
            let target = line.split(separator: " ").dropFirst().first.map(String.init) ?? "/"
            seen.withLock { $0.append(target) }
            let (status, body) = respond(target)
            let reply =
                "HTTP/1.1 \(status) X\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
            _ = Array(reply.utf8).withUnsafeBytes { send(c, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            close(c)
        }
    }

    /// Stops serving and closes the listener.
    func stop() {
        stopped.withLock { $0 = true }
        done.wait()
        close(fd)
    }
}
