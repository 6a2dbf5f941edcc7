#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Resolves host names once, before a run (the engine never resolves per connection).
public enum Resolver {
    /// Resolves `host` (a name or a numeric address, brackets allowed for IPv6) to socket addresses with `port`.
    ///
    /// - Throws: a ``ConnectionFailure`` in the `resolve` phase with the resolver's message.
    public static func resolve(host: String, port: UInt16) throws(ConnectionFailure) -> [SocketAddress] {
        var h = host
        if h.hasPrefix("["), h.hasSuffix("]") { h = String(h.dropFirst().dropLast()) }
        if let numeric = SocketAddress(ip: h, port: port) { return [numeric] }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var result: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(h, String(port), &hints, &result)
        guard rc == 0, let first = result else {
            let text = rc == 0 ? "no addresses" : String(cString: gai_strerror(rc))
            throw ConnectionFailure(phase: .resolve, kind: .system, message: "cannot resolve \(host): \(text)")
        }
        defer { freeaddrinfo(first) }
        var out: [SocketAddress] = []
        var p: UnsafeMutablePointer<addrinfo>? = first
        while let ai = p {
            if let addr = ai.pointee.ai_addr, let sa = SocketAddress(addr, length: ai.pointee.ai_addrlen), !out.contains(sa) {
                out.append(sa)
            }
            p = ai.pointee.ai_next
        }
        guard !out.isEmpty else {
            throw ConnectionFailure(phase: .resolve, kind: .system, message: "cannot resolve \(host): no IPv4 or IPv6 addresses")
        }
        return out
    }
}
