import Foundation
import Testing

@testable import WSLoad

/// `wsload serve` refuses a busy port unless `--reuse-port` shares it on purpose (issue 13, case 7): a
/// mistyped port must not silently split connections between two "pods".
@Suite struct ListenerReusePortTests {
    @Test func aBusyPortIsRefusedWithEADDRINUSEAndTheFlagToShareIt() throws {
        let first = try PodServer(
            PodServerConfiguration(listen: SocketAddress(ip: "127.0.0.1", port: 0)!, podName: "ws-0", ioQueues: 1), logger: .discarding)
        let address = try first.start()
        defer { first.drain(timeout: 1) }
        let second = try PodServer(PodServerConfiguration(listen: address, podName: "ws-1", ioQueues: 1), logger: .discarding)
        do {
            try second.start()
            second.drain(timeout: 1)
            Issue.record("a second server started on the busy port \(address)")
        } catch {
            #expect(error.errno == EADDRINUSE)
            #expect(error.description.contains("Address already in use") && error.description.contains("--reuse-port"), "\(error)")
        }
    }

    @Test func withReusePortOnBothServersTheyShareThePort() throws {
        let first = try PodServer(
            PodServerConfiguration(
                listen: SocketAddress(ip: "127.0.0.1", port: 0)!, podName: "ws-0", ioQueues: 1,
                reusePort: true), logger: .discarding)
        let address = try first.start()
        defer { first.drain(timeout: 1) }
        let second = try PodServer(PodServerConfiguration(listen: address, podName: "ws-1", ioQueues: 1, reusePort: true), logger: .discarding)
        #expect(try second.start().port == address.port)
        second.drain(timeout: 1)
        // Sharing needs both sides: a server without the flag is still refused next to them.
        let third = try PodServer(PodServerConfiguration(listen: address, podName: "ws-2", ioQueues: 1), logger: .discarding)
        #expect(throws: ConnectionFailure.self) { try third.start() }
    }
}
