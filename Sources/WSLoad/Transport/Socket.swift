#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Thin, checked wrappers around the POSIX socket calls the engine needs.
///
/// Every function returns the errno on failure instead of throwing, so the hot path
/// allocates nothing; callers turn errnos into ``ConnectionFailure`` values with the phase.
public enum Socket {
    /// `IP_BIND_ADDRESS_NO_PORT` (Linux 4.2+): defer source-port choice to connect(), so ports are
    /// shared per (source, destination) pair instead of reserved per source (see PLATFORM.md).
    static let ipBindAddressNoPort: Int32 = 24

    /// Creates a non-blocking, close-on-exec TCP socket for `family`.
    public static func makeTCP(family: Int32) -> Result<Int32, Errno> {
        #if os(Linux)
            let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
            let fd = socket(family, SOCK_STREAM, 0)
            if fd >= 0 { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        #endif
        guard fd >= 0 else { return .failure(Errno(errno)) }
        return .success(fd)
    }

    /// Sets an integer socket option.
    @discardableResult
    public static func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32) -> Bool {
        var v = value
        return setsockopt(fd, level, name, &v, socklen_t(MemoryLayout<Int32>.size)) == 0
    }

    /// Binds `fd` to a source address with port 0, setting `IP_BIND_ADDRESS_NO_PORT` first.
    public static func bindSource(_ fd: Int32, _ source: SocketAddress) -> Errno? {
        #if os(Linux)
            setOption(fd, Int32(IPPROTO_IP), ipBindAddressNoPort, 1)
        #endif
        var s = source
        s.port = 0
        let rc = s.withSockAddr { bind(fd, $0, $1) }
        return rc == 0 ? nil : Errno(errno)
    }

    /// Starts a non-blocking connect; `nil` means connected or in progress.
    public static func startConnect(_ fd: Int32, to destination: SocketAddress) -> Errno? {
        let rc = destination.withSockAddr { connect(fd, $0, $1) }
        if rc == 0 { return nil }
        let e = errno
        return e == EINPROGRESS || e == EINTR ? nil : Errno(e)
    }

    /// Whether a socket is ready for writing (or has an error or hang-up) right now: `poll(2)` with a zero timeout.
    /// A non-blocking `connect` to loopback or a near peer has usually completed by the time it returns
    /// `EINPROGRESS`; asking once costs one syscall, where waiting for the event costs a write source (an
    /// `epoll_ctl` to add it, a wake-up, another to remove it).
    public static func isReadyForWriting(_ fd: Int32) -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        return poll(&p, 1, 0) == 1 && p.revents != 0
    }

    /// The pending error of a connecting socket (`SO_ERROR`), `nil` when connected.
    public static func pendingError(_ fd: Int32) -> Errno? {
        var err: Int32 = 0
        var len = socklen_t(MemoryLayout<Int32>.size)
        if getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 { return Errno(errno) }
        return err == 0 ? nil : Errno(err)
    }

    /// The local address a socket is bound to.
    public static func localAddress(_ fd: Int32) -> SocketAddress? {
        var storage = sockaddr_storage()
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        guard rc == 0 else { return nil }
        return withUnsafePointer(to: &storage) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { SocketAddress($0, length: len) }
        }
    }

    /// The remote address of a connected socket.
    public static func peerAddress(_ fd: Int32) -> SocketAddress? {
        var storage = sockaddr_storage()
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &len) }
        }
        guard rc == 0 else { return nil }
        return withUnsafePointer(to: &storage) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { SocketAddress($0, length: len) }
        }
    }

    /// Creates a non-blocking listening socket bound to `address` (port 0 picks a free port).
    ///
    /// A port another socket listens on fails with `EADDRINUSE`, unless `reusePort` is set (`SO_REUSEPORT`):
    /// then several listeners (of the same user) share the port and the kernel spreads accepts among them.
    public static func listen(on address: SocketAddress, backlog: Int32 = 4096, reusePort: Bool = false) -> Result<Int32, Errno> {
        let fd: Int32
        switch makeTCP(family: address.family) {
        case .success(let s): fd = s
        case .failure(let e): return .failure(e)
        }
        setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1)
        // SO_REUSEADDR only allows rebinding past TIME_WAIT on Linux; sharing a busy port is opt-in (`serve --reuse-port`).
        if reusePort { setOption(fd, SOL_SOCKET, SO_REUSEPORT, 1) }
        if address.isIPv6 { setOption(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, 1) }
        let rc = address.withSockAddr { bind(fd, $0, $1) }
        if rc != 0 { let e = errno; close(fd); return .failure(Errno(e)) }
        if Glibc.listen(fd, backlog) != 0 { let e = errno; close(fd); return .failure(Errno(e)) }
        return .success(fd)
    }

    /// Accepts one pending connection as a non-blocking, close-on-exec socket.
    public static func accept(_ listener: Int32) -> Result<Int32, Errno> {
        let fd = Glibc.accept(listener, nil, nil)
        if fd >= 0 {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        guard fd >= 0 else { return .failure(Errno(errno)) }
        return .success(fd)
    }
}

/// An `errno` value as an error.
public struct Errno: Error, Hashable, Sendable, CustomStringConvertible {
    /// The raw errno.
    public var code: Int32
    /// Wraps an errno.
    public init(_ code: Int32) { self.code = code }
    /// `Connection refused (ECONNREFUSED)`.
    public var description: String { SystemError.describe(code) }
}
