import Foundation
import Logging

/// One whole `run`: the plan, the worker/shard split, pod discovery, server-log following, and the run itself in
/// this process (``RunCoordinator``) or over worker processes (``WorkerPool``, merged by ``ReportMerger``); returns
/// one ``RunSession/Outcome``. Callers parse, apply flag overrides to the profile, validate it, then:
/// `init` (plans) → ``prepare()`` (split, discovery, log feed: nothing has connected yet) → ``run(progress:progressDone:)``;
/// ``stop()`` (SIGINT/SIGTERM) ends the run early with a partial report.
public final class RunSession: @unchecked Sendable {
    /// What to run and where its outputs go.
    public struct Request: Sendable {
        /// The profile, flag overrides applied and validated.
        public var profile: Profile
        /// Where the profile came from (named in errors).
        public var profileFile: String
        /// Pods expected besides the profile's (`--pod`).
        public var extraPods: [String] = []
        /// Run only this shard (`--shard`).
        public var shard: ShardSpec?
        /// Worker processes asked for (`--workers`; nil: as many as the descriptor limit requires).
        public var workers: Int?
        /// Report formats.
        public var formats: [ReportFormat] = [.table]
        /// Directory for report files and `connections.jsonl` (nil: none).
        public var outputDirectory: String?
        /// No progress lines (the worker pid lines and lost workers are still told).
        public var quiet = false
        /// Serve `GET /metrics` (the run's live counts) here while the run goes (`--metrics-listen`; one process only).
        public var metricsListen: SocketAddress?
        /// This machine's limits (the split depends on them).
        public var budget: ResourceBudget = .current()
        /// The machine-wide limits checked before anything connects (file handles, memory, ports summed over
        /// workers, accept backlog); nil: read from /proc when the run is prepared.
        public var machineLimits: MachineLimits? = nil
        /// Runs the discovery command.
        public var runner = CommandRunner()
        /// The executable started for each worker (`EXE run --worker-ipc DIR --shard i/N`).
        public var workerExecutable: String = WorkerPool.executablePath()

        /// Creates a request.
        public init(profile: Profile, profileFile: String) { self.profile = profile; self.profileFile = profileFile }
    }

    /// A finished run.
    public struct Outcome: Sendable {
        /// The report (merged over the workers when split).
        public var report: Report
        /// Files written into the output directory.
        public var files: [String]
        /// The exit code: the gate's verdict, or 3 when interrupted or a worker was lost.
        public var exitCode: ExitCode
        /// Processes the run used (1: this one).
        public var workers: Int
    }

    /// Pods, thresholds, log feed and report context, decided before anything connects.
    struct Prepared {
        var split: RunSplit
        var known: [String: Double]
        var weights: [String: Double]?
        var thresholds: GateThresholds
        var feed: (any ServerLogFeed)?
        var metricsFeed: ServerMetricsFeed? = nil
        var context: ReportContext
        var notes: [String]
    }

    /// The request.
    public let request: Request
    /// The plan (its `shard` set for `--shard`).
    public let plan: RunPlan
    private var prepared: Prepared?
    let logger: Logger
    let state = Locked(StopState())

    struct StopState {
        var interrupted = false
        var coordinator: RunCoordinator?
        var pool: WorkerPool?
    }

    /// Plans `request.profile`; `logger` gets the lines for the operator (the CLI prints them on standard error).
    public init(_ request: Request, logger: Logger) throws(RunSessionError) {
        self.request = request
        self.logger = logger
        var plan: RunPlan
        do { plan = try RunPlanner.plan(from: request.profile) } catch { throw RunSessionError(.usageError, "\(request.profileFile): \(error)") }
        plan.shard = request.shard
        self.plan = plan
    }

