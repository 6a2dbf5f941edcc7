import Dispatch
import Foundation
import Testing

@testable import WSLoad

/// A server near its descriptor limit refuses connections instead of running out (running out crashed the
/// process: libdispatch's pool monitor cannot open `/proc/<tid>/stat` and aborts).
@Suite(.serialized) struct ListenerDescriptorCeilingTests {
    /// The highest descriptor open in this process now.
    static func highestOpenFD() throws -> Int32 {
        try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").compactMap { Int32($0) }.max() ?? 0
    }

    @Test func theCeilingIsTheSoftLimitMinusTheHeadroom() {
        var rl = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &rl)
        #expect(Listener.ceiling(headroom: 64) == Int32(clamping: rl.rlim_cur) - 64)
        #expect(Listener.ceiling(headroom: Int(clamping: rl.rlim_cur)) == 16)
    }

    @Test func connectionsBeyondTheCeilingAreRefusedCountedAndTheServerKeepsServing() throws {
        var rl = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &rl)
        let soft = Int(clamping: rl.rlim_cur)
        // Room for ~120 more descriptors in this process before the listener refuses: the 200 client sockets
        // of the run below and the server's accepted ones share the process, so many must be refused.
        let ceiling = Int(try Self.highestOpenFD()) + 120
        try #require(soft > ceiling + 500, "the test needs a descriptor limit above \(ceiling + 500)")
        var config = PodServerConfiguration(listen: SocketAddress(ip: "127.0.0.1", port: 0)!, podName: "ws-0", ioQueues: 1)
        config.fdHeadroom = soft - ceiling
        let server = try PodServer(config, logger: .discarding)
        let address = try server.start()
        defer { server.drain(timeout: 1) }

        var plan = RunPlan(url: try WebSocketURL("ws://127.0.0.1:\(address.port)/"), clients: 200, connectionsPerClient: 1)
        plan.cookiePolicy = .none
        plan.hold = 0.5
        plan.upgradeTimeout = 5
        let result = try LoadEngine(plan: plan).run()
        // Every connection is accounted on both sides: held or failed at the client; accepted or refused at the server.
        #expect(result.attempted == 200 && result.held + result.failed + result.dropped == 200)
        #expect(result.failed > 0 && result.held > 0, "held \(result.held), failed \(result.failed)")
        let counts = server.counts
        #expect(counts.rejected >= result.failed, "\(counts)")
        #expect(counts.accepted == result.held, "\(counts)")
        // Once the run's sockets are gone the server serves again.
        var probe = RunPlan(url: try WebSocketURL("ws://127.0.0.1:\(address.port)/"), clients: 1, connectionsPerClient: 1)
        probe.cookiePolicy = .none
        probe.hold = 0.1
        let deadline = Date().addingTimeInterval(5)
        while server.activeConnections > 0 && Date() < deadline { usleep(20_000) }
        let again = try LoadEngine(plan: probe).run()
        #expect(again.held == 1 && again.failed == 0)
    }
}
