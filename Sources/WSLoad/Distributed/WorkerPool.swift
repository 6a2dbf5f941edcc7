import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a plan's shards as child processes of this executable and supervises them.
///
/// Each worker is `EXE run --worker-ipc DIR --shard i/N`: it decodes its ``WorkerAssignment`` (the plan with its shard) from `DIR/plan-i.json`,
/// prints ``WorkerProgress`` lines on its standard output, and writes its report to `DIR/report-i.json`. A worker
/// that dies is reported as a ``LostShard``; none outlives the pool: ``terminate()`` on errors and signals, and
/// each worker sets `PR_SET_PDEATHSIG` (``WorkerPool/adoptParentDeathSignal()``) as a backstop.
public final class WorkerPool: @unchecked Sendable {
    /// One worker.
    public struct Worker: Sendable {
        /// Its shard.
        public var shard: ShardSpec
        /// Connections its shard plans.
        public var connections: Int
        /// Its process id.
        public var pid: pid_t
    }

    /// Environment variable naming the parent's pid (the worker exits at once if its parent is already gone).
    public static let parentEnvironmentKey = "WSLOAD_WORKER_PARENT"

    /// The IPC directory.
    public let directory: String
    /// The workers, by shard index.
    public private(set) var workers: [Worker] = []
    private let runner: CommandRunner
    private var commands: [RunningCommand] = []
    private let state = Locked(State())
    private let onProgress: @Sendable (EngineSnapshot) -> Void

    private struct State {
        var latest: [Int: EngineSnapshot] = [:]
        var lastLine: [Int: Date] = [:]
        var interrupts = 0
        var releasedAt: Date?
        /// Workers being started, and whether all have been (then `commands` and `workers` no longer change).
        var expected = 0, allStarted = false
    }

    /// When the pool released the workers' holds (nil: not yet, or not holding together).
    public var releasedAt: Date? { state.withLock { $0.releasedAt } }

    /// Whether the workers hold together: each waits for the pool's release (SIGUSR1) before its hold timer starts,
    /// and the pool releases them all once every worker has ended its ramp or exited. Set before ``start(_:count:executable:extraArguments:)``.
    public var holdTogether = false

