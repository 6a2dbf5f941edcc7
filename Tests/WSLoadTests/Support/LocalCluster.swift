import Foundation

@testable import WSLoad

/// K in-process pod servers behind an optional affinity front, all on loopback ports chosen by the kernel.
final class LocalCluster: @unchecked Sendable {
    let pods: [PodServer]
    let podAddresses: [SocketAddress]
    let front: AffinityFront?
    let frontAddress: SocketAddress?
    let logs: Locked<[String: [String]]>

    init(
        pods count: Int, policy: AffinityPolicy?, capacity: Int? = nil, identityMessage: Bool = false, pingInterval: Double = 0,
        idleTimeout: Double = 0
    ) throws {
        let logs = Locked([String: [String]]())
        self.logs = logs
        var servers: [PodServer] = []
        var addresses: [SocketAddress] = []
        for i in 0..<count {
            let name = "ws-\(i)"
            let config = PodServerConfiguration(
                listen: SocketAddress(ip: "127.0.0.1", port: 0)!, podName: name,
                sendIdentityMessage: identityMessage, capacity: capacity, pingInterval: pingInterval, ioQueues: 1)
            let server = try PodServer(config, logger: .lines { line in logs.withLock { $0[name, default: []].append(line) } })
            addresses.append(try server.start())
            servers.append(server)
        }
        pods = servers
        podAddresses = addresses
        if let policy {
            let f = AffinityFront(
                backends: zip(servers, addresses).map { .init(name: $0.0.configuration.podName, address: $0.1) }, policy: policy,
                idleTimeout: idleTimeout)
            frontAddress = try f.start(on: SocketAddress(ip: "127.0.0.1", port: 0)!)
            front = f
        } else {
            front = nil
            frontAddress = nil
        }
    }

    var url: WebSocketURL { try! WebSocketURL("ws://127.0.0.1:\((frontAddress ?? podAddresses[0]).port)/ws") }

    func shutdown() {
        front?.stop()
        for p in pods { p.drain(timeout: 2) }
    }
}

func sources(_ range: ClosedRange<Int>) -> [SocketAddress] {
    range.map { SocketAddress(ip: "127.0.0.\($0)", port: 0)! }
}

func openFDCount() -> Int {
    (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
}

/// Inodes of this process's open sockets whose local or remote port is one of `ports` (from /proc/net/tcp{,6}).
/// Precise where a plain fd count is not: other test suites open and close fds in parallel.
func openSocketInodes(ports: Set<UInt16>) -> Set<String> {
    var inodes = Set<String>()
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        guard let text = try? String(contentsOfFile: table, encoding: .utf8) else { continue }
        for line in text.split(separator: "\n").dropFirst() {
            let f = line.split(separator: " ", omittingEmptySubsequences: true)
            guard f.count > 9 else { continue }
            let local = UInt16(f[1].split(separator: ":").last ?? "", radix: 16) ?? 0
            let remote = UInt16(f[2].split(separator: ":").last ?? "", radix: 16) ?? 0
            if ports.contains(local) || ports.contains(remote) { inodes.insert(String(f[9])) }
        }
    }
    var mine = Set<String>()
    for fd in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? [] {
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(fd)"),
            target.hasPrefix("socket:[")
        else { continue }
        let inode = String(target.dropFirst(8).dropLast())
        if inodes.contains(inode) { mine.insert(inode) }
    }
    return mine
}
