import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Checks a plan against the process's file-descriptor limit and the kernel's ephemeral port range
/// before anything connects.
public struct ResourceBudget: Sendable {
    /// The soft and hard `RLIMIT_NOFILE`.
    public var fdSoftLimit: Int, fdHardLimit: Int
    /// The ephemeral port range (`/proc/sys/net/ipv4/ip_local_port_range`).
    public var portRange: ClosedRange<Int>

    /// Reads the current limits, raising the soft fd limit to the hard limit.
    public static func current() -> ResourceBudget {
        var rl = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &rl)
        if rl.rlim_cur < rl.rlim_max {
            var raised = rl
            raised.rlim_cur = rl.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { rl = raised }
        }
        var range = 32768...60999
        if let text = try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8) {
            let parts = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).compactMap { Int($0) }
            if parts.count == 2, parts[0] <= parts[1] { range = parts[0]...parts[1] }
        }
        return ResourceBudget(fdSoftLimit: Int(clamping: rl.rlim_cur), fdHardLimit: Int(clamping: rl.rlim_max), portRange: range)
    }

    /// Ports available per (source, destination address, destination port).
    public var portsPerPair: Int { portRange.count }

    /// Validates the plan; returns warnings, throws a human error when it cannot fit.
    public func check(_ plan: RunPlan) throws(PlanError) -> [String] {
        var warnings: [String] = []
        let total = plan.totalConnections
        let usable = fdSoftLimit - plan.fdReserve
        if total > usable {
            let processes = (total + usable - 1) / max(usable, 1)
            throw PlanError(
                """
                the plan needs \(total) connections but this process may open only \(usable) \
                (file-descriptor limit \(fdSoftLimit) minus a reserve of \(plan.fdReserve)). \
                Split the run: e.g. \(processes) shards with --shard i/\(processes), or fewer connections.
                """)
        }
        // Behind one destination (a load balancer or ClusterIP) the port range caps each source address.
        var perSource: [String: Int] = [:]
        for client in 0..<plan.clients {
            let key = plan.source(ofClient: client)?.ip ?? "(kernel-chosen source)"
            perSource[key, default: 0] += plan.connectionsPerClient
        }
        for (source, count) in perSource.sorted(by: { $0.key < $1.key }) {
            if count > portsPerPair {
                throw PlanError(
                    """
                    source \(source) would need \(count) ports to \(plan.url.host):\(plan.url.port), but only \(portsPerPair) \
                    ephemeral ports exist per (source, destination) pair (\(portRange.lowerBound)-\(portRange.upperBound)). \
                    Add source addresses (e.g. --source 127.0.0.2-127.0.0.20) so each carries fewer connections.
                    """)
            } else if count * 2 > portsPerPair {
                warnings.append(
                    "source \(source) uses \(count) of \(portsPerPair) ports to \(plan.url.host):\(plan.url.port); connects slow down sharply as a pair fills — spread over more source addresses"
                )
            }
        }
        return warnings
    }
}

/// A plan that cannot run, with what to do about it.
public struct PlanError: Error, Sendable, CustomStringConvertible {
    /// The message.
    public var description: String
    /// Creates an error.
    public init(_ message: String) { description = message }
}
