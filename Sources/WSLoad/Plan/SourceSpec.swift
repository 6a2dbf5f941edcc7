#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// One item of `clients.sources`: a single address, an inclusive range `a-b`, a CIDR block `a/n`,
/// or `interface:NAME` (every address of a local interface).
public enum SourceSpec: Sendable, Hashable, CustomStringConvertible {
    /// One IPv4 or IPv6 address.
    case single(Address)
    /// Every address from the first to the second, inclusive (same family, not reversed).
    case range(Address, Address)
    /// Every address of a block, network and broadcast addresses included (loopback aliases use them all).
    case cidr(Address, prefixLength: Int)
    /// Every IPv4 and IPv6 address currently assigned to a local interface.
    case interface(String)

    /// Why a source spec was rejected.
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        /// Human-readable reason.
        public var message: String
        /// An error with a message.
        public init(_ message: String) { self.message = message }
        /// The message.
        public var description: String { message }
    }

    /// An IPv4 or IPv6 address held as an integer, so ranges and blocks can be enumerated.
    public enum Address: Sendable, Hashable, Comparable, CustomStringConvertible {
        /// IPv4, host byte order.
        case v4(UInt32)
        /// IPv6, host byte order.
        case v6(UInt128)

        /// Parses dotted-quad IPv4 or RFC 4291 IPv6 text with `inet_pton`.
        public init?(_ text: String) {
            var v4 = in_addr()
            if inet_pton(AF_INET, text, &v4) == 1 {
                self = .v4(UInt32(bigEndian: v4.s_addr))
                return
            }
            var v6 = in6_addr()
            if inet_pton(AF_INET6, text, &v6) == 1 {
                var value: UInt128 = 0
                withUnsafeBytes(of: &v6) { bytes in
                    for byte in bytes { value = value << 8 | UInt128(byte) }
                }
                self = .v6(value)
                return
            }
            return nil
        }

        /// Address bits: 32 or 128.
        public var bitWidth: Int {
            switch self {
            case .v4: return 32
            case .v6: return 128
            }
        }

        /// Whether this is an IPv6 address.
        public var isIPv6: Bool { if case .v6 = self { return true } else { return false } }

        /// Canonical text (`inet_ntop`).
        public var description: String {
            var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            switch self {
            case .v4(let value):
                var raw = in_addr(s_addr: value.bigEndian)
                inet_ntop(AF_INET, &raw, &buffer, socklen_t(buffer.count))
            case .v6(let value):
                var raw = in6_addr()
                withUnsafeMutableBytes(of: &raw) { bytes in
                    for i in 0..<16 { bytes[i] = UInt8(truncatingIfNeeded: value >> UInt128(8 * (15 - i))) }
                }
                inet_ntop(AF_INET6, &raw, &buffer, socklen_t(buffer.count))
            }
            return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }

        /// Orders IPv4 before IPv6, then numerically.
        public static func < (lhs: Address, rhs: Address) -> Bool {
            switch (lhs, rhs) {
            case let (.v4(a), .v4(b)): return a < b
            case let (.v6(a), .v6(b)): return a < b
            case (.v4, .v6): return true
            case (.v6, .v4): return false
            }
        }

        var wide: UInt128 {
            switch self {
            case .v4(let value): return UInt128(value)
            case .v6(let value): return value
            }
        }

        func with(_ value: UInt128) -> Address {
            switch self {
            case .v4: return .v4(UInt32(truncatingIfNeeded: value))
            case .v6: return .v6(value)
            }
        }
    }

    /// Parses `127.0.0.2`, `::1`, `127.0.0.2-127.0.0.21`, `127.0.1.0/28`, `fd00::/126`, `interface:lo`.
    public init(parsing raw: String) throws(ParseError) {
        let text = raw.trimmingWhitespace()
        if text.hasPrefix("interface:") {
            let name = String(text.dropFirst("interface:".count))
            guard !name.isEmpty, name.utf8.count < Int(IFNAMSIZ), !name.contains(where: { $0 == " " || $0 == "/" }) else {
                throw ParseError("bad interface name in \"\(raw)\"; expected interface:NAME, e.g. interface:lo")
            }
            self = .interface(name)
            return
        }
        if let slash = text.firstIndex(of: "/") {
            let addressText = String(text[..<slash])
            let prefixText = String(text[text.index(after: slash)...])
            guard let address = Address(addressText) else {
                throw ParseError("bad CIDR \"\(raw)\": \"\(addressText)\" is not an IPv4 or IPv6 address")
            }
            guard let prefix = Int(prefixText), (0...address.bitWidth).contains(prefix) else {
                throw ParseError("bad CIDR \"\(raw)\": prefix length must be 0-\(address.bitWidth), got \"\(prefixText)\"")
            }
            let hostBits = address.bitWidth - prefix
            let hostMask: UInt128 = hostBits == 0 ? 0 : (hostBits >= 128 ? ~0 : (UInt128(1) << UInt128(hostBits)) - 1)
            if address.wide & hostMask != 0 {
                let network = address.with(address.wide & ~hostMask)
                throw ParseError("bad CIDR \"\(raw)\": host bits are set; did you mean \(network)/\(prefix)?")
            }
            self = .cidr(address, prefixLength: prefix)
            return
        }
        if let dash = text.firstIndex(of: "-") {
            let fromText = String(text[..<dash]).trimmingWhitespace()
            let toText = String(text[text.index(after: dash)...]).trimmingWhitespace()
            guard let from = Address(fromText) else {
                throw ParseError("bad range \"\(raw)\": \"\(fromText)\" is not an IPv4 or IPv6 address")
            }
            guard let to = Address(toText) else {
                throw ParseError("bad range \"\(raw)\": \"\(toText)\" is not an IPv4 or IPv6 address")
            }
            guard from.isIPv6 == to.isIPv6 else {
                throw ParseError("bad range \"\(raw)\": both ends must be IPv4 or both IPv6")
            }
            guard from <= to else {
                throw ParseError("range \"\(raw)\" is reversed: \(fromText) comes after \(toText); did you mean \(toText)-\(fromText)?")
            }
            self = .range(from, to)
            return
        }
        guard let address = Address(text) else {
            throw ParseError("bad source address \"\(raw)\"; expected an IPv4/IPv6 address, a range a-b, a CIDR a/n or interface:NAME")
        }
        self = .single(address)
    }

    /// Number of addresses, or `nil` for interfaces (known only when expanded) and counts beyond `Int`.
    public var count: Int? {
        switch self {
        case .single: return 1
        case let .range(from, to):
            let span = to.wide - from.wide
            return span >= UInt128(Int.max) ? nil : Int(span) + 1
        case let .cidr(address, prefix):
            let hostBits = address.bitWidth - prefix
            return hostBits >= 62 ? nil : 1 << hostBits
        case .interface: return nil
        }
    }

    /// Every address this spec stands for, in order; throws if there are more than `limit`
    /// or the interface does not exist or has no addresses.
    public func expand(limit: Int = 65_536) throws(ParseError) -> [String] {
        switch self {
        case .single(let address):
            return [address.description]
        case let .range(from, _), let .cidr(from, _):
            guard let count, count <= limit else {
                throw ParseError("\"\(self)\" expands to \(count.map(String.init) ?? "too many") addresses, more than the limit of \(limit)")
            }
            var out: [String] = []
            out.reserveCapacity(count)
            for offset in 0..<count { out.append(from.with(from.wide + UInt128(offset)).description) }
            return out
        case .interface(let name):
            let addresses = Self.interfaceAddresses(name)
            guard !addresses.isEmpty else {
                throw ParseError("no interface \"\(name)\" with an IPv4 or IPv6 address")
            }
            guard addresses.count <= limit else {
                throw ParseError("\"\(self)\" has \(addresses.count) addresses, more than the limit of \(limit)")
            }
            return addresses.map(\.description)
        }
    }

    /// The spec as it would be written in a profile.
    public var description: String {
        switch self {
        case .single(let address): return address.description
        case let .range(from, to): return "\(from)-\(to)"
        case let .cidr(address, prefix): return "\(address)/\(prefix)"
        case .interface(let name): return "interface:\(name)"
        }
    }

    /// Addresses of interface `name` via `getifaddrs`, IPv4 first, without duplicates.
    static func interfaceAddresses(_ name: String) -> [Address] {
        var head: UnsafeMutablePointer<ifaddrs>? = nil
        guard getifaddrs(&head) == 0, let first = head else { return [] }
        defer { freeifaddrs(head) }
        var found: [Address] = []
        var cursor: UnsafeMutablePointer<ifaddrs>? = first
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            guard let namePointer = entry.pointee.ifa_name, String(cString: namePointer) == name,
                let socketAddress = entry.pointee.ifa_addr
            else { continue }
            switch Int32(socketAddress.pointee.sa_family) {
            case AF_INET:
                let value = socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr.s_addr }
                found.append(.v4(UInt32(bigEndian: value)))
            case AF_INET6:
                var raw = socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                var value: UInt128 = 0
                withUnsafeBytes(of: &raw) { bytes in
                    for byte in bytes { value = value << 8 | UInt128(byte) }
                }
                found.append(.v6(value))
            default:
                continue
            }
        }
        var seen = Set<Address>()
        let unique = found.filter { seen.insert($0).inserted }
        return unique.filter { !$0.isIPv6 } + unique.filter(\.isIPv6)
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while scalars.first?.isWhitespace == true { scalars.removeFirst() }
        while scalars.last?.isWhitespace == true { scalars.removeLast() }
        return String(scalars)
    }
}
