import Foundation
@testable import WSLoad

/// K in-process pod servers behind an optional affinity front, all on loopback ports chosen by the kernel.
final class LocalCluster: @unchecked Sendable {
    let pods: [PodServer]
    let podAddresses: [SocketAddress]
    let front: AffinityFront?
    let frontAddress: SocketAddress?
    let logs: Locked<[String: [String]]>

    init(pods count: Int, policy: AffinityPolicy?, capacity: Int? = nil, identityMessage: Bool = false, pingInterval: Double = 0) throws {
        let logs = Locked([String: [String]]())
        self.logs = logs
        var servers: [PodServer] = []
        var addresses: [SocketAddress] = []
        for i in 0 ..< count {
            let name = "ws-\(i)"
            let config = PodServerConfiguration(listen: SocketAddress(ip: "127.0.0.1", port: 0)!, podName: name,
                                                sendIdentityMessage: identityMessage, capacity: capacity, pingInterval: pingInterval, ioQueues: 1)
            let server = try PodServer(config) { line in logs.withLock { $0[name, default: []].append(line) } }
            addresses.append(try server.start())
            servers.append(server)
        }
        pods = servers
        podAddresses = addresses
        if let policy {
            let f = AffinityFront(backends: zip(servers, addresses).map { .init(name: $0.0.configuration.podName, address: $0.1) }, policy: policy)
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
