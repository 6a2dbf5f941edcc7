import Foundation
import Testing

@testable import WSLoad

@Suite("LogSource")
struct LogSourceTests {
    static func collector(
        _ sources: [LogSource], runner: CommandRunner = CommandRunner(),
        stdin: Int32 = STDIN_FILENO
    ) throws -> LogCollector {
        let config = LogCollector.Configuration(
            parser: try ActiveConnectionsParser(), namespace: "default",
            runStart: Date(), pollInterval: 0.1)
        return LogCollector(sources: sources, configuration: config, runner: runner, stdinDescriptor: stdin)
    }

    static func counts(_ c: LogCollector) -> [String: [Int]] {
        Dictionary(uniqueKeysWithValues: c.snapshot().map { ($0.pod, $0.samples.map(\.activeConnections)) })
    }

    @Test(
        arguments: [
            ("ws-0.log", "ws-0"), ("ws-0", "ws-0"), ("web-7d9c8b-x2k4q.log", "web-7d9c8b-x2k4q"),
            ("ws-0.log.1", nil), ("ws-0.log.gz", nil), ("README.md", nil), (".ws-0.log", nil), (".log", nil),
        ] as [(String, String?)])
    func directoryFileNamesMapToPods(name: String, pod: String?) {
        #expect(LogSource.podName(forFileNamed: name) == pod)
    }

    @Test func fileFollowerSeesBaselineThenAppendedLines() throws {
        let dir = try KubeTestSupport.makeTempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("ws-0.log").path
        KubeTestSupport.append("2026-11-25T12:00:00Z Active connections: 2\nstarting up\n", to: path)
        let c = try Self.collector([.file(pod: "ws-0", path: path)])
        c.start()
        defer { c.stop() }
        // The baseline is read inside start().
        #expect(Self.counts(c) == ["ws-0": [2]])
        let before = Date()
        KubeTestSupport.append("Active connections: 5\nActive conn", to: path)
        #expect(KubeTestSupport.waitUntil { Self.counts(c)["ws-0"] == [2, 5] })
        KubeTestSupport.append("ections: 7\n", to: path)
        #expect(KubeTestSupport.waitUntil { Self.counts(c)["ws-0"] == [2, 5, 7] })
        let samples = try #require(c.snapshot().first?.samples)
        #expect(samples[0].timestamp == LogTimestamp.parseRFC3339("2026-11-25T12:00:00Z"))
        // No timestamp in the line: the arrival time is used.
        #expect(try #require(samples[1].timestamp) >= before.addingTimeInterval(-0.01))
        #expect(samples.map(\.line) == [1, 3, 4])
        let status = try #require(c.status().pods.first)
        #expect(status == LogCollector.PodStatus(pod: "ws-0", lines: 4, samples: 3, garbageLines: 1, arrivalTimestampedSamples: 2))
        #expect(status.usesArrivalTime)
        #expect(c.errors.isEmpty)
    }

    @Test func truncationAndRotationAreFollowed() throws {
        let dir = try KubeTestSupport.makeTempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("ws-0.log").path
        KubeTestSupport.append("Active connections: 1\nActive connections: 2\nActive connections: 3\n", to: path)
        let c = try Self.collector([.file(pod: "ws-0", path: path)])
        c.start()
        defer { c.stop() }
        #expect(Self.counts(c)["ws-0"] == [1, 2, 3])
        // copytruncate: the file shrinks below our offset.
        truncate(path, 0)
        KubeTestSupport.append("Active connections: 9\n", to: path)
        #expect(KubeTestSupport.waitUntil { Self.counts(c)["ws-0"] == [1, 2, 3, 9] })
        // Rotation: the path now names a new file.
        try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
        KubeTestSupport.append("Active connections: 4\n", to: path)
        #expect(KubeTestSupport.waitUntil { Self.counts(c)["ws-0"] == [1, 2, 3, 9, 4] })
    }

    @Test func missingFileIsRecordedNotFatalAndPickedUpLater() throws {
        let dir = try KubeTestSupport.makeTempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let present = dir.appendingPathComponent("ws-0.log").path
        let missing = dir.appendingPathComponent("ws-1.log").path
        KubeTestSupport.append("Active connections: 1\n", to: present)
        let c = try Self.collector([.file(pod: "ws-0", path: present), .file(pod: "ws-1", path: missing)])
        c.start()
        defer { c.stop() }
        #expect(Self.counts(c) == ["ws-0": [1]])
        #expect(c.errors.count == 1)
        #expect(c.errors.first?.contains("ws-1.log: No such file or directory") == true)
        KubeTestSupport.append("Active connections: 6\n", to: missing)
        #expect(KubeTestSupport.waitUntil { Self.counts(c)["ws-1"] == [6] })
        #expect(c.errors.isEmpty)
    }

