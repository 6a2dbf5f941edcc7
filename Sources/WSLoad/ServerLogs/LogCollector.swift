import Dispatch
import Foundation

/// Follows every configured ``LogSource`` during a run and keeps per-pod "active connections" series.
///
/// Files and directories are polled every ``Configuration/pollInterval`` from offset 0, so the content
/// already there (the baseline) is read first, synchronously, inside ``start()``; commands (one per pod, or one
/// multiplexed stream) and standard input are read on background queues. Every line goes through the
/// configured ``ActiveConnectionsParser``; recognised readings are appended to the pod's series under a lock.
///
/// **Arrival time.** A line whose text carries no timestamp gets the wall-clock time at which wsload read it:
/// when following live this is a good proxy for when the server logged it. Content already present when a
/// file is first read is stamped with that first read's time, so start the collector before the run starts to
/// keep the baseline before `runStart`. ``LogSampleSeries`` cannot say which samples were stamped this way, so
/// ``status()`` reports it per pod (``PodStatus/arrivalTimestampedSamples``).
///
/// **Arrival phase.** Given a ``RunPhaseClock`` (``follow(phases:)``), every reading is also stamped with the run
/// phase in which it arrived (``LogSample/phase``): the order wsload read lines in is exact where one-second
/// stamps are not, and ``LogMatcher`` prefers it. Lines logged with a stamp and read during the run measure the
/// log pipeline's lag (``observedLag``), which the session waits out (bounded) after the run.
///
/// Problems (missing file, command not found or failed) are recorded as human-readable ``Status/errors`` and
/// never stop the other sources. ``stop()`` reads what is left, flushes last lines without a newline, and
/// terminates every child it started (SIGTERM, then SIGKILL after 1 s).
public final class LogCollector: @unchecked Sendable {
    /// How lines are read and parsed.
    public struct Configuration: Sendable {
        /// Turns lines into readings.
        public var parser: ActiveConnectionsParser
        /// Substituted for `{namespace}`.
        public var namespace: String
        /// Substituted for `{selector}` (multiplexed stream commands).
        public var selector: String
        /// Substituted for `{container}`; templates using `{container}` fail without it.
        public var container: String?
        /// Run start, substituted for `{start}` as RFC 3339.
        public var runStart: Date
        /// How often files and directories are polled, in seconds (0.1–0.2 is right for live following).
        public var pollInterval: TimeInterval

        /// Creates a configuration.
        public init(
            parser: ActiveConnectionsParser, namespace: String = "default", selector: String = "",
            container: String? = nil, runStart: Date = Date(), pollInterval: TimeInterval = 0.15
        ) {
            self.parser = parser
            self.namespace = namespace
            self.selector = selector
            self.container = container
            self.runStart = runStart
            self.pollInterval = pollInterval
        }
    }

    /// Per-pod reading statistics.
    public struct PodStatus: Sendable, Equatable, Codable {
        /// The pod.
        public var pod: String
        /// Lines read for this pod (blank lines included).
        public var lines: Int
        /// Readings recognised.
        public var samples: Int
        /// Non-blank lines without a reading.
        public var garbageLines: Int
        /// Readings whose line had no timestamp, stamped with the arrival time instead.
        public var arrivalTimestampedSamples: Int

        /// True when some readings carry an arrival time rather than a logged time.
        public var usesArrivalTime: Bool { arrivalTimestampedSamples > 0 }
    }

    /// Everything but the series: per-pod statistics and problems.
    public struct Status: Sendable, Equatable {
        /// Pods that produced any line, sorted naturally.
        public var pods: [PodStatus]
        /// Problems per source, e.g. `file ws-0 /logs/ws-0.log: No such file or directory`.
        public var errors: [String]
        /// Lines of a multiplexed source (stream, stdin) that named no pod, readings included.
        public var unattributedLines: Int
    }

    private struct PodState {
        var samples: [LogSample] = []
        var lines = 0
        var garbage = 0
        var arrival = 0
    }

    private struct State {
        var pods: [String: PodState] = [:]
        /// Largest `arrival − (stamp + precision)` of a reading read during the run, in seconds.
        var lag: Double?
        /// When the last line of any source arrived.
        var lastArrival: Date?
        var unattributedLines = 0
        var errorOrder: [String] = []
        var errors: [String: String] = [:]
    }

    private enum Lifecycle { case idle, running, stopped }

