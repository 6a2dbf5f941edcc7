#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An IPv4 or IPv6 socket address with a port, stored inline (no allocation).
public struct SocketAddress: Hashable, Sendable, CustomStringConvertible {
    /// The raw address: a `sockaddr_in6` is large enough for both families (28 bytes, vs 128 for
    /// `sockaddr_storage`); every connection keeps two of these, so the size matters at scale.
    @usableFromInline var storage: sockaddr_in6

    /// The address family (`AF_INET` or `AF_INET6`).
    public var family: Int32 { Int32(storage.sin6_family) }
    /// Whether this is an IPv6 address.
    public var isIPv6: Bool { family == AF_INET6 }

    /// Parses a numeric IPv4 or IPv6 address (no brackets, no name lookup) with a port.
    public init?(ip: String, port: UInt16) {
        var storage = sockaddr_in6()
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, ip, &v4) == 1 {
            withUnsafeMutableBytes(of: &storage) { raw in
                raw.withMemoryRebound(to: sockaddr_in.self) { p in
                    p[0].sin_family = sa_family_t(AF_INET)
                    p[0].sin_port = port.bigEndian
                    p[0].sin_addr = v4
                }
            }
        } else if inet_pton(AF_INET6, ip, &v6) == 1 {
            withUnsafeMutableBytes(of: &storage) { raw in
                raw.withMemoryRebound(to: sockaddr_in6.self) { p in
                    p[0].sin6_family = sa_family_t(AF_INET6)
                    p[0].sin6_port = port.bigEndian
                    p[0].sin6_addr = v6
                }
            }
        } else {
            return nil
        }
        self.storage = storage
    }

    /// Wraps a raw address returned by the system.
    public init?(_ address: UnsafePointer<sockaddr>, length: socklen_t) {
        let family = Int32(address.pointee.sa_family)
        guard family == AF_INET || family == AF_INET6 else { return nil }
        var storage = sockaddr_in6()
        withUnsafeMutableBytes(of: &storage) { raw in
            raw.copyMemory(from: UnsafeRawBufferPointer(start: address, count: min(Int(length), MemoryLayout<sockaddr_in6>.size)))
        }
        self.storage = storage
    }

    /// The port in host byte order.
    public var port: UInt16 {
        get {
            withUnsafeBytes(of: storage) { raw in
                family == AF_INET
                    ? UInt16(bigEndian: raw.load(as: sockaddr_in.self).sin_port)
                    : UInt16(bigEndian: raw.load(as: sockaddr_in6.self).sin6_port)
            }
        }
        set {
            let isV4 = family == AF_INET
            withUnsafeMutableBytes(of: &storage) { raw in
                if isV4 {
                    raw.withMemoryRebound(to: sockaddr_in.self) { $0[0].sin_port = newValue.bigEndian }
                } else {
                    raw.withMemoryRebound(to: sockaddr_in6.self) { $0[0].sin6_port = newValue.bigEndian }
                }
            }
        }
    }

    /// The numeric host part, e.g. `127.0.0.2` or `::1`.
    public var ip: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        withUnsafeBytes(of: storage) { raw in
            if family == AF_INET {
                var a = raw.load(as: sockaddr_in.self).sin_addr
                _ = inet_ntop(AF_INET, &a, &buffer, socklen_t(buffer.count))
            } else {
                var a = raw.load(as: sockaddr_in6.self).sin6_addr
                _ = inet_ntop(AF_INET6, &a, &buffer, socklen_t(buffer.count))
            }
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The length to pass to `bind`/`connect`.
    public var length: socklen_t {
        socklen_t(family == AF_INET ? MemoryLayout<sockaddr_in>.size : MemoryLayout<sockaddr_in6>.size)
    }

    /// Calls `body` with a `sockaddr` pointer to this address.
    public func withSockAddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) throws -> R) rethrows -> R {
        var copy = storage
        return try withUnsafePointer(to: &copy) { p in
            try p.withMemoryRebound(to: sockaddr.self, capacity: 1) { try body($0, length) }
        }
    }

    /// `127.0.0.1:80` or `[::1]:80`.
    public var description: String { isIPv6 ? "[\(ip)]:\(port)" : "\(ip):\(port)" }

    /// Compares family, address and port.
    public static func == (a: SocketAddress, b: SocketAddress) -> Bool {
        a.family == b.family && a.port == b.port && a.ip == b.ip
    }

    /// Hashes family, address and port.
    public func hash(into hasher: inout Hasher) { hasher.combine(family); hasher.combine(port); hasher.combine(ip) }
}

extension SocketAddress {
    /// The host part of `a.b.c.d:port` or `[v6]:port`.
    public static func hostPart(of text: String) -> String {
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") { return String(text[text.index(after: text.startIndex)..<close]) }
        if let colon = text.lastIndex(of: ":") { return String(text[..<colon]) }
        return text
    }
}