    /// Decides the split, discovers the pods, and creates the server-log feed; returns the split.
    @discardableResult
    public func prepare() throws(RunSessionError) -> RunSplit {
        if let prepared { return prepared.split }
        let profile = request.profile
        let split = try RunSplit.decide(plan: plan, requestedWorkers: request.workers, budget: request.budget)
        // A shard is one part of a run spread over machines: its own process checks what it opens.
        let findings =
            plan.shard == nil
            ? (request.machineLimits ?? .current(portsPerPair: request.budget.portsPerPair)).check(plan, workers: split.workers) : []
        if let error = findings.first(where: \.isError) {
            let more = findings.filter(\.isError).dropFirst().map { "; also " + $0.limit + ": " + $0.message }.joined()
            throw RunSessionError(.usageError, "\(request.profileFile): this machine cannot hold the run: \(error.limit): \(error.message)\(more)")
        }
        var known = Dictionary(profile.pods.staticPods.map { ($0.name, $0.weight) }, uniquingKeysWith: { a, _ in a })
            .merging(request.extraPods.map { ($0, 1.0) }, uniquingKeysWith: { a, _ in a })
        var notes: [String] = []
        do {
            // Pods from `kubectl get pods -o json` (or the profile's command template), before anything connects.
            if let found = try profile.discoverPods(runner: request.runner) {
                for p in found where known[p.name] == nil { known[p.name] = 1 }
                let notReady = found.filter { !$0.ready }.map(\.name)
                notes.append(
                    "Discovered \(found.count) pods (\(found.map(\.name).joined(separator: ", ")))\(notReady.isEmpty ? "" : "; not ready: \(notReady.joined(separator: ", "))")."
                )
                let restarted = found.filter { $0.restartCount > 0 }
                if !restarted.isEmpty {
                    notes.append("Pods with restarts: \(restarted.map { "\($0.name) (\($0.restartCount))" }.joined(separator: ", ")).")
                }
            }
        } catch {
            throw RunSessionError(.runIncomplete, "\(request.profileFile): pods.discovery: \(error)")
        }
        let weights = profile.expected.weights.isEmpty ? nil : profile.expected.weights
        let thresholds = RunPlanner.thresholds(from: profile.gate, podCount: max(known.count, weights?.count ?? 0))
        let feed: (any ServerLogFeed)?
        do { feed = try LogFeedFactory.make(profile: profile, runStart: Date(), pods: known.isEmpty ? nil : known.keys.sorted()) } catch {
            throw RunSessionError(.usageError, "\(request.profileFile): server_logs: \(error)")
        }
        let metricsFeed: ServerMetricsFeed?
        do { metricsFeed = try ServerMetricsFeedFactory.make(profile: profile, pods: known.keys.sorted()) } catch {
            throw RunSessionError(.usageError, "\(request.profileFile): \(error)")
        }
        var context = ReportContext(
            profileName: profile.name, target: plan.url.description, knownPods: known, weights: weights,
            serverLogsConfigured: feed != nil, cookiePolicy: plan.cookiePolicy,
            singlePodTarget: RunPlanner.singlePodTarget(profile), thresholds: thresholds, notes: notes)
        context.warnings += findings.map { "\($0.limit): \($0.message)" }
        if plan.url.isTLS { context.tls = TLSVerificationSummary(identity: plan.tlsIdentity, configuration: plan.tls) }
        prepared = Prepared(
            split: split, known: known, weights: weights, thresholds: thresholds, feed: feed, metricsFeed: metricsFeed,
            context: context, notes: notes)
        return split
    }

    /// Runs (preparing first if needed): `progress` gets the engine's (or the workers' aggregated) snapshots,
    /// `progressDone` is called when no more come.
    public func run(progress: (@Sendable (EngineSnapshot) -> Void)? = nil, progressDone: @escaping () -> Void = {}) throws(RunSessionError) -> Outcome
    {
        try prepare()
        guard let prepared else { throw RunSessionError(.runIncomplete, "the run was not prepared") }
        if prepared.split.workers > 1 {
            if request.metricsListen != nil {
                logger.warning("wsload: --metrics-listen serves a run in one process only; not served with \(prepared.split.workers) workers")
            }
            if prepared.metricsFeed != nil {
                logger.warning("wsload: server_metrics are read by a run in one process only; not read with \(prepared.split.workers) workers")
            }
            return try runWorkers(prepared, progress: progress, progressDone: progressDone)
        }
        return try runHere(prepared, progress: progress, progressDone: progressDone)
    }

    /// Ends the run early (SIGINT/SIGTERM): the engine or every worker closes its connections and a partial report
    /// follows; a second call on a split run kills the workers.
    public func stop() {
        let (coordinator, pool) = state.withLock { s in
            s.interrupted = true
            return (s.coordinator, s.pool)
        }
        coordinator?.stop()
        pool?.interrupt()
    }

    private func runHere(_ prepared: Prepared, progress: (@Sendable (EngineSnapshot) -> Void)?, progressDone: () -> Void) throws(RunSessionError)
        -> Outcome
    {
        let quiet = request.quiet
        // --quiet: the engine's progress lines are left out (its warnings are in the report).
        var engineLogger = logger
        if quiet { engineLogger.logLevel = .critical }
        let coordinator = RunCoordinator(
            plan: plan, context: prepared.context, logFeed: prepared.feed, metricsFeed: prepared.metricsFeed,
            logger: engineLogger)
        coordinator.eventRunner = request.runner
        var metricsServer: MetricsHTTPServer?
        if let listen = request.metricsListen {
            let name = request.profile.name
            do {
                metricsServer = try MetricsHTTPServer(address: listen) { [weak coordinator] format in
                    RunMetricsExposition.render(coordinator?.liveMetrics(), run: name, format: format)
                }
            } catch { throw RunSessionError(.usageError, "--metrics-listen: \(error.message)") }
            if !quiet { logger.info("wsload: serving the run's metrics on http://\(metricsServer!.address)/metrics") }
        }
        defer { metricsServer?.stop() }
        if state.withLock({ s in
            s.coordinator = coordinator; return s.interrupted
        }) {
            coordinator.stop()
        }
        if !quiet {
            logger.info(
                "wsload: \(request.profile.name): \(Plural.of(plan.totalConnections, "connection")) (\(Plural.of(plan.clients, "client")) × \(plan.connectionsPerClient)) to \(Redaction.redactURL(plan.url.description)) from \(plan.sources.isEmpty ? "the default source address" : Plural.of(plan.sources.count, "source address")), cookies \(plan.cookiePolicy.rawValue), hold \(plan.hold) s"
            )
        }
        let outcome: RunOutcome
        do {
            outcome = try coordinator.run(
                output: RunOutputOptions(formats: request.formats, directory: request.outputDirectory),
                progressInterval: progress == nil ? 0 : 0.25, progress: progress)
        } catch let e as PlanError {
            throw RunSessionError(.usageError, e.description)
        } catch {
            throw RunSessionError(.runIncomplete, "\(error)")
        }
        progressDone()
        return Outcome(report: outcome.report, files: outcome.files, exitCode: outcome.exitCode, workers: 1)
    }
}
