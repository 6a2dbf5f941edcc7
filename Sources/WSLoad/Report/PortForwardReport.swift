import Foundation

/// Why a pod's ramp stopped.
public enum PortForwardStopReason: String, Sendable, Equatable, Hashable, Codable, CaseIterable {
    /// Every connection up to `target` opened.
    case targetReached = "target-reached"
    /// The pod refused upgrades with HTTP 503 (at capacity).
    case server503 = "server-503"
    /// Connecting to the forward's local port was refused while the forward kept running and accepting.
    case refused
    /// TCP connect or the upgrade did not finish within its timeout.
    case timeout
    /// The pod answered the upgrade with an HTTP status other than 101 and 503.
    case httpError = "http-error"
    /// The forward accepted the TCP connection but closed it before the upgrade completed
    /// (what `kubectl port-forward` does when it cannot reach the pod's port).
    case peerClosed = "peer-closed"
    /// Open connections were closed while the forward kept running.
    case dropped
    /// Another failure (see the detail).
    case error
    /// The forward process exited (or stopped accepting) more often than `restart.max_restarts` allowed.
    case forwardDied = "forward-died"
    /// The forward never accepted on its local port within `ready_timeout`, even after restarts.
    case notReady = "not-ready"
    /// wsload was interrupted (SIGINT/SIGTERM) before the pod's test finished.
    case interrupted

    /// True when the pod's limit (or target) was found: the forward itself did not fail.
    public var isClean: Bool { self != .forwardDied && self != .notReady && self != .interrupted }
}

/// One ramp step of one pod.
public struct PortForwardStep: Sendable, Equatable, Codable {
    /// Connections requested in this step.
    public var requested: Int
    /// How many opened.
    public var opened: Int
    /// How many failed.
    public var failed: Int
    /// Connections open after the step.
    public var openAfter: Int
    /// Seconds since the pod's test started, at the end of the step.
    public var at: Double
    /// Creates a step record.
    public init(requested: Int, opened: Int, failed: Int, openAfter: Int, at: Double) {
        self.requested = requested; self.opened = opened; self.failed = failed; self.openAfter = openAfter; self.at = at
    }
}

/// The result for one pod.
public struct PortForwardPodResult: Sendable, Equatable, Codable {
    /// Pod name.
    public var pod: String
    /// Local port the forward listened on.
    public var localPort: Int
    /// The forward argv (first start).
    public var command: [String]
    /// Most connections open at the same time through the forward: the capacity found (or reached).
    public var capacity: Int
    /// The target of the ramp.
    public var target: Int
    /// Why the ramp stopped.
    public var stopReason: PortForwardStopReason
    /// Details: the failures of the last step grouped by cause, or the forward's last words.
    public var stopDetail: String?
    /// Forward restarts (after an exit, or after it stopped accepting).
    public var restarts: Int
    /// Forward launches in total (1 + restarts, unless interrupted).
    public var starts: Int
    /// Seconds from starting the forward until its local port accepted, for the first start.
    public var readySeconds: Double?
    /// The same for every start that became ready.
    public var readyTimes: [Double]
    /// Successful upgrades in total (all ramps of this pod).
    public var handshakes: Int
    /// Failed connection attempts in total.
    public var failures: Int
    /// Failed attempts by cause (`upgrade: HTTP 503`, `tcp-connect: ECONNREFUSED`, …).
    public var failureBuckets: [String: Int]
    /// Upgrade latency (TCP connected → 101), percentiles in milliseconds.
    public var upgradeP50Ms: Double?, upgradeP99Ms: Double?, upgradeMaxMs: Double?
    /// TCP connect latency to the local port, median in milliseconds.
    public var tcpConnectP50Ms: Double?
    /// Connections that ended unexpectedly during the hold.
    public var droppedDuringHold: Int
    /// Seconds actually held (less than the plan when the forward died or wsload was interrupted).
    public var heldSeconds: Double
    /// The ramp steps.
    public var steps: [PortForwardStep]
    /// Last lines of the forward's output (stdout and the first line of stderr of each exit).
    public var forwardOutput: [String]
    /// How each forward process ended, in order.
    public var forwardExits: [String]
    /// Wall-clock seconds of this pod's test.
    public var elapsedSeconds: Double

    /// An empty result for `pod`.
    public init(pod: String, localPort: Int = 0, command: [String] = [], target: Int) {
        self.pod = pod; self.localPort = localPort; self.command = command; capacity = 0; self.target = target
        stopReason = .interrupted; stopDetail = nil; restarts = 0; starts = 0; readySeconds = nil; readyTimes = []
        handshakes = 0; failures = 0; failureBuckets = [:]; upgradeP50Ms = nil; upgradeP99Ms = nil; upgradeMaxMs = nil
        tcpConnectP50Ms = nil; droppedDuringHold = 0; heldSeconds = 0; steps = []; forwardOutput = []; forwardExits = []
        elapsedSeconds = 0
    }
}

/// The result of `wsload portforward`: one entry per pod. Separate from the distribution ``Report``.
public struct PortForwardReport: Sendable, Equatable, Codable {
    /// Format version of this JSON.
    public var schemaVersion: Int = 1
    /// Always `wsload.portforward`.
    public var kind: String = "wsload.portforward"
    /// wsload version.
    public var wsloadVersion: String = WSLoadVersion.string
    /// Profile name.
    public var profile: String
    /// Start time (RFC 3339).
    public var started: String
    /// Wall-clock seconds of the whole run.
    public var durationSeconds: Double
    /// The settings used.
    public var settings: Settings
    /// One result per pod, in the order the pods were given.
    public var pods: [PortForwardPodResult]
    /// True when SIGINT/SIGTERM stopped the run early.
    public var interrupted: Bool

