#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension Profile {
    /// Checks, by binding (see ``SourceAddressCheck``), that every address of `clients.sources` can be used as a
    /// source on this machine; run after ``validate(requireURL:)`` and before anything connects.
    ///
    /// Each distinct address is bound once; a spec with more than ``SourceAddressCheck/exhaustiveLimit``
    /// addresses is checked on an evenly spaced sample including its first and last. Every spec with an
    /// unbindable address gives one error at its `clients.sources[i]` (or labelled `--source`), saying how to
    /// add the address (`ip addr add …/32 dev lo`) or the block (an AnyIP route, `ip route add local … dev lo`).
    public func checkSourcesBindable() throws(ProfileError) {
        var problems: [ProfileError] = []
        var checked = Set<String>()
        for (i, text) in clients.sources.enumerated() {
            // Parse errors were reported by validate(); an interface without addresses too.
            guard let spec = try? SourceSpec(parsing: text), let expanded = try? spec.expand(limit: 65_536) else { continue }
            let fresh = expanded.filter { checked.insert($0).inserted }.compactMap { SocketAddress(ip: $0, port: 0) }
            let sampled = SourceAddressCheck.sample(fresh)
            let failures = SourceAddressCheck.unbindable(sampled)
            guard !failures.isEmpty else { continue }
            problems.append(
                sourceMap.error(
                    "clients.sources[\(i)]",
                    Self.unbindableMessage(
                        spec: spec, failures: failures, checked: sampled.count,
                        total: expanded.count)))
        }
        if let error = ProfileError.combined(problems) { throw error }
    }

    /// What is wrong with a spec whose addresses cannot all be bound, and how to fix it.
    static func unbindableMessage(spec: SourceSpec, failures: [SourceAddressCheck.Failure], checked: Int, total: Int) -> String {
        let first = failures[0]
        let why = first.errno == EADDRNOTAVAIL ? "no interface or local route of this machine has it" : SystemError.describe(first.errno)
        if case .single = spec {
            return "source address \(first.address) cannot be bound (\(SystemError.name(first.errno))): \(why). "
                + "Add it, e.g. `\(addCommand(first.address))`, or leave it out of the sources"
        }
        let counted =
            checked < total
            ? "\(failures.count) of \(checked) checked addresses (evenly spaced over its \(total))"
            : "\(failures.count) of \(total) addresses"
        let listed = failures.prefix(3).map(\.address).joined(separator: ", ") + (failures.count > 3 ? ", …" : "")
        let block = coveringBlock(spec)
        let fix: String
        if let block {
            fix =
                "Make the whole block bindable with an AnyIP route, e.g. `\(routeCommand(block))`"
                + (block == spec.description ? "" : " (covers \(spec))") + ", or add each address with `ip addr add ADDRESS/32 dev lo`"
        } else {
            fix = "Add the missing addresses to an interface (`ip addr add ADDRESS/32 dev lo`)"
        }
        return "\(counted) of \(spec) cannot be bound as source addresses: \(listed) "
            + "(\(SystemError.name(first.errno)): \(why)). \(fix)"
    }

    /// `ip addr add 203.0.113.5/32 dev lo` (IPv6: `ip -6 addr add …/128 dev lo`).
    static func addCommand(_ address: String) -> String {
        address.contains(":") ? "ip -6 addr add \(address)/128 dev lo" : "ip addr add \(address)/32 dev lo"
    }

    /// `ip route add local 10.245.0.0/16 dev lo` (IPv6: `ip -6 route add local …`).
    static func routeCommand(_ block: String) -> String {
        block.contains(":") ? "ip -6 route add local \(block) dev lo" : "ip route add local \(block) dev lo"
    }

    /// The smallest CIDR block containing a range or block (`nil` for interfaces).
    static func coveringBlock(_ spec: SourceSpec) -> String? {
        switch spec {
        case .single(let a): return "\(a)/\(a.bitWidth)"
        case let .cidr(a, prefix): return "\(a)/\(prefix)"
        case .interface: return nil
        case let .range(from, to):
            let width = from.bitWidth
            var prefix = width
            let differing = from.wide ^ to.wide
            if differing != 0 { prefix = width - (UInt128.bitWidth - differing.leadingZeroBitCount) }
            let hostBits = width - prefix
            let mask: UInt128 = hostBits == 0 ? 0 : (hostBits >= 128 ? ~0 : (UInt128(1) << UInt128(hostBits)) - 1)
            return "\(from.with(from.wide & ~mask))/\(prefix)"
        }
    }
}