    /// The sources followed.
    public let sources: [LogSource]
    /// The configuration in use.
    public let configuration: Configuration
    private let runner: CommandRunner
    private let stdinDescriptor: Int32
    private let state = Locked(State())
    private let lifecycle = Locked(Lifecycle.idle)
    private let pollQueue = DispatchQueue(label: "wsload.log-poll", target: .global())
    private let phaseClock = Locked<RunPhaseClock?>(nil)

    // Confined to `pollQueue`.
    private var files: [LogSourceFileFollower] = []
    private var directories: [(path: String, followers: [String: LogSourceFileFollower])] = []
    private var timer: (any DispatchSourceTimer)?

    // Set in start(), read in stop().
    private var commands: [RunningCommand] = []
    private var stdinReader: LogSourceDescriptorReader?

    /// Creates a collector; nothing is read until ``start()``. Commands run through `runner`.
    public convenience init(sources: [LogSource], configuration: Configuration, runner: CommandRunner = CommandRunner()) {
        self.init(sources: sources, configuration: configuration, runner: runner, stdinDescriptor: STDIN_FILENO)
    }

    /// Test seam: `.stdin` reads `stdinDescriptor` instead of descriptor 0.
    init(sources: [LogSource], configuration: Configuration, runner: CommandRunner, stdinDescriptor: Int32) {
        self.sources = sources
        self.configuration = configuration
        self.runner = runner
        self.stdinDescriptor = stdinDescriptor
    }

    deinit {
        timer?.cancel()
    }

