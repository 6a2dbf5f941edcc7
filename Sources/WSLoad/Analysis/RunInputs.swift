/// What a run varied (or did not) that decides how a load balancer can spread it.
public struct RunInputs: Sendable, Codable, Equatable {
    /// Distinct source addresses the connections were made from.
    public var sourceAddresses: [String]
    /// How affinity cookies were kept.
    public var cookiePolicy: CookiePolicy
    /// Distinct affinity cookie values sent over the run.
    public var distinctCookieValues: Int
    /// True when the target reaches exactly one pod (a port-forward or a single pod address).
    public var targetIsSinglePod: Bool
    /// How the single-pod target was reached, e.g. "port-forward" or "pod address", for the explanation.
    public var singlePodTargetKind: String?
    /// Number of virtual clients.
    public var clientCount: Int

    /// Creates run inputs.
    /// Established connections that carried an affinity cookie, and established connections in all (nil: unknown,
    /// e.g. a report written before these were kept).
    public var cookieCarriers: Int?, established: Int?

    public init(
        sourceAddresses: [String], cookiePolicy: CookiePolicy = .none, distinctCookieValues: Int = 0,
        targetIsSinglePod: Bool = false, singlePodTargetKind: String? = nil, clientCount: Int,
        cookieCarriers: Int? = nil, established: Int? = nil
    ) {
        self.cookieCarriers = cookieCarriers
        self.established = established
        self.sourceAddresses = sourceAddresses
        self.cookiePolicy = cookiePolicy
        self.distinctCookieValues = distinctCookieValues
        self.targetIsSinglePod = targetIsSinglePod
        self.singlePodTargetKind = singlePodTargetKind
        self.clientCount = clientCount
    }

    /// Distinct source addresses.
    public var distinctSourceAddresses: Int { Set(sourceAddresses).count }

    /// Distinct IPv4 /24 prefixes of the source addresses, as `a.b.c.0/24`, sorted.
    public var slash24Prefixes: [String] {
        Array(Set(sourceAddresses.compactMap(Self.slash24Prefix))).sorted()
    }

    /// The `/24` prefix of an IPv4 dotted-quad address, nil for anything else.
    public static func slash24Prefix(of address: String) -> String? {
        let parts = address.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4,
            parts.allSatisfy({ p in
                !p.isEmpty && p.count <= 3 && p.allSatisfy(\.isASCII) && UInt8(p) != nil
            })
        else { return nil }
        return "\(UInt8(parts[0])!).\(UInt8(parts[1])!).\(UInt8(parts[2])!).0/24"
    }
}
