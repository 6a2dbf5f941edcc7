import ArgumentParser
import Foundation
import WSLoad

/// `wsload run` (the default): a profile-driven run with a report and a gate.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Open connections from virtual clients, hold them, and report how they spread across pods (default command).",
        discussion: """
        Flags override the profile's fields. Exit codes: 0 gate passed, 1 gate failed, 2 usage or \
        configuration error, 3 the run could not complete (interrupted: a partial report is still written).

        Examples:
          wsload --profile ingress-20conns --url wss://ws.example.com/ws
          wsload run --url ws://127.0.0.1:8080/ws --clients 4 \\
            --connections-per-client 5 --hold 10s
          wsload run --profile service-clientip --url ws://10.96.0.10/ws \\
            --format junit --out out/
          wsload run --url ws://127.0.0.1:8080/ws --connections 20 \\
            --source 127.0.0.2-127.0.0.21 --cookies none --max-skew 50
          wsload run --profile ci-skew-gate --url ws://10.96.0.10/ws \\
            --connections 60000 --source 10.245.0.0/24 --workers 4
          wsload run --profile service-clientip --url ws://10.96.0.10/ws \\
            --shard 0/3 --format json --out s0/

        The last two: four worker processes on this machine with one merged report; one third of the \
        clients (`wsload merge` the shards' report.json).

        One process holds at most its file-descriptor limit (minus a reserve) of connections; beyond that \
        `run` splits itself over worker processes automatically (see docs/distributed.md).
        """
    )

    @OptionGroup var options: RunOptions

    func run() throws {
        Process.ignoreBrokenPipe()
        let code = try options.execute()
        if code != .passed { throw CLIError(exitCode: code, message: code == .gateFailed ? "gate failed" : "run incomplete") }
    }
}

/// The options of `run`, shared with the root command so `wsload --profile X` works.
struct RunOptions: ParsableArguments {
    @Option(name: .customLong("profile"), help: "Profile name (profiles/NAME.yaml, $WSLOAD_PROFILES, built-in) or path.",
            completion: .profileNames)
    var profileName: String?
    @Option(help: "Target URL (ws://, wss://).")
    var url: String?
    @Option(help: "Virtual clients.")
    var clients: Int?
    @Option(help: "Connections per virtual client.")
    var connectionsPerClient: Int?
    @Option(help: "Total connections, one virtual client each (instead of --clients/--connections-per-client).")
    var connections: Int?
    @Option(name: .customLong("source"), help: "Source addresses: address, range a-b, CIDR, or interface:NAME (repeatable).")
    var sources: [String] = []
    @Option(help: "Cookie policy: none, shared, per-client, per-connection.")
    var cookies: CookiePolicy?
    @Option(help: "How long to hold the connections (e.g. 30s, 2m).")
    var hold: DurationArgument?
    @Option(help: "Connection attempts per second.")
    var rate: Double?
    @Option(help: "Most handshakes in flight at once.")
    var maxInFlight: Int?
    @Option(name: .customLong("format"), help: "Output format: table, json, junit, markdown, svg, html (repeatable).")
    var formats: [ReportFormat] = []
    @Option(help: "Directory for report files and connections.jsonl.")
    var out: String?
    @Flag(help: "No progress output; the report still prints.")
    var quiet = false
    @Option(help: "Gate: largest allowed deviation from the expected share, in percent.")
    var maxSkew: Double?
    @Option(help: "Gate: at least this many pods must receive connections.")
    var minPodsHit: Int?
    @Option(help: "Gate: most failed connection attempts allowed.")
    var maxFailed: Int?
    @Option(help: "Gate: most connections allowed to drop after the 101 (default 0 whenever a gate is set).")
    var maxDropped: Int?
    @Flag(help: "Gate: every pod's log delta must equal wsload's count.")
    var requireLogMatch = false
    @Option(name: .customLong("log-file"), help: "Server log of one pod, POD=PATH (repeatable).")
    var logFiles: [String] = []
    @Option(help: "Directory of server logs named after pods.")
    var logDir: String?
    @Option(name: .customLong("pod"), help: "A pod expected to receive connections (repeatable; default: pods seen).")
    var pods: [String] = []
    @Flag(help: "Offer permessage-deflate.")
    var deflate = false
    @Flag(help: "Do not verify the server certificate (wss://).")
    var insecure = false
    @Option(help: "PEM bundle of CAs to trust (wss://).")
    var caFile: String?
    @Option(help: "Run only shard i of N (0-based): the virtual clients with client % N == i; merge the reports with `wsload merge`.")
    var shard: ShardSpec?
    @Option(help: "Worker processes on this machine (default: as many as the file-descriptor limit requires, usually 1).")
    var workers: Int?
    @Flag(help: "Also print the JSON report on standard output between WSLOAD-REPORT-BEGIN and WSLOAD-REPORT-END lines (for `wsload collect`).")
    var emitReportJson = false
    @Option(help: .hidden)
    var workerIpc: String?

