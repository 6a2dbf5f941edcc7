import Foundation

/// The machine-wide limits a large run meets before any per-process one: the kernel's file-handle table
/// (`fs.file-max`), memory, the ephemeral ports per (source, destination) pair summed over every worker, and the
/// accept backlog of servers on this machine. Read once from `/proc` by the parent of a run; ``check(_:workers:)``
/// is pure and says, per limit, what to change.
public struct MachineLimits: Sendable, Equatable {
    /// `fs.file-max` and the handles allocated now (first field of `fs.file-nr`).
    public var fileMax: Int?, filesInUse: Int?
    /// `MemAvailable` from `/proc/meminfo`, bytes.
    public var memAvailableBytes: Int?
    /// `net.core.somaxconn`: the largest accept backlog a listener on this machine gets.
    public var somaxconn: Int?
    /// Ports per (source, destination) pair (`net.ipv4.ip_local_port_range`).
    public var portsPerPair: Int

    /// Client memory per held connection (whole process, plain `ws://`), bytes; see BENCHMARKS.md.
    public static let clientBytesPerConnection = 4_600
    /// Kernel memory per established TCP socket (slab: socket, inode, dentry, file), bytes; see BENCHMARKS.md.
    public static let kernelBytesPerSocket = 4_800
    /// File handles kept free for everything else on the machine.
    public static let fileHandleReserve = 10_000

    /// Creates readings.
    public init(fileMax: Int?, filesInUse: Int?, memAvailableBytes: Int?, somaxconn: Int?, portsPerPair: Int) {
        self.fileMax = fileMax; self.filesInUse = filesInUse; self.memAvailableBytes = memAvailableBytes
        self.somaxconn = somaxconn; self.portsPerPair = portsPerPair
    }

    /// Reads the limits from `/proc` (a limit that cannot be read is nil and not checked).
    public static func current(portsPerPair: Int = ResourceBudget.current().portsPerPair) -> MachineLimits {
        func read(_ path: String) -> [Int]? {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
            let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).compactMap { Int($0) }
            return fields.isEmpty ? nil : fields
        }
        var available: Int?
        if let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("MemAvailable:") })
        {
            available = line.split(separator: " ").compactMap { Int($0) }.first.map { $0 * 1024 }
        }
        return MachineLimits(
            fileMax: read("/proc/sys/fs/file-max")?.first, filesInUse: read("/proc/sys/fs/file-nr")?.first,
            memAvailableBytes: available, somaxconn: read("/proc/sys/net/core/somaxconn")?.first, portsPerPair: portsPerPair)
    }

    /// One limit the plan meets.
    public struct Finding: Sendable, Equatable {
        /// An error stops the run before anything connects; a warning goes into the report.
        public var isError: Bool
        /// The limit, e.g. `fs.file-max`.
        public var limit: String
        /// What the plan needs, what the machine has, and what to change.
        public var message: String
    }

    /// The findings for `plan` run by `workers` processes on this machine (errors first).
    ///
    /// With a loopback target the servers' ends are on this machine too, so each connection holds two sockets.
    public func check(_ plan: RunPlan, workers: Int) -> [Finding] {
        var out: [Finding] = []
        let n = plan.totalConnections
        let host = plan.url.host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let local = host == "localhost" || host.hasPrefix("127.") || host == "::1"
        let sockets = n * (local ? 2 : 1)
        let both = local ? " (\(n) client sockets and \(n) server sockets: the target is on this machine)" : ""
        if let max = fileMax {
            let free = max - (filesInUse ?? 0) - Self.fileHandleReserve
            let needed = sockets + workers * plan.fdReserve
            if needed > free {
                let suggest = ((filesInUse ?? 0) + needed + Self.fileHandleReserve + 99_999) / 100_000 * 100_000
                out.append(
                    Finding(
                        isError: true, limit: "fs.file-max",
                        message: "the run needs about \(needed) file handles\(both), but fs.file-max is \(max) with \(filesInUse ?? 0) in use "
                            + "(and \(Self.fileHandleReserve) kept free): raise it (sudo sysctl -w fs.file-max=\(suggest)) or run fewer connections"))
            }
        }
        if let available = memAvailableBytes {
            let needed = n * Self.clientBytesPerConnection + sockets * Self.kernelBytesPerSocket
            if needed > available * 8 / 10 {
                out.append(
                    Finding(
                        isError: false, limit: "memory",
                        message: "the run needs about \(needed / 1_048_576) MiB (\(Self.clientBytesPerConnection) bytes per connection in wsload, "
                            + "\(Self.kernelBytesPerSocket) per socket in the kernel\(both)) of \(available / 1_048_576) MiB available: "
                            + "expect swapping or the OOM killer; run fewer connections or on a larger machine"))
            }
        }
        // Ports per (source, destination): summed over every worker, since workers share the sources.
        var perSource: [String: Int] = [:]
        for client in 0..<plan.clients {
            perSource[plan.source(ofClient: client)?.ip ?? "(kernel-chosen source)", default: 0] += plan.connectionsPerClient
        }
        let crowded = perSource.filter { $0.value > portsPerPair }.sorted { $0.key < $1.key }
        if let worst = crowded.max(by: { $0.value < $1.value }) {
            let sourcesNeeded = (n + portsPerPair - 1) / portsPerPair
            out.append(
                Finding(
                    isError: true, limit: "net.ipv4.ip_local_port_range",
                    message: "\(Plural.of(crowded.count, "source address")) would need more than the \(portsPerPair) ephemeral ports a "
                        + "(source, destination) pair has (\(worst.key): \(worst.value)): use at least \(sourcesNeeded) source addresses "
                        + "(e.g. --source 127.0.0.2-127.0.0.\(min(254, sourcesNeeded + 1))) or widen the range "
                        + "(sudo sysctl -w net.ipv4.ip_local_port_range=\"1024 65535\")"))
        }
        // Unaccepted connections are at most the handshakes in flight: every worker's together.
        let inFlight = plan.maxInFlight * workers
        if local, let backlog = somaxconn, inFlight > backlog {
            out.append(
                Finding(
                    isError: false, limit: "net.core.somaxconn",
                    message: "up to \(inFlight) handshakes are in flight at once "
                        + "(ramp.max_in_flight \(plan.maxInFlight) × \(Plural.of(workers, "process", plural: "processes"))) "
                        + "but a listener on this machine queues at most \(backlog) unaccepted connections (net.core.somaxconn): one local server "
                        + "that falls behind can overflow it, dropping SYNs until connects time out; lower ramp.max_in_flight, run more servers, "
                        + "or raise it (sudo sysctl -w net.core.somaxconn=\(inFlight))"))
        }
        return out.sorted { $0.isError && !$1.isError }
    }
}