    /// The settings of the run.
    public struct Settings: Sendable, Equatable, Codable {
        /// The forward command template.
        public var command: [String]
        /// Substituted for `{namespace}`.
        public var namespace: String
        /// Substituted for `{remotePort}`.
        public var remotePort: Int?
        /// URL path on the forwarded port.
        public var path: String
        /// Connections per pod to ramp to.
        public var target: Int
        /// Connections added per step.
        public var step: Int
        /// Pause between steps.
        public var stepIntervalSeconds: Double
        /// Planned hold.
        public var holdSeconds: Double
        /// Pods tested at the same time.
        public var parallel: Bool
        /// Wait for a forward's port to accept.
        public var readyTimeoutSeconds: Double
        /// Restart policy.
        public var restart: PortForwardBackoff
        /// `--min-capacity`, if given.
        public var minCapacity: Int?
        /// With `portforward.tls`: what the pods' certificates were verified against, or that `--insecure` was on
        /// (absent for `ws://`).
        public var tls: TLSVerificationSummary?

        /// The settings of `plan`.
        public init(_ plan: PortForwardPlan) {
            command = plan.command.arguments; namespace = plan.namespace; remotePort = plan.remotePort; path = plan.path
            target = plan.target; step = plan.step; stepIntervalSeconds = plan.stepInterval; holdSeconds = plan.hold
            parallel = plan.parallel; readyTimeoutSeconds = plan.readyTimeout; restart = plan.restart; minCapacity = plan.minCapacity
            tls = plan.tls.map { TLSVerificationSummary(identity: plan.tlsIdentity, configuration: $0) }
        }
    }

    /// Creates a report.
    public init(
        profile: String, started: String, durationSeconds: Double, settings: Settings, pods: [PortForwardPodResult],
        interrupted: Bool
    ) {
        self.profile = profile; self.started = started; self.durationSeconds = durationSeconds; self.settings = settings
        self.pods = pods; self.interrupted = interrupted
    }

    /// Pods that fail the run: the forward kept dying / never became ready, nothing got through,
    /// or the capacity is below `minCapacity`; with the reason.
    public var failingPods: [(pod: String, why: String)] {
        pods.compactMap { p in
            switch p.stopReason {
            case .forwardDied: return (p.pod, "the forward kept dying (\(p.restarts) restarts)")
            case .notReady: return (p.pod, "the forward never accepted on its local port")
            case .interrupted: return nil
            default: break
            }
            if p.capacity == 0 { return (p.pod, "no connection got through (\(p.stopReason.rawValue))") }
            if let min = settings.minCapacity, p.capacity < min { return (p.pod, "capacity \(p.capacity) is below --min-capacity \(min)") }
            return nil
        }
    }

    /// 3 when interrupted, 1 when a pod fails (``failingPods``), else 0.
    public var exitCode: ExitCode {
        if interrupted { return .runIncomplete }
        return failingPods.isEmpty ? .passed : .gateFailed
    }

    /// Pretty-printed JSON with sorted keys.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// The terminal table: one row per pod, then the failing pods.
    public func renderTable() -> String {
        var table = TextTable(
            headers: ["pod", "port", "capacity", "target", "stop reason", "restarts", "ready", "upgrade p50", "p99", "failures"],
            alignments: [.left, .right, .right, .right, .left, .right, .right, .right, .right, .right])
        func ms(_ v: Double?) -> String { v.map { String(format: $0 < 10 ? "%.2f ms" : "%.1f ms", $0) } ?? "–" }
        for p in pods {
            table.rows.append([
                p.pod, p.localPort == 0 ? "–" : String(p.localPort), String(p.capacity), String(p.target),
                p.stopReason.rawValue, String(p.restarts),
                p.readySeconds.map { String(format: "%.0f ms", $0 * 1000) } ?? "–",
                ms(p.upgradeP50Ms), ms(p.upgradeP99Ms), String(p.failures),
            ])
        }
        var lines = [
            "wsload portforward: \(profile), \(pods.count) pod\(pods.count == 1 ? "" : "s"), target \(settings.target) in steps of \(settings.step)"
                + (settings.parallel ? ", in parallel" : ", one after another") + String(format: ", %.1f s", durationSeconds)
        ]
        if let tls = settings.tls { lines.append("tls " + tls.line) }
        lines += table.lines()
        for p in pods {
            if let detail = p.stopDetail { lines.append("  \(p.pod): \(p.stopReason.rawValue): \(detail)") }
            if p.droppedDuringHold > 0 { lines.append("  \(p.pod): \(p.droppedDuringHold) connections dropped during the hold") }
        }
        if interrupted { lines.append("interrupted: results are partial") }
        let failing = failingPods
        if failing.isEmpty {
            if !interrupted { lines.append("result: every pod reached its target or found its limit cleanly") }
        } else {
            for f in failing { lines.append("FAIL \(f.pod): \(f.why)") }
        }
        return lines.joined(separator: "\n")
    }
}

/// Nearest-rank percentiles.
enum Percentile {
    static func of(_ sorted: [Double], _ p: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}