    /// Creates a pool writing into `directory` (created if missing); `onProgress` gets the aggregated snapshot.
    public init(directory: String, onProgress: @escaping @Sendable (EngineSnapshot) -> Void = { _ in }) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        self.directory = directory
        var env = ProcessInfo.processInfo.environment
        env[Self.parentEnvironmentKey] = String(getpid())
        runner = CommandRunner(environment: env)
        self.onProgress = onProgress
    }

    /// The path of this executable.
    public static func executablePath() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if n > 0 { return String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) }
        return CommandLine.arguments[0]
    }

    /// Where worker `index` writes its report.
    public func reportPath(_ index: Int) -> String { (directory as NSString).appendingPathComponent("report-\(index).json") }

    /// Writes one worker's assignment (`DIR/plan-i.json`, i its shard index) for the worker to decode and run.
    public func writeAssignment(_ assignment: WorkerAssignment) throws {
        guard let shard = assignment.plan.shard else { throw WorkerAssignmentError(message: "a worker's plan needs its shard") }
        let data = try JSONEncoder().encode(assignment)
        try data.write(to: URL(fileURLWithPath: (directory as NSString).appendingPathComponent(WorkerAssignment.fileName(shard: shard.index))))
    }

    /// The assignment of shard `shard` that the parent wrote into `directory`; its plan must be for that shard.
    public static func readAssignment(directory: String, shard: ShardSpec) throws -> WorkerAssignment {
        let path = (directory as NSString).appendingPathComponent(WorkerAssignment.fileName(shard: shard.index))
        let assignment = try JSONDecoder().decode(WorkerAssignment.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        guard assignment.plan.shard == shard else {
            throw WorkerAssignmentError(message: "\(path) is for shard \(assignment.plan.shard?.description ?? "none"), not \(shard)")
        }
        return assignment
    }

    /// Starts `count` workers for `assignment` (call from the main thread: `PR_SET_PDEATHSIG` fires when the
    /// spawning thread exits): writes each worker's copy with its shard set, its files under
    /// `outputDirectory/worker-i`. `extraArguments` go after `run`. Throws when one cannot start (the started ones
    /// are stopped).
    public func start(
        _ assignment: WorkerAssignment, count: Int, executable: String = WorkerPool.executablePath(),
        extraArguments: [String] = []
    ) throws {
        state.withLock { $0.expected = count }
        defer { state.withLock { $0.allStarted = true } }
        for i in 0..<count {
            let shard = ShardSpec(index: i, count: count)
            var own = assignment
            own.plan.shard = shard
            own.outputDirectory = assignment.outputDirectory.map { ($0 as NSString).appendingPathComponent("worker-\(i)") }
            let p = own.plan
            do { try writeAssignment(own) } catch {
                terminate(grace: 1)
                throw error
            }
            let argv = [executable, "run", "--worker-ipc", directory, "--shard", shard.description] + extraArguments
            do {
                let command = try runner.stream(argv, onLine: { [self] line in received(line, from: i) }, onExit: nil)
                commands.append(command)
                workers.append(Worker(shard: shard, connections: p.totalConnections, pid: command.processIdentifier))
                state.withLock { $0.lastLine[i] = Date() }
            } catch {
                terminate(grace: 1)
                throw error
            }
        }
    }

    private func received(_ line: String, from index: Int) {
        guard let p = WorkerProgress(line: line) else { return }
        let aggregate: EngineSnapshot? = state.withLock { s in
            s.latest[index] = p.snapshot
            s.lastLine[index] = Date()
            return WorkerProgress.aggregate(s.latest.keys.sorted().map { s.latest[$0]! }, expected: s.expected)
        }
        releaseIfAllRamped()
        if let aggregate { onProgress(aggregate) }
    }

    /// Whether the holds may start: every worker has left its ramp (reported hold, close or done) or is no longer
    /// running. Pure, for tests: `phases[i]` is worker i's last reported phase (nil: none yet).
    public static func everyRampEnded(phases: [EngineSnapshot.Phase?], running: [Bool]) -> Bool {
        zip(phases, running).allSatisfy { phase, running in !running || (phase != nil && phase != .ramp) }
    }

    /// Releases every running worker's hold (SIGUSR1) once, when ``everyRampEnded(phases:running:)``.
    private func releaseIfAllRamped() {
        guard holdTogether, state.withLock({ $0.allStarted && $0.releasedAt == nil }) else { return }
        let running = commands.map(\.isRunning)
        let go = state.withLock { s -> Bool in
            guard s.releasedAt == nil else { return false }
            let phases = running.indices.map { s.latest[$0]?.phase }
            guard Self.everyRampEnded(phases: phases, running: running) else { return false }
            s.releasedAt = Date()
            return true
        }
        guard go else { return }
        for c in commands where c.isRunning { c.send(SIGUSR1) }
    }

    /// The last progress of worker `index`.
    public func latest(_ index: Int) -> EngineSnapshot? { state.withLock { $0.latest[index] } }

    /// Waits until every worker has exited. A worker silent for `stallTimeout` seconds (no progress line) is
    /// killed with SIGKILL and reported lost. Bounded: every wait is.
    public func waitForAll(stallTimeout: TimeInterval = 120) {
        while commands.contains(where: \.isRunning) {
            usleep(100_000)
            releaseIfAllRamped()  // a worker that died in its ramp sends no line: its exit may be the last one awaited
            let now = Date()
            for (i, c) in commands.enumerated() where c.isRunning {
                let last = state.withLock { $0.lastLine[i] } ?? now
                if now.timeIntervalSince(last) > stallTimeout { c.send(SIGKILL) }
            }
        }
        for c in commands { _ = c.waitUntilExit(timeout: 2) }
    }

    /// Asks every worker to stop early (SIGTERM: each closes its connections and writes a partial report);
    /// a second call kills them (SIGKILL).
    public func interrupt() {
        let n = state.withLock { s -> Int in
            s.interrupts += 1; return s.interrupts
        }
        for c in commands { c.send(n == 1 ? SIGTERM : SIGKILL) }
    }

    /// Stops every worker still running: SIGTERM, SIGKILL after `grace`, waiting until reaped.
    public func terminate(grace: TimeInterval = 3) {
        CommandRunner.terminate(commands, grace: grace)
    }

    /// Each worker's report, or why it has none.
    public func collect() -> (reports: [Report], lost: [LostShard], notes: [String]) {
        var reports: [Report] = []
        var lost: [LostShard] = []
        var notes: [String] = []
        for (i, w) in workers.enumerated() {
            let termination = commands[i].termination ?? .signaled(SIGKILL)
            let data = FileManager.default.contents(atPath: reportPath(i))
            if let data, let report = try? Report.decode(json: data) {
                reports.append(report)
                if case .signaled = termination { notes.append("worker \(i) (shard \(w.shard)) wrote its report, then ended with \(termination)") }
                continue
            }
            let stderr = commands[i].result?.stderrFirstLine ?? ""
            if !stderr.isEmpty { notes.append("worker \(i) (shard \(w.shard)) said: \(stderr)") }
            lost.append(
                LostShard(shard: w.shard, connections: w.connections, reason: "worker \(i) exited with \(termination)", lastOpen: latest(i)?.open))
        }
        return (reports, lost, notes)
    }

    /// Number of workers needed so no process holds more than `budget.fdSoftLimit - plan.fdReserve` connections
    /// (1 when one process can hold the plan; nil when even one client's connections do not fit one process).
    public static func workersNeeded(plan: RunPlan, budget: ResourceBudget) -> Int? {
        let usable = max(1, budget.fdSoftLimit - plan.fdReserve)
        guard plan.connectionsPerClient <= usable else { return nil }
        var n = max(1, (plan.totalConnections + usable - 1) / usable)
        while n < plan.clients && ShardSpec(index: 0, count: n).clientCount(of: plan.clients) * plan.connectionsPerClient > usable { n += 1 }
        return n
    }

    /// In a worker: ask the kernel for SIGTERM when the parent dies, and exit at once if it already has.
    public static func adoptParentDeathSignal() {
        #if canImport(Glibc)
            // prctl(PR_SET_PDEATHSIG, SIGTERM); <sys/prctl.h> is not in the Glibc module, so look the function up.
            typealias Prctl = @convention(c) (Int32, UInt, UInt, UInt, UInt) -> Int32
            let prSetPdeathsig: Int32 = 1
            if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "prctl") {
                _ = unsafeBitCast(symbol, to: Prctl.self)(prSetPdeathsig, UInt(SIGTERM), 0, 0, 0)
            }
            if let text = ProcessInfo.processInfo.environment[parentEnvironmentKey], let parent = pid_t(text), getppid() != parent {
                FileHandle.standardError.writeIfPossible(Data("wsload worker: parent \(parent) is gone; exiting\n".utf8))
                exit(3)
            }
        #endif
    }
}

/// A worker's assignment cannot be written or does not fit the worker.
public struct WorkerAssignmentError: Error, Sendable, CustomStringConvertible {
    /// What is wrong.
    public var message: String
    /// The message.
    public var description: String { message }
}
