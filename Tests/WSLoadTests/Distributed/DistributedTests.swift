import Foundation
import Testing
import Yams

@testable import WSLoad

/// Shards, report markers, `collect` through a fake kubectl, the Indexed Job manifest, worker sizing.
@Suite struct DistributedTests {
    @Test func shardSpecParsing() {
        #expect(ShardSpec(parsing: "0/3") == ShardSpec(index: 0, count: 3))
        #expect(ShardSpec(parsing: "2/3")?.description == "2/3")
        for bad in ["3/3", "-1/2", "1", "a/b", "1/0", "1/2/3", ""] { #expect(ShardSpec(parsing: bad) == nil, "\(bad)") }
        let s = ShardSpec(index: 1, count: 3)
        #expect(Array(s.clients(of: 10)) == [1, 4, 7])
        #expect(s.clientCount(of: 10) == 3 && ShardSpec(index: 0, count: 3).clientCount(of: 10) == 4)
        #expect(ShardSpec(index: 5, count: 8).clientCount(of: 3) == 0)
        // Every client in exactly one shard.
        for n in 1...5 {
            let all = (0..<n).flatMap { Array(ShardSpec(index: $0, count: n).clients(of: 17)) }.sorted()
            #expect(all == Array(0..<17))
        }
    }

    @Test func holdsAreReleasedOnlyWhenEveryRunningWorkerLeftItsRamp() {
        // A worker that has not reported yet is still ramping.
        #expect(!WorkerPool.everyRampEnded(phases: [.hold, nil], running: [true, true]))
        #expect(!WorkerPool.everyRampEnded(phases: [.hold, .ramp], running: [true, true]))
        #expect(WorkerPool.everyRampEnded(phases: [.hold, .hold], running: [true, true]))
        // A worker past its hold (closing, done) has ended its ramp too.
        #expect(WorkerPool.everyRampEnded(phases: [.close, .done, .hold], running: [true, true, true]))
        // A worker that exited (in its ramp or before reporting) is not waited for.
        #expect(WorkerPool.everyRampEnded(phases: [.hold, .ramp, nil], running: [true, false, false]))
        #expect(!WorkerPool.everyRampEnded(phases: [.ramp, .ramp], running: [true, false]))
    }

    @Test func aggregatedProgressCountsWorkersStillRamping() throws {
        var hold = EngineSnapshot(
            phase: .hold, planned: 10, attempted: 10, established: 10, failed: 0, dropped: 0, open: 10, inFlight: 0,
            openPerPod: ["ws-0": 10], elapsed: 3, holdRemaining: nil)
        hold.awaitingRelease = true
        var ramp = hold
        ramp.phase = .ramp; ramp.attempted = 4; ramp.established = 4; ramp.open = 4; ramp.awaitingRelease = false
        // Two of three workers reported: the third counts as ramping, so the whole is in its ramp.
        let partial = try #require(WorkerProgress.aggregate([hold, hold], expected: 3))
        #expect(partial.workers == 3 && partial.workersRamping == 1 && partial.phase == .ramp)
        #expect(partial.awaitingRelease && partial.open == 20 && partial.planned == 20)
        let mixed = try #require(WorkerProgress.aggregate([hold, ramp, hold], expected: 3))
        #expect(mixed.workers == 3 && mixed.workersRamping == 1 && mixed.phase == .ramp && mixed.attempted == 24)
        let all = try #require(WorkerProgress.aggregate([hold, hold, hold], expected: 3))
        #expect(all.workersRamping == 0 && all.phase == .hold)
        // A line without the field (a worker that never waits) reads as not waiting.
        let line = try #require(WorkerProgress(line: WorkerProgress(ramp).line))
        #expect(line.snapshot.awaitingRelease == false)
    }

    @Test func aWorkerWaitsForTheReleaseAtMostThreeRampsOrTenMinutes() throws {
        var plan = RunPlan(url: try WebSocketURL("ws://127.0.0.1:9/"), clients: 10_000, connectionsPerClient: 1)
        plan.rate = 1_000
        plan.connectTimeout = 5; plan.tlsTimeout = 5; plan.upgradeTimeout = 10
        // 10 s of ramp: three ramps and the timeouts are 50 s, under the 10-minute floor.
        #expect(WorkerAssignment.releaseTimeout(for: plan) == 600)
        plan.clients = 1_000_000; plan.rate = 2_000
        // 500 s of ramp: 3 × 500 + 5 + 5 + 10.
        #expect(WorkerAssignment.releaseTimeout(for: plan) == 1_520)
    }

    @Test func workersNeededFollowsTheFDBudget() throws {
        var plan = RunPlan(url: try WebSocketURL("ws://127.0.0.1:9/ws"), clients: 100_000, connectionsPerClient: 1)
        let budget = ResourceBudget(fdSoftLimit: 20_000, fdHardLimit: 20_000, portRange: 32768...60999)
        #expect(WorkerPool.workersNeeded(plan: plan, budget: budget) == 6)
        plan.clients = 19_936
        #expect(WorkerPool.workersNeeded(plan: plan, budget: budget) == 1)
        plan.clients = 19_937
        #expect(WorkerPool.workersNeeded(plan: plan, budget: budget) == 2)
        plan.clients = 3; plan.connectionsPerClient = 9000
        #expect(WorkerPool.workersNeeded(plan: plan, budget: budget) == 2)
        plan.connectionsPerClient = 30_000
        #expect(WorkerPool.workersNeeded(plan: plan, budget: budget) == nil)
    }

    @Test func markersAroundTheReport() throws {
        let report = MergeTests.syntheticReport(shard: ShardSpec(index: 0, count: 2))
        let log = "wsload: starting\nsome table\n" + ReportMarkers.wrap(report) + "trailing\n"
        let texts = ReportMarkers.extract(from: log)
        #expect(texts.count == 1)
        #expect(try Report.decode(json: Data(texts[0].utf8)) == report)
        // Prefixed lines (kubectl logs --prefix) and a cut-off log.
        let prefixed = ReportMarkers.wrap(report).split(separator: "\n").map { "[pod/a/c] " + $0 }.joined(separator: "\n")
        #expect(try Report.decode(json: Data(ReportMarkers.extract(from: prefixed)[0].utf8)) == report)
        #expect(ReportMarkers.extract(from: ReportMarkers.begin + "\n{\n").isEmpty)
    }

    @Test func collectReadsEveryPodAndMerges() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wsload-collect-\(getpid())-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let pods = """
            {"kind":"List","items":[
             {"kind":"Pod","metadata":{"name":"load-0-aaaaa"},"status":{"phase":"Succeeded"}},
             {"kind":"Pod","metadata":{"name":"load-1-bbbbb"},"status":{"phase":"Failed"}},
             {"kind":"Pod","metadata":{"name":"load-1-ccccc"},"status":{"phase":"Succeeded"}},
             {"kind":"Pod","metadata":{"name":"load-2-ddddd"},"status":{"phase":"Running"}}]}
            """
        try pods.write(to: dir.appendingPathComponent("pods.json"), atomically: true, encoding: .utf8)
        let s0 = MergeTests.syntheticReport(shard: ShardSpec(index: 0, count: 2))
        let s1 = MergeTests.syntheticReport(shard: ShardSpec(index: 1, count: 2))
        try ("table\n" + ReportMarkers.wrap(s0)).write(to: dir.appendingPathComponent("load-0-aaaaa.log"), atomically: true, encoding: .utf8)
        try ReportMarkers.wrap(s1).write(to: dir.appendingPathComponent("load-1-bbbbb.log"), atomically: true, encoding: .utf8)
        try ReportMarkers.wrap(s1).write(to: dir.appendingPathComponent("load-1-ccccc.log"), atomically: true, encoding: .utf8)
        try "still running\n".write(to: dir.appendingPathComponent("load-2-ddddd.log"), atomically: true, encoding: .utf8)
        let collector = JobCollector(
            namespace: "loadtest", job: "load",
            listTemplate: ["cat", dir.appendingPathComponent("pods.json").path],
            logsTemplate: ["cat", dir.path + "/{pod}.log"], timeout: 10)
        let collected = try collector.collect()
        #expect(collected.reports.map(\.pod) == ["load-0-aaaaa", "load-1-ccccc"])
        #expect(collected.problems.count == 1 && collected.problems[0].contains("load-2-ddddd (Running): no report in its log"))
        #expect(collected.notes == ["shard 1/2 ran in pods load-1-bbbbb and load-1-ccccc; the report of load-1-ccccc is used"])
        let merged = try ReportMerger.merge(collected.reports.map(\.report))
        #expect(merged.totals.held == 10 && merged.placements.clientCount == 10)
        #expect(merged.statistics.pods.map(\.count) == [5, 5])
    }

