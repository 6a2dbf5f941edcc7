import Foundation
import Testing

@testable import WSLoad

/// A whole `run` through ``RunSession`` against pods on loopback: discovery by a fake command, the split, the run in
/// this process, report files, the outcome.
@Suite(.serialized) struct RunSessionTests {
    /// Three pod servers behind a round-robin front; returns the front's URL and a stop function.
    static func pods(_ names: [String]) throws -> (url: String, stop: () -> Void) {
        var servers: [PodServer] = []
        var addresses: [SocketAddress] = []
        for name in names {
            let server = try PodServer(
                PodServerConfiguration(listen: SocketAddress(ip: "127.0.0.1", port: 0)!, podName: name, ioQueues: 1), logger: .discarding)
            addresses.append(try server.start())
            servers.append(server)
        }
        let front = AffinityFront(
            backends: zip(servers, addresses).map { .init(name: $0.0.configuration.podName, address: $0.1) },
            policy: AffinityPolicy.none)
        let address = try front.start(on: SocketAddress(ip: "127.0.0.1", port: 0)!)
        return (
            "ws://127.0.0.1:\(address.port)/ws",
            {
                front.stop()
                for s in servers { s.drain(timeout: 2) }
            }
        )
    }

    static func profile(url: String, connections: Int) throws -> Profile {
        var profile = Profile()
        profile.name = "session-test"
        var o = ProfileOverrides()
        o.url = url; o.connections = connections; o.hold = 0.3; o.maxSkew = 50
        try o.apply(to: &profile)
        try profile.validate(requireURL: true)
        return profile
    }

    @Test func aLocalRunDiscoversPodsRunsAndWritesTheReport() throws {
        let dir = try KubeTestSupport.makeTempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (url, stop) = try Self.pods(["ws-0", "ws-1", "ws-2"])
        defer { stop() }
        // The discovery command prints a pod list: ws-3 is known but receives nothing; ws-2 has restarted once.
        let list = dir.appendingPathComponent("pods.json")
        let items = ["ws-0", "ws-1", "ws-2", "ws-3"].map { name in
            #"{"metadata":{"name":"\#(name)"},"status":{"conditions":[{"type":"Ready","status":"\#(name == "ws-3" ? "False" : "True")"}],"containerStatuses":[{"restartCount":\#(name == "ws-2" ? 1 : 0)}]}}"#
        }
        try #"{"items":[\#(items.joined(separator: ","))]}"#.write(to: list, atomically: true, encoding: .utf8)
        var profile = try Self.profile(url: url, connections: 9)
        profile.pods.discovery = Profile.Discovery()
        profile.pods.discovery?.command = ["cat", list.path]
        var request = RunSession.Request(profile: profile, profileFile: "test.yaml")
        request.formats = [.table, .markdown]
        request.outputDirectory = dir.appendingPathComponent("out").path
        request.quiet = true
        let lines = Locked<[String]>([])
        let session = try RunSession(request, logger: .lines { line in lines.withLock { $0.append(line) } })
        #expect(session.plan.totalConnections == 9 && session.plan.shard == nil)
        #expect(try session.prepare() == RunSplit(workers: 1))
        let done = Locked(false)
        let outcome = try session.run(progress: { _ in }, progressDone: { done.withLock { $0 = true } })
        #expect(done.current)
        #expect(outcome.workers == 1)
        #expect(outcome.report.pods.map(\.name) == ["ws-0", "ws-1", "ws-2", "ws-3"])
        #expect(outcome.report.pods.map(\.clients) == [3, 3, 3, 0])
        #expect(outcome.report.notes.contains("Discovered 4 pods (ws-0, ws-1, ws-2, ws-3); not ready: ws-3."))
        #expect(outcome.report.notes.contains("Pods with restarts: ws-2 (1)."))
        // ws-3 expected a third... a quarter of 9 and got none: the 50 % skew gate fails.
        #expect(outcome.exitCode == .gateFailed && outcome.exitCode == outcome.report.exitCode)
        let names = outcome.files.map { ($0 as NSString).lastPathComponent }
        #expect(names == ["report.txt", "report.md", "report.json", "connections.jsonl"])
        let records = try String(contentsOfFile: request.outputDirectory! + "/connections.jsonl", encoding: .utf8)
        #expect(records.split(separator: "\n").count == 9)
        #expect(lines.current.isEmpty)  // quiet
    }

    @Test func failedDiscoveryAndBadPlansEndBeforeAnythingConnects() throws {
        var profile = try Self.profile(url: "ws://127.0.0.1:9/ws", connections: 2)
        profile.pods.discovery = Profile.Discovery()
        profile.pods.discovery?.command = ["false"]
        let session = try RunSession(RunSession.Request(profile: profile, profileFile: "p.yaml"), logger: .discarding)
        let error = #expect(throws: RunSessionError.self) { try session.prepare() }
        #expect(error?.exitCode == .runIncomplete && error?.message.hasPrefix("p.yaml: pods.discovery: ") == true)

        var request = RunSession.Request(profile: try Self.profile(url: "ws://127.0.0.1:9/ws", connections: 4), profileFile: "p.yaml")
        request.shard = ShardSpec(index: 0, count: 2)
        request.workers = 2
        let sharded = try RunSession(request, logger: .discarding)
        #expect(sharded.plan.shard == ShardSpec(index: 0, count: 2) && sharded.plan.totalConnections == 2)
        #expect(throws: RunSessionError.self) { try sharded.prepare() }
    }

    @Test func aStopBeforeTheRunEndsItAtOnceAsIncomplete() throws {
        let (url, stop) = try Self.pods(["ws-0"])
        defer { stop() }
        var profile = try Self.profile(url: url, connections: 3)
        profile.hold = .seconds(30)
        var request = RunSession.Request(profile: profile, profileFile: "p.yaml")
        request.quiet = true
        let session = try RunSession(request, logger: .discarding)
        session.stop()
        let started = Date()
        let outcome = try session.run()
        #expect(Date().timeIntervalSince(started) < 10)
        #expect(outcome.exitCode == .runIncomplete)
    }
}