    /// Loads the profile, applies flags, validates, runs, prints and writes the report; returns the exit code.
    func execute(defaultProfile: String? = nil) throws -> WSLoad.ExitCode {
        let cwd = FileManager.default.currentDirectoryPath
        var profile: Profile
        var profileFile = "<command line>"
        // A worker of `run --workers` runs the plan its parent wrote: no profile here.
        if let dir = workerIpc { return try executeWorker(directory: dir) }
        if let name = profileName ?? defaultProfile {
            do {
                let loaded = try ProfileLoader.load(name: name, workingDirectory: cwd, environment: ProcessInfo.processInfo.environment)
                profile = loaded.profile
                profileFile = loaded.path
            } catch { throw CLIError(exitCode: .usageError, message: error.description) }
        } else {
            profile = Profile()
            profile.origin = profileFile
            profile.name = "adhoc"
            profile.hold = .seconds(10)
        }
        do {
            try overrides.apply(to: &profile)
            try profile.validate(requireURL: true)
            // Every source address must be bindable here before anything connects (AnyIP routes count).
            try profile.checkSourcesBindable()
        } catch {
            throw CLIError(exitCode: .usageError, message: error.description)
        }
        var plan: RunPlan
        do { plan = try RunPlanner.plan(from: profile) } catch { throw CLIError(exitCode: .usageError, message: "\(profileFile): \(error)") }
        plan.shard = shard
        warnIfInsecure(url: plan.url, tls: plan.tls)  // once per run: workers stay quiet
        if let workers, workers < 1 { throw CLIError(exitCode: .usageError, message: "--workers \(workers): expected 1 or more") }
        if shard != nil, let workers, workers > 1 {
            throw CLIError(exitCode: .usageError, message: "--shard and --workers do not combine: a shard runs in one process (run more shards instead)")
        }
        // One process holds at most its fd budget of connections: split over worker processes when needed.
        var workerCount = 1
        var splitNote: String?
        if shard == nil {
            let budget = ResourceBudget.current()
            guard let needed = WorkerPool.workersNeeded(plan: plan, budget: budget) else {
                throw CLIError(exitCode: .usageError, message: "one virtual client opens \(plan.connectionsPerClient) connections but one process may open only "
                               + "\(budget.fdSoftLimit - plan.fdReserve) (file-descriptor limit \(budget.fdSoftLimit)); use more clients with fewer connections each")
            }
            workerCount = max(workers ?? 1, needed)
            if needed > 1 {
                splitNote = "The plan needs \(plan.totalConnections) connections but one process may open only \(budget.fdSoftLimit - plan.fdReserve) "
                    + "(file-descriptor limit \(budget.fdSoftLimit) minus a reserve of \(plan.fdReserve)): the run was split over \(workerCount) worker processes."
            }
        }
        var known = Dictionary(profile.pods.staticPods.map { ($0.name, $0.weight) }, uniquingKeysWith: { a, _ in a })
            .merging(pods.map { ($0, 1.0) }, uniquingKeysWith: { a, _ in a })
        var discoveryNotes: [String] = []
        if let d = profile.pods.discovery {
            // Pods from `kubectl get pods -o json` (or the profile's command template), before anything connects.
            let discovery = PodDiscovery(namespace: d.namespace, selector: d.selector, template: CommandTemplate(d.command))
            do {
                let found = try discovery.discover()
                for p in found where known[p.name] == nil { known[p.name] = 1 }
                let notReady = found.filter { !$0.ready }.map(\.name)
                discoveryNotes.append("Discovered \(found.count) pods (\(found.map(\.name).joined(separator: ", ")))\(notReady.isEmpty ? "" : "; not ready: \(notReady.joined(separator: ", "))").")
                let restarted = found.filter { $0.restartCount > 0 }
                if !restarted.isEmpty { discoveryNotes.append("Pods with restarts: \(restarted.map { "\($0.name) (\($0.restartCount))" }.joined(separator: ", ")).") }
            } catch {
                throw CLIError(exitCode: .runIncomplete, message: "\(profileFile): pods.discovery: \(error)")
            }
        }
        let weights = profile.expected.weights.isEmpty ? nil : profile.expected.weights
        let thresholds = RunPlanner.thresholds(from: profile.gate, podCount: max(known.count, weights?.count ?? 0))
        let feed: ServerLogFeed?
        do { feed = try LogFeedFactory.make(profile: profile, runStart: Date(), pods: known.isEmpty ? nil : known.keys.sorted()) } catch {
            throw CLIError(exitCode: .usageError, message: "\(profileFile): server_logs: \(error)")
        }
        var context = ReportContext(profileName: profile.name, target: plan.url.description, knownPods: known, weights: weights,
                                    serverLogsConfigured: feed != nil, cookiePolicy: plan.cookiePolicy,
                                    singlePodTarget: RunPlanner.singlePodTarget(profile), thresholds: thresholds, notes: discoveryNotes)
        if plan.url.isTLS { context.tls = TLSVerificationSummary(identity: plan.tlsIdentity, configuration: plan.tls) }
        let formats = formats.isEmpty ? profile.output.formats.compactMap { ReportFormat(rawValue: $0.rawValue) } : formats
        let outDir = out ?? profile.output.out
        if workerCount > 1 {
            // Each worker's own report: the profile's static pods, no server logs, no notes (the parent merges).
            let staticPods = Dictionary(profile.pods.staticPods.map { ($0.name, $0.weight) }, uniquingKeysWith: { a, _ in a })
            var workerContext = context
            workerContext.knownPods = staticPods
            workerContext.serverLogsConfigured = false
            workerContext.notes = []
            workerContext.thresholds = RunPlanner.thresholds(from: profile.gate, podCount: max(staticPods.count, weights?.count ?? 0))
            let run = WorkerRun(profileName: profile.name, plan: plan, workerContext: workerContext, workers: workerCount, known: known,
                                weights: weights, thresholds: thresholds,
                                feed: feed, notes: discoveryNotes + [splitNote].compactMap { $0 }, formats: formats, outDir: outDir,
                                quiet: quiet, emitReportJson: emitReportJson)
            return try run.execute()
        }
        let stderr = LineWriter.standardError
        let coordinator = RunCoordinator(plan: plan, context: context, logFeed: feed) { line in if !quiet { stderr.write(line) } }
        let signals = SignalWatcher([SIGINT, SIGTERM]) { _ in coordinator.stop() }
        defer { signals.cancel() }
        let progress = quiet ? nil : ProgressPrinter(planned: plan.totalConnections, hold: plan.hold)
        if !quiet {
            stderr.write("wsload: \(profile.name): \(Plural.of(plan.totalConnections, "connection")) (\(Plural.of(plan.clients, "client")) × \(plan.connectionsPerClient)) to \(Redaction.redactURL(plan.url.description)) from \(plan.sources.isEmpty ? "the default source address" : Plural.of(plan.sources.count, "source address")), cookies \(plan.cookiePolicy.rawValue), hold \(plan.hold) s")
        }
        let outcome: RunOutcome
        do {
            var callback: (@Sendable (EngineSnapshot) -> Void)?
            if let progress { callback = { snapshot in progress.update(snapshot) } }
            outcome = try coordinator.run(output: RunOutputOptions(formats: formats, directory: outDir),
                                          progressInterval: callback == nil ? 0 : 0.25, progress: callback)
        } catch let e as PlanError {
            throw CLIError(exitCode: .usageError, message: e.description)
        } catch {
            throw CLIError(exitCode: .runIncomplete, message: "\(error)")
        }
        progress?.finish()
        let colour = isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        let shown = formats.filter { $0 == .table || $0 == .markdown || (outDir == nil && $0 != .table) }
        for f in (shown.isEmpty ? [.table] : shown) { print(f.render(outcome.report, colour: colour && f == .table)) }
        if !outcome.files.isEmpty, !quiet { stderr.write("wsload: wrote \(outcome.files.joined(separator: ", "))") }
        if emitReportJson { ReportMarkers.print(outcome.report) }
        return outcome.exitCode
    }

    /// The flags that override profile fields.
    var overrides: ProfileOverrides {
        var o = ProfileOverrides()
        o.url = url; o.clients = clients; o.connectionsPerClient = connectionsPerClient; o.connections = connections
        o.sources = sources; o.cookies = cookies; o.hold = hold?.seconds; o.rate = rate; o.maxInFlight = maxInFlight
        o.maxSkew = maxSkew; o.minPodsHit = minPodsHit; o.maxFailed = maxFailed; o.maxDropped = maxDropped; o.requireLogMatch = requireLogMatch
        o.deflate = deflate; o.insecure = insecure; o.caFile = caFile; o.logFiles = logFiles; o.logDir = logDir
        return o
    }
}

extension CookiePolicy: ExpressibleByArgument {}
extension ShardSpec: ExpressibleByArgument {
    public init?(argument: String) { self.init(parsing: argument) }
}
extension ReportFormat: ExpressibleByArgument {}