    @Test func indexedJobManifestIsValid() throws {
        let url = TestPaths.packageRoot.appendingPathComponent("deploy/indexed-job.yaml")
        let docs = try Yams.load_all(yaml: try String(contentsOf: url, encoding: .utf8)).compactMap { $0 as? [String: Any] }
        let jobs = docs.filter { $0["kind"] as? String == "Job" }
        #expect(jobs.count == 1)
        guard let job = jobs.first else { return }
        #expect(job["apiVersion"] as? String == "batch/v1")
        let spec = job["spec"] as? [String: Any] ?? [:]
        #expect(spec["completionMode"] as? String == "Indexed")
        let completions = spec["completions"] as? Int
        #expect(completions != nil && completions == spec["parallelism"] as? Int)
        let pod = (spec["template"] as? [String: Any])?["spec"] as? [String: Any] ?? [:]
        #expect(pod["restartPolicy"] as? String == "Never")
        let container = (pod["containers"] as? [[String: Any]])?.first ?? [:]
        let args = (container["args"] as? [String]) ?? []
        let joined = args.joined(separator: " ")
        #expect(args.first == "run")
        #expect(joined.contains("--shard $(JOB_COMPLETION_INDEX)/\(completions ?? -1)"), "\(joined)")
        #expect(args.contains("--emit-report-json") && args.contains("--profile"))
        #expect(joined.contains("--format json") && joined.contains("--out /out"))
        // JOB_COMPLETION_INDEX must be an env var for $(…) expansion in args.
        let env = (container["env"] as? [[String: Any]]) ?? []
        #expect(env.contains { $0["name"] as? String == "JOB_COMPLETION_INDEX" })
        let mounts = (container["volumeMounts"] as? [[String: Any]]) ?? []
        #expect(mounts.contains { $0["mountPath"] as? String == "/out" })
        // The profile the Job runs comes from a ConfigMap in the same file.
        let maps = docs.filter { $0["kind"] as? String == "ConfigMap" }
        #expect(maps.count == 1)
        if let data = maps.first?["data"] as? [String: String], let (name, yaml) = data.first {
            let profile = try ProfileLoader.parse(yaml: yaml, file: name)
            #expect(throws: Never.self) { try profile.validate(requireURL: true) }
        }
    }
}
