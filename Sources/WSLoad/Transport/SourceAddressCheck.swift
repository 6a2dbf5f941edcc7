#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A pre-flight check, before anything connects, that source addresses can be bound on this machine.
///
/// It binds rather than comparing with the interfaces' addresses, so whatever the kernel accepts counts:
/// an address on any interface, all of 127.0.0.0/8, and whole blocks made local by an AnyIP route
/// (`ip route add local 10.245.0.0/16 dev lo`). Each address gets a TCP socket with
/// `IP_BIND_ADDRESS_NO_PORT` and `bind(address, 0)` — no port is reserved — and is closed at once.
public enum SourceAddressCheck {
    /// Lists up to this many addresses are bound one by one; longer lists are checked on an evenly spaced
    /// sample of this size that includes the first and the last address (a few milliseconds in all).
    public static let exhaustiveLimit = 4096

    /// One address that cannot be bound.
    public struct Failure: Sendable, Hashable, CustomStringConvertible {
        /// The address, as text.
        public var address: String
        /// The errno of `bind` (usually `EADDRNOTAVAIL`: no interface or local route has it).
        public var errno: Int32

        /// `203.0.113.5: Cannot assign requested address (EADDRNOTAVAIL)`.
        public var description: String { "\(address): \(SystemError.describe(errno))" }
    }

    /// The addresses the check binds: all of `addresses` (distinct, in order) up to ``exhaustiveLimit``,
    /// else an evenly spaced sample of that size with the first and the last.
    public static func sample(_ addresses: [SocketAddress]) -> [SocketAddress] {
        var seen = Set<String>()
        let distinct = addresses.filter { seen.insert($0.ip).inserted }
        guard distinct.count > exhaustiveLimit else { return distinct }
        let step = Double(distinct.count - 1) / Double(exhaustiveLimit - 1)
        var picked: [SocketAddress] = []
        var last = -1
        for i in 0..<exhaustiveLimit {
            let index = min(distinct.count - 1, Int((Double(i) * step).rounded()))
            if index != last { picked.append(distinct[index]); last = index }
        }
        return picked
    }

    /// The addresses of ``sample(_:)`` that cannot be bound, in order.
    public static func unbindable(_ addresses: [SocketAddress]) -> [Failure] {
        sample(addresses).compactMap { address in bindError(address).map { Failure(address: address.ip, errno: $0.code) } }
    }

    /// Binds a fresh TCP socket to `address` (port 0, no port reserved) and closes it; the errno on failure.
    public static func bindError(_ address: SocketAddress) -> Errno? {
        let fd: Int32
        switch Socket.makeTCP(family: address.family) {
        case .success(let s): fd = s
        case .failure(let e): return e
        }
        defer { close(fd) }
        return Socket.bindSource(fd, address)
    }
}
