import Foundation
import Testing

@testable import WSLoad

/// Machine-wide limits, with readings given (expected values worked out from the definitions in MachineLimits).
@Suite struct MachineLimitsTests {
    static func plan(url: String = "ws://127.0.0.1:9000/ws", connections: Int, sources: [String] = [], rate: Double = 100) throws -> RunPlan {
        var p = Profile()
        p.target.url = url
        p.clients.connections = connections
        p.clients.sources = sources
        p.ramp.rate = rate
        return try RunPlanner.plan(from: p)
    }

    static let roomy = MachineLimits(
        fileMax: 10_000_000, filesInUse: 1_000, memAvailableBytes: 64 << 30, somaxconn: 4096, portsPerPair: 28_232)

    @Test func aRunThatFitsHasNoFinding() throws {
        #expect(Self.roomy.check(try Self.plan(connections: 20_000, sources: ["127.0.0.2"]), workers: 1).isEmpty)
    }

    @Test func fileHandlesCountBothEndsOnLoopbackAndSayWhatToSet() throws {
        // 1 000 000 connections to 127.0.0.1: 2 000 000 sockets + 27 workers × the per-process reserve.
        let plan = try Self.plan(connections: 1_000_000, sources: (2...40).map { "127.0.0.\($0)" })
        var limits = Self.roomy
        limits.fileMax = 2_000_000
        limits.filesInUse = 500
        let f = limits.check(plan, workers: 27)
        let needed = 2_000_000 + 27 * plan.fdReserve
        // Suggested: in use + needed + the 10 000 reserve, rounded up to 100 000.
        let suggest = (500 + needed + 10_000 + 99_999) / 100_000 * 100_000
        #expect(f.first?.isError == true && f.first?.limit == "fs.file-max")
        #expect(
            f.first?.message
                == "the run needs about \(needed) file handles (1000000 client sockets and 1000000 server sockets: the target is on this machine), "
                + "but fs.file-max is 2000000 with 500 in use (and 10000 kept free): raise it (sudo sysctl -w fs.file-max=\(suggest)) or run fewer connections"
        )
        // The same run to a remote target holds one socket per connection: it fits.
        let remote = try Self.plan(url: "ws://10.0.0.5:80/ws", connections: 1_000_000, sources: (2...40).map { "127.0.0.\($0)" })
        #expect(!limits.check(remote, workers: 27).contains { $0.limit == "fs.file-max" })
    }

    @Test func portsAreSummedOverTheWholeRunNotOneWorker() throws {
        // 60 000 connections over 2 sources: 30 000 each > 28 232 ports per pair, whatever the split.
        let plan = try Self.plan(connections: 60_000, sources: ["127.0.0.2", "127.0.0.3"])
        let f = Self.roomy.check(plan, workers: 4)
        let ports = try #require(f.first { $0.limit == "net.ipv4.ip_local_port_range" })
        #expect(ports.isError)
        // ⌈60 000 / 28 232⌉ = 3 sources at least.
        #expect(
            ports.message
                == "2 source addresses would need more than the 28232 ephemeral ports a (source, destination) pair has (127.0.0.2: 30000): "
                + "use at least 3 source addresses (e.g. --source 127.0.0.2-127.0.0.4) or widen the range "
                + "(sudo sysctl -w net.ipv4.ip_local_port_range=\"1024 65535\")")
        #expect(Self.roomy.check(try Self.plan(connections: 60_000, sources: ["127.0.0.2", "127.0.0.3", "127.0.0.4"]), workers: 4).isEmpty)
    }

    @Test func memoryAndBacklogAreWarnings() throws {
        var limits = Self.roomy
        limits.memAvailableBytes = 1 << 30  // 1 GiB
        // 100 000 loopback connections: 100 000 × 4 600 + 200 000 × 4 800 = 1 420 000 000 bytes > 80 % of 1 GiB.
        var plan = try Self.plan(connections: 100_000, sources: (2...10).map { "127.0.0.\($0)" }, rate: 20_000)
        plan.maxInFlight = 512
        // 6 workers × 512 handshakes in flight = 3 072 ≤ 4 096: the backlog cannot overflow from this run.
        #expect(limits.check(plan, workers: 6).map(\.limit) == ["memory"])
        #expect(limits.check(plan, workers: 6)[0].message.hasPrefix("the run needs about \(1_420_000_000 / 1_048_576) MiB"))
        // 9 workers: 4 608 > 4 096.
        let f = limits.check(plan, workers: 9)
        #expect(f.map(\.limit) == ["memory", "net.core.somaxconn"] && f.allSatisfy { !$0.isError })
        #expect(f[1].message.hasPrefix("up to 4608 handshakes are in flight at once (ramp.max_in_flight 512 × 9 processes)"))
        #expect(f[1].message.hasSuffix("(sudo sysctl -w net.core.somaxconn=4608)"))
    }

    @Test func aSessionStopsBeforeAnythingConnectsWhenTheMachineCannotHoldIt() throws {
        var p = Profile()
        p.target.url = "ws://127.0.0.1:9/ws"
        p.clients.connections = 40
        var request = RunSession.Request(profile: p, profileFile: "p.yaml")
        request.machineLimits = MachineLimits(fileMax: 10_050, filesInUse: 0, memAvailableBytes: nil, somaxconn: nil, portsPerPair: 28_232)
        let session = try RunSession(request, logger: .discarding)
        let error = #expect(throws: RunSessionError.self) { try session.prepare() }
        #expect(error?.exitCode == .usageError)
        #expect(error?.message.hasPrefix("p.yaml: this machine cannot hold the run: fs.file-max: the run needs about") == true)
    }
}
