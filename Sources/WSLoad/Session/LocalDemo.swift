import Foundation
import Logging

/// `wsload demo`: local reference pods behind a local affinity front, the same profile run twice —
/// the naive way (one source address, one shared cookie jar) and the wsload way (varied sources,
/// a jar per client) — with the pods' own log lines followed and matched.
public final class LocalDemo: @unchecked Sendable {
    /// Demo settings.
    public struct Options: Sendable {
        /// Number of local pods.
        public var pods: Int = 3
        /// The front's affinity policy.
        public var policy: AffinityPolicy = .cookie
        /// Where pod logs are written (nil: a temporary directory, removed afterwards).
        public var logDirectory: String?
        /// Hold override in seconds (nil: the profile's).
        public var hold: Double?
        /// Creates default options.
        public init() {}
    }

    /// The two runs.
    public struct Outcome: Sendable {
        /// One source address, one shared jar.
        public var naive: RunOutcome
        /// Varied source addresses, a jar per client.
        public var spread: RunOutcome
        /// Whether the demo showed what it should: the naive run pinned to one pod and failed its gate, the wsload run spread and passed.
        public var demonstrated: Bool {
            naive.report.statistics.podsHit == 1 && !naive.report.gate.passed && spread.report.gate.passed && spread.report.statistics.podsHit >= 2
        }
    }

    let options: Options
    let logger: Logger

    /// Creates a demo.
    public init(options: Options = Options(), logger: Logger = .discarding) {
        self.options = options
        self.logger = logger
    }

    /// Starts the pods and the front, runs both variants, stops everything.
    public func run(makeFeed: (_ logDirectory: String) throws -> (any ServerLogFeed)?) throws -> Outcome {
        let fm = FileManager.default
        let dir = options.logDirectory ?? (NSTemporaryDirectory() as NSString).appendingPathComponent("wsload-demo-\(getpid())")
        try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { if options.logDirectory == nil { try? fm.removeItem(atPath: dir) } }

        let started = try startPods(names: (0..<max(1, options.pods)).map { "ws-\($0)" }, dir: dir)
        defer { started.stop() }
        let pods = started.pods, backends = started.backends
        let front = AffinityFront(backends: backends, policy: options.policy)
        let frontAddress = try front.start(on: SocketAddress(ip: "127.0.0.1", port: 0)!)
        defer { front.stop() }
        logger.info(
            "demo: \(pods.count) pods (\(backends.map { "\($0.name) on \($0.address)" }.joined(separator: ", "))) behind a \(options.policy.rawValue)-affinity front on \(frontAddress)"
        )

        guard let yaml = BuiltinProfiles.yaml(named: "local-demo") else { throw PlanError("the built-in local-demo profile is missing") }
        var profile = try ProfileLoader.parse(yaml: yaml, file: "builtin:local-demo")
        profile.target.url = "ws://127.0.0.1:\(frontAddress.port)/ws"
        if let h = options.hold { profile.hold = .seconds(h) }
        let known = Dictionary(uniqueKeysWithValues: backends.map { ($0.name, 1.0) })

        var naiveProfile = profile
        naiveProfile.name = "local-demo (naive: one source address, one shared cookie jar)"
        naiveProfile.clients.sources = ["127.0.0.1"]
        naiveProfile.clients.cookies = .shared
        let naive = try runOnce(naiveProfile, known: known, dir: dir, makeFeed: makeFeed)
        // Let the pods log the closes before the second run takes its baseline.
        Thread.sleep(forTimeInterval: 0.3)
        var spreadProfile = profile
        spreadProfile.name = "local-demo (wsload: varied source addresses, a cookie jar per client)"
        let spread = try runOnce(spreadProfile, known: known, dir: dir, makeFeed: makeFeed)
        return Outcome(naive: naive, spread: spread)
    }

    func runOnce(_ profile: Profile, known: [String: Double], dir: String, makeFeed: (String) throws -> (any ServerLogFeed)?) throws
        -> RunOutcome
    {
        try profile.validate(requireURL: true)
        let plan = try RunPlanner.plan(from: profile)
        let thresholds = RunPlanner.thresholds(from: profile.gate, podCount: known.count)
        let context = ReportContext(
            profileName: profile.name, target: plan.url.description, knownPods: known,
            cookiePolicy: plan.cookiePolicy, thresholds: thresholds)
        logger.info("demo: running \(profile.name)")
        let coordinator = RunCoordinator(plan: plan, context: context, logFeed: try makeFeed(dir), logger: logger)
        return try coordinator.run(output: RunOutputOptions(formats: [.table], directory: nil, logSettleSeconds: 0.5))
    }
}

/// The demo's local pods, each appending its "Active connections" lines to DIR/NAME.log as `kubectl logs` would show them.
struct DemoPods {
    /// The running servers.
    var pods: [PodServer] = []
    /// Their names and addresses, for the front.
    var backends: [AffinityFront.Backend] = []
    fileprivate var writers: [FileLineWriter] = []

    /// Drains every pod and closes its log.
    func stop() {
        for p in pods { p.drain(timeout: 2) }
        for w in writers { w.close() }
    }
}

extension LocalDemo {
    /// Starts one reference pod per name on 127.0.0.1 (a free port each), logging into `dir`.
    func startPods(names: [String], dir: String) throws -> DemoPods {
        var started = DemoPods()
        do {
            for name in names {
                let writer = try FileLineWriter(path: (dir as NSString).appendingPathComponent("\(name).log"))
                started.writers.append(writer)
                let config = PodServerConfiguration(listen: SocketAddress(ip: "127.0.0.1", port: 0)!, podName: name, ioQueues: 1)
                let server = try PodServer(config, logger: .lines { writer.write($0) })
                let address = try server.start()
                started.pods.append(server)
                started.backends.append(.init(name: name, address: address))
            }
        } catch {
            started.stop()
            throw error
        }
        return started
    }
}

/// Appends lines to a file, serialised (the demo pods' log files).
final class FileLineWriter: @unchecked Sendable {
    private let handle: FileHandle
    private let lock = NSLock()

    init(path: String) throws {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        guard let h = FileHandle(forWritingAtPath: path) else { throw PlanError("cannot write \(path)") }
        handle = h
    }

    func write(_ line: String) {
        lock.lock(); defer { lock.unlock() }
        handle.seekToEndOfFile()
        handle.writeIfPossible(Data((line + "\n").utf8))
    }

    func close() { lock.lock(); defer { lock.unlock() }; try? handle.close() }
}