    /// Starts following every source; existing file content is read before this returns. Idempotent.
    public func start() {
        let shouldStart = lifecycle.withLock { l -> Bool in
            guard l == .idle else { return false }
            l = .running
            return true
        }
        guard shouldStart else { return }
        for source in sources {
            switch source {
            case let .file(pod, path):
                pollQueue.sync { files.append(LogSourceFileFollower(pod: pod, path: path)) }
            case let .directory(path):
                pollQueue.sync { directories.append((path, [:])) }
            case let .command(template, pods):
                for pod in pods { startCommand(template, pod: pod, source: source) }
            case let .stream(command):
                startCommand(command, pod: nil, source: source)
            case .stdin:
                startStdin()
            }
        }
        pollQueue.sync { pollFiles() }
        let timer = DispatchSource.makeTimerSource(queue: pollQueue)
        let interval = max(0.01, configuration.pollInterval)
        timer.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(20))
        timer.setEventHandler { [weak self] in self?.pollFiles() }
        pollQueue.sync { self.timer = timer }
        timer.resume()
    }

    /// Stops following: reads what is left, flushes unterminated last lines, and terminates child commands
    /// (SIGTERM, SIGKILL after 1 s), waiting until they are gone. Idempotent; ``snapshot()`` still works after.
    public func stop() {
        let wasRunning = lifecycle.withLock { l -> Bool in
            defer { l = .stopped }
            return l == .running
        }
        guard wasRunning else { return }
        pollQueue.sync {
            timer?.cancel()
            timer = nil
            pollFiles()
            for follower in allFollowers() {
                follower.flush { line, number in ingest(line, pod: follower.pod, lineNumber: number, arrival: Date()) }
                follower.closeFile()
            }
        }
        CommandRunner.terminate(commands, grace: 1)
        for command in commands { command.waitUntilExit(timeout: RunningCommand.drainGrace + 0.5) }
        stdinReader?.stop(timeout: 0.5)
    }

    /// Per-pod series so far, sorted naturally by pod; pods without any reading are left out.
    public func snapshot() -> [LogSampleSeries] {
        let pods = state.withLock { $0.pods }
        return PodNameOrder.sorted(pods.keys)
            .compactMap { pod in pods[pod].flatMap { $0.samples.isEmpty ? nil : LogSampleSeries(pod: pod, samples: $0.samples) } }
    }

    /// Per-pod statistics and recorded problems so far.
    public func status() -> Status {
        state.withLock { s in
            Status(
                pods: PodNameOrder.sorted(s.pods.keys).map { pod in
                    let p = s.pods[pod]!
                    return PodStatus(
                        pod: pod, lines: p.lines, samples: p.samples.count, garbageLines: p.garbage,
                        arrivalTimestampedSamples: p.arrival)
                }, errors: s.errorOrder.compactMap { s.errors[$0] }, unattributedLines: s.unattributedLines)
        }
    }

    /// Stamps every reading from now on with `clock`'s phase at arrival (``LogSample/phase``).
    public func follow(phases clock: RunPhaseClock) {
        phaseClock.withLock { $0 = clock }
    }

    /// The largest delay seen between a line's own stamp and its arrival, for lines read during the run
    /// (nil: none seen). Content already in a file when it is first read does not count.
    public var observedLag: Double? { state.withLock { $0.lag } }

    /// Waits (at most `timeout` seconds) until commands and streams have delivered what they print at start:
    /// every per-pod command has printed a line, and no line arrived for `quiet` seconds. Files and directories
    /// are read inside ``start()`` and need no wait. Returns at once when no command, stream or stdin is followed.
    public func waitForInitialOutput(quiet: Double = 0.3, timeout: Double = 3) {
        let commandPods = Set(
            sources.flatMap { source -> [String] in
                if case let .command(_, pods) = source { return pods }
                return []
            })
        let streams = sources.contains { $0.isMultiplexed }  // a stream command, or stdin
        guard !commandPods.isEmpty || streams else { return }
        let deadline = Date().addingTimeInterval(max(0, timeout))
        let started = Date()
        while Date() < deadline {
            let (seen, last) = state.withLock { s in (Set(s.pods.filter { $0.value.lines > 0 }.keys), s.lastArrival) }
            let quietSince = last ?? started
            // A pod that logs only on change prints nothing under `--since-time`: after a second, quiet is enough.
            let allSpoke = commandPods.isSubset(of: seen) || Date().timeIntervalSince(started) >= 1
            if allSpoke, Date().timeIntervalSince(quietSince) >= quiet { return }
            Thread.sleep(forTimeInterval: 0.02)
        }
    }

    /// Finds a baseline for every per-pod command's pod that has printed no reading yet (a pod that logs only
    /// on change and spoke before `--since-time={start}`): runs the command once without following and without
    /// `--since-time`/`--since`, with `--tail=N` for N in `tails` until a reading appears or the whole log was
    /// read (fewer lines than N). The last reading found is kept with phase ``LogArrivalPhase/history``.
    /// Bounded: each attempt at most `timeout` seconds, up to 8 pods at a time, all pods within `budget`
    /// seconds. Returns the pods whose baseline was found this way.
    ///
    /// A multiplexed stream command (`kubectl logs -l … --prefix -f --since-time={start}`) is searched the same
    /// way (kubectl applies `--tail` per container): every pod its output names without a reading so far gets the
    /// last count found for it; the search grows while the output filled the tail and gave nothing new.
    @discardableResult
    public func searchMissingBaselines(tails: [Int] = [100, 1_000, 10_000], timeout: Double = 5, budget: Double = 15) -> [String] {
        var found: [String] = []
        for case let .stream(template) in sources {
            guard let follow = try? template.render(templateValues(pod: nil)) else { continue }
            for tail in tails {
                guard let argv = Self.backwardsSearchCommand(follow, tail: tail),
                    let result = try? runner.run(argv, timeout: timeout), result.termination.isSuccess
                else { break }
                let parsed = configuration.parser.parse(String(decoding: result.stdout, as: UTF8.self))
                var newPods: [String] = []
                for series in parsed.series(unattributedPod: "") where !series.pod.isEmpty {
                    guard var last = series.samples.last else { continue }
                    let added = state.withLock { s -> Bool in
                        guard s.pods[series.pod]?.samples.isEmpty ?? true else { return false }
                        last.pod = series.pod
                        last.phase = .history
                        s.pods[series.pod, default: PodState()].samples.insert(last, at: 0)
                        return true
                    }
                    if added { newPods.append(series.pod) }
                }
                found += newPods
                if !newPods.isEmpty || parsed.totalLines < tail { break }
            }
        }
        // Per-pod commands: up to 8 pods at a time, all within `budget` seconds in total.
        let deadline = Date().addingTimeInterval(max(0, budget))
        var jobs: [(pod: String, follow: [String])] = []
        for case let .command(template, pods) in sources {
            for pod in pods {
                let hasReading = state.withLock { !($0.pods[pod]?.samples.isEmpty ?? true) }
                guard !hasReading, let follow = try? template.render(templateValues(pod: pod)) else { continue }
                jobs.append((pod, follow))
            }
        }
        let foundPods = Locked([String]())
        let limit = DispatchSemaphore(value: 8)
        let jobList = jobs
        DispatchQueue.concurrentPerform(iterations: jobList.count) { i in
            limit.wait()
            defer { limit.signal() }
            let (pod, follow) = jobList[i]
            for tail in tails {
                let remaining = deadline.timeIntervalSinceNow
                guard remaining > 0.05, let argv = Self.backwardsSearchCommand(follow, tail: tail),
                    let result = try? runner.run(argv, timeout: min(timeout, remaining)), result.termination.isSuccess
                else { break }
                let text = String(decoding: result.stdout, as: UTF8.self)
                let parsed = configuration.parser.parse(text, pod: pod)
                if var last = parsed.samples.last {
                    last.pod = pod
                    last.phase = .history
                    state.withLock { $0.pods[pod, default: PodState()].samples.insert(last, at: 0) }
                    foundPods.withLock { $0.append(pod) }
                    break
                }
                if parsed.totalLines < tail { break }  // the whole log was read: nothing earlier exists
            }
        }
        return found + PodNameOrder.sorted(foundPods.current)
    }

    /// The one-shot form of a follow command for the backwards search: `--since-time=…`, `--since=…`, `-f`
    /// and `--follow` dropped, `--tail=N` set. Nil unless it is a `logs` command (kubectl, oc) that follows or
    /// starts at the run.
    static func backwardsSearchCommand(_ argv: [String], tail: Int) -> [String]? {
        guard argv.contains("logs") else { return nil }
        var out: [String] = []
        var changed = false
        var skipNext = false
        for a in argv {
            if skipNext { skipNext = false; continue }
            if a == "-f" || a == "--follow" || a == "--follow=true" || a.hasPrefix("--since-time=") || a.hasPrefix("--since=")
                || a.hasPrefix("--tail=")
            {
                changed = true
                continue
            }
            if a == "--since-time" || a == "--since" || a == "--tail" { changed = true; skipNext = true; continue }
            out.append(a)
        }
        guard changed else { return nil }
        return out + ["--tail=\(tail)"]
    }

    /// Recorded problems so far (same as `status().errors`).
    public var errors: [String] { status().errors }

    // MARK: - Ingest

    /// Parses one line of a per-pod source.
    private func ingest(_ line: String, pod: String, lineNumber: Int, arrival: Date) {
        let result = configuration.parser.parseLine(line, lineNumber: lineNumber, pod: pod)
        record(result, pod: pod, arrival: arrival)
    }

    /// Parses one line of a multiplexed source: the `[pod/NAME/container]` prefix names the pod.
    private func ingestMultiplexed(_ line: String, lineNumber: Int, arrival: Date) {
        let raw = line[...]
        let trimmed = raw.drop { $0 == " " || $0 == "\t" }
        let result: LogLineResult
        var pod: String?
        if let (prefixPod, rest) = LogStreamPrefix.split(trimmed) {
            pod = prefixPod
            result = configuration.parser.parseLine(rest, lineNumber: lineNumber, pod: prefixPod)
        } else {
            result = configuration.parser.parseLine(raw, lineNumber: lineNumber, pod: nil)
        }
        if case .sample(let sample) = result, let samplePod = sample.pod { pod = samplePod }
        guard let pod else {
            if result != .blank { state.withLock { $0.unattributedLines += 1 } }
            return
        }
        record(result, pod: pod, arrival: arrival)
    }

    /// Files a reading under the pod its line names (the parser's rule), else under the source's pod.
    private func record(_ result: LogLineResult, pod: String, arrival: Date) {
        let phase = phaseClock.withLock { $0?.current }
        state.withLock { s in
            s.pods[pod, default: PodState()].lines += 1
            s.lastArrival = arrival
            switch result {
            case .sample(var sample):
                let owner = sample.pod ?? pod
                sample.pod = owner
                sample.phase = phase
                if let phase, phase != .before, phase != .history, let latest = sample.latestTime {
                    let lag = arrival.timeIntervalSince(latest)
                    if lag > (s.lag ?? 0) { s.lag = lag } else if s.lag == nil { s.lag = max(0, lag) }
                }
                if sample.timestamp == nil {
                    sample.timestamp = arrival
                    s.pods[owner, default: PodState()].arrival += 1
                }
                s.pods[owner, default: PodState()].samples.append(sample)
            case .garbage:
                s.pods[pod, default: PodState()].garbage += 1
            case .blank:
                break
            }
        }
    }

    private func setError(_ key: String, _ message: String?) {
        state.withLock { s in
            if let message {
                if s.errors[key] == nil { s.errorOrder.append(key) }
                s.errors[key] = message
            } else if s.errors.removeValue(forKey: key) != nil {
                s.errorOrder.removeAll { $0 == key }
            }
        }
    }

    // MARK: - Files and directories (on pollQueue)

    private func allFollowers() -> [LogSourceFileFollower] {
        files + directories.flatMap { PodNameOrder.sorted($0.followers.keys).compactMap { [d = $0] in d.followers[$0] } }
    }

    private func pollFiles() {
        let now = Date()
        for follower in files {
            poll(follower, key: "file \(follower.pod) \(follower.path)", arrival: now)
        }
        for index in directories.indices {
            let path = directories[index].path
            let key = "directory \(path)"
            do {
                let names = try FileManager.default.contentsOfDirectory(atPath: path)
                setError(key, nil)
                for name in names {
                    guard let pod = LogSource.podName(forFileNamed: name), directories[index].followers[pod] == nil else {
                        continue
                    }
                    let full = (path as NSString).appendingPathComponent(name)
                    var isDirectory: ObjCBool = false
                    guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue else {
                        continue
                    }
                    directories[index].followers[pod] = LogSourceFileFollower(pod: pod, path: full)
                }
            } catch {
                setError(key, "\(key): cannot list: \((error as NSError).localizedDescription)")
            }
            for pod in PodNameOrder.sorted(directories[index].followers.keys) {
                let follower = directories[index].followers[pod]!
                poll(follower, key: "file \(pod) \(follower.path)", arrival: now)
            }
        }
    }

    private func poll(_ follower: LogSourceFileFollower, key: String, arrival: Date) {
        let outcome = follower.poll { line, number in ingest(line, pod: follower.pod, lineNumber: number, arrival: arrival) }
        switch outcome {
        case .ok: setError(key, nil)
        case .unavailable(let reason): setError(key, "\(key): \(reason) (still watching)")
        }
    }

    // MARK: - Commands and standard input

    private func templateValues(pod: String?) -> [String: String] {
        var values = [
            "namespace": configuration.namespace, "selector": configuration.selector,
            "start": Timestamp.rfc3339(configuration.runStart),
        ]
        if let pod { values["pod"] = pod }
        if let container = configuration.container { values["container"] = container }
        return values
    }

    private func startCommand(_ template: CommandTemplate, pod: String?, source: LogSource) {
        let key = pod.map { "command \($0)" } ?? "stream"
        let argv: [String]
        do {
            argv = try template.render(templateValues(pod: pod))
        } catch {
            setError(key, "\(key): \(error)")
            return
        }
        let display = CommandResult.display(argv)
        let lineCounter = Locked(0)
        let onLine: @Sendable (String) -> Void = { [weak self] line in
            guard let self else { return }
            let number = lineCounter.withLock { n -> Int in
                n += 1; return n
            }
            if let pod {
                ingest(line, pod: pod, lineNumber: number, arrival: Date())
            } else {
                ingestMultiplexed(line, lineNumber: number, arrival: Date())
            }
        }
        let onExit: @Sendable (CommandResult) -> Void = { [weak self] result in
            guard let self, lifecycle.current == .running, !result.succeeded else { return }
            let first = result.stderrFirstLine
            setError(key, "\(key): \(display) failed with \(result.termination)" + (first.isEmpty ? "" : ": \(first)"))
        }
        do {
            commands.append(try runner.stream(argv, onLine: onLine, onExit: onExit))
        } catch {
            setError(key, "\(key): \(error)")
        }
    }

    private func startStdin() {
        let counter = Locked(0)
        let reader = LogSourceDescriptorReader(
            fd: stdinDescriptor,
            onLine: { [weak self] line in
                let number = counter.withLock { n -> Int in
                    n += 1; return n
                }
                self?.ingestMultiplexed(line, lineNumber: number, arrival: Date())
            },
            onEnd: { [weak self] failure in
                if let failure { self?.setError("stdin", "stdin: \(failure)") }
            })
        stdinReader = reader
        reader.start()
    }
}