    @Test func directorySourceMapsFilesToPods() throws {
        let dir = try KubeTestSupport.makeTempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        KubeTestSupport.append("Active connections: 3\n", to: dir.appendingPathComponent("ws-0.log").path)
        KubeTestSupport.append("Active connections: 4\n", to: dir.appendingPathComponent("ws-1").path)
        KubeTestSupport.append("Active connections: 99\n", to: dir.appendingPathComponent("ws-0.log.1").path)
        KubeTestSupport.append("Active connections: 98\n", to: dir.appendingPathComponent("README.md").path)
        let c = try Self.collector([.directory(path: dir.path)])
        c.start()
        defer { c.stop() }
        #expect(Self.counts(c) == ["ws-0": [3], "ws-1": [4]])
        KubeTestSupport.append("Active connections: 5\n", to: dir.appendingPathComponent("ws-10.log").path)
        #expect(KubeTestSupport.waitUntil { Self.counts(c)["ws-10"] == [5] })
        #expect(c.snapshot().map(\.pod) == ["ws-0", "ws-1", "ws-10"])
    }

    @Test func streamSourceSplitsPrefixesToPods() throws {
        let script = """
            echo '[pod/ws-0/server] 2026-11-25T12:00:00Z Active connections: 0'
            echo '[pod/ws-1/server] 2026-11-25T12:00:00Z Active connections: 1'
            echo '[pod/ws-1/server] 2026-11-25T12:00:01Z handshake from 10.0.0.1'
            echo '[ws-0] Active connections: 12'
            echo 'no prefix here'
            """
        let c = try Self.collector([.stream(command: ["/bin/sh", "-c", script])])
        c.start()
        defer { c.stop() }
        #expect(KubeTestSupport.waitUntil(timeout: 5) { c.status().unattributedLines == 1 })
        #expect(Self.counts(c) == ["ws-0": [0, 12], "ws-1": [1]])
        let status = c.status()
        #expect(status.pods.map(\.garbageLines) == [0, 1])
        #expect(status.pods.map(\.arrivalTimestampedSamples) == [1, 0])
        #expect(status.errors.isEmpty)
    }

    @Test func stdinSourceReadsPrefixedLines() throws {
        var fds: [Int32] = [-1, -1]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]) }
        let c = try Self.collector([.stdin], stdin: fds[0])
        c.start()
        defer { c.stop() }
        let text = "[pod/ws-2/server] Active connections: 8\n[pod/ws-3/server] Active connections: 9"
        _ = text.utf8CString.withUnsafeBufferPointer { write(fds[1], $0.baseAddress, $0.count - 1) }
        close(fds[1])  // end of file flushes the last, unterminated line
        #expect(KubeTestSupport.waitUntil { Self.counts(c) == ["ws-2": [8], "ws-3": [9]] })
    }

    @Test func commandSourceRunsOnePerPodAndStopKillsThem() throws {
        let runner = CommandRunner()
        let template: CommandTemplate = [
            "/bin/sh", "-c", "echo \"Active connections: ${#1}\"; echo noise; exec sleep 30",
            "sh", "{pod}", "--since-time={start}",
        ]
        let c = try Self.collector([.command(template: template, pods: ["ws-0", "ws-10"])], runner: runner)
        c.start()
        #expect(KubeTestSupport.waitUntil(timeout: 5) { Self.counts(c) == ["ws-0": [4], "ws-10": [5]] })
        let pids = runner.running.map(\.processIdentifier)
        #expect(pids.count == 2)
        c.stop()
        for pid in pids { #expect(KubeTestSupport.isGone(pid)) }
        #expect(runner.running.isEmpty)
        #expect(c.status().pods.map(\.garbageLines) == [1, 1])
        #expect(c.errors.isEmpty)  // stopped by us: not an error
    }

    @Test func commandFailuresAreRecordedPerSource() throws {
        let failing: CommandTemplate = ["/bin/sh", "-c", "echo \"error: pods \\\"$1\\\" not found\" >&2; exit 1", "sh", "{pod}"]
        let runner = CommandRunner(environment: ["PATH": "/nonexistent-dir"])
        let c = try Self.collector(
            [
                .command(template: failing, pods: ["ws-9"]),
                .kubectlLogs(pods: ["ws-0"]),
                .stream(command: ["kubectl", "logs", "{nope}"]),
            ], runner: runner)
        c.start()
        defer { c.stop() }
        #expect(KubeTestSupport.waitUntil(timeout: 5) { c.errors.count == 3 })
        let errors = c.errors.joined(separator: "\n")
        #expect(errors.contains(#"command ws-9: /bin/sh -c"#))
        #expect(errors.contains(#"failed with exit status 1: error: pods "ws-9" not found"#))
        #expect(errors.contains("command ws-0: kubectl not found in PATH"))
        #expect(errors.contains("stream: unknown placeholder {nope}"))
    }
}
