import Dispatch
import Foundation

/// Something that happened during `wsload portforward`, for progress output and tests.
public enum PortForwardEvent: Sendable, Equatable {
    /// A forward was launched (`attempt` 0 is the first start).
    case forwardStarted(pod: String, pid: Int32, localPort: Int, attempt: Int)
    /// Its local port accepted after `seconds`.
    case forwardReady(pod: String, seconds: Double)
    /// It exited or stopped accepting; `detail` says how.
    case forwardDied(pod: String, detail: String)
    /// It will be restarted after `delay` seconds.
    case restarting(pod: String, restart: Int, delay: Double)
    /// A ramp step finished with `open` connections open.
    case step(pod: String, open: Int, failed: Int)
    /// The ramp stopped; the hold starts.
    case holding(pod: String, open: Int, reason: PortForwardStopReason)
    /// The pod's test is complete.
    case finished(pod: String, capacity: Int, reason: PortForwardStopReason)
}

/// Runs per-pod port-forward capacity checks: for each pod, start the forward, wait until its local port accepts,
/// ramp WebSocket connections through it in steps until `target` or the first failing step, hold, close.
///
/// Forwards that exit (or stop accepting) are restarted with capped exponential backoff and jitter; the ramp then
/// starts again from zero. Every forward — and every process in its process group — is stopped before ``run()``
/// returns, also after ``cancel()``.
public final class PortForwardRunner: @unchecked Sendable {
    /// The plan.
    public let plan: PortForwardPlan
    /// The pods, in order.
    public let pods: [String]
    private let runner: CommandRunner
    private let onEvent: @Sendable (PortForwardEvent) -> Void
    private let token = CancelToken()
    private let started = Locked<[Int32]>([])
    private let profileName: String

    /// Prepares a run; nothing starts until ``run()``.
    public init(
        plan: PortForwardPlan, pods: [String], profileName: String = "portforward", runner: CommandRunner = CommandRunner(),
        onEvent: @escaping @Sendable (PortForwardEvent) -> Void = { _ in }
    ) {
        self.plan = plan
        self.pods = pods
        self.profileName = profileName
        self.runner = runner
        self.onEvent = onEvent
    }

    /// Every forward process id started so far (each is also the id of its process group).
    public var startedProcessIDs: [Int32] { started.current }

    /// Stops the run: ramps end, connections close, forwards stop; ``run()`` returns a partial report.
    public func cancel() { token.cancel() }

    /// Whether ``cancel()`` was called.
    public var isCancelled: Bool { token.isCancelled }

    /// Runs every pod (one after another, or all at once with `plan.parallel`) and returns the report.
    public func run() -> PortForwardReport {
        let startDate = Date()
        let start = DispatchTime.now()
        var ports: [UInt16?] = []
        for i in pods.indices {
            ports.append(plan.localPortBase > 0 ? UInt16(clamping: plan.localPortBase + i) : nil)
        }
        var results = pods.map { PortForwardPodResult(pod: $0, target: plan.target) }
        if plan.parallel {
            let collected = Locked<[Int: PortForwardPodResult]>([:])
            var threads: [Thread] = []
            let group = DispatchGroup()
            for (i, pod) in pods.enumerated() {
                group.enter()
                let port = ports[i]
                let thread = Thread { [self] in
                    let r = PodForwardTest(runner: self, pod: pod, fixedPort: port).run()
                    collected.withLock { $0[i] = r }
                    group.leave()
                }
                thread.name = "wsload.portforward.\(pod)"
                threads.append(thread)
                thread.start()
            }
            group.wait()
            for (i, r) in collected.current { results[i] = r }
        } else {
            for (i, pod) in pods.enumerated() where !token.isCancelled {
                results[i] = PodForwardTest(runner: self, pod: pod, fixedPort: ports[i]).run()
            }
        }
        runner.stop(grace: 1)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        return PortForwardReport(
            profile: profileName, started: Timestamp.rfc3339(startDate), durationSeconds: seconds,
            settings: .init(plan), pods: results, interrupted: token.isCancelled)
    }

    // MARK: For PodForwardTest

    fileprivate var cancelToken: CancelToken { token }
    fileprivate var commandRunner: CommandRunner { runner }
    fileprivate func emit(_ event: PortForwardEvent) { onEvent(event) }
    fileprivate func recordStart(_ pid: Int32) { started.withLock { $0.append(pid) } }
}

/// The test of one pod, on its own thread.
private final class PodForwardTest {
    private let owner: PortForwardRunner
    private let plan: PortForwardPlan
    private let pod: String
    private let fixedPort: UInt16?
    private var result: PortForwardPodResult
    private var forward: ForwardProcess?
    private var forwards: [ForwardProcess] = []
    private var localPort: UInt16 = 0
    private let begin = DispatchTime.now()
    private var lastFailure: (reason: PortForwardStopReason, detail: String)?
    private var cancel: CancelToken { owner.cancelToken }

    init(runner: PortForwardRunner, pod: String, fixedPort: UInt16?) {
        owner = runner
        plan = runner.plan
        self.pod = pod
        self.fixedPort = fixedPort
        result = PortForwardPodResult(pod: pod, target: runner.plan.target)
    }

    private var elapsed: Double { Double(DispatchTime.now().uptimeNanoseconds - begin.uptimeNanoseconds) / 1e9 }

    func run() -> PortForwardPodResult {
        execute()
        forward?.stop()
        for f in forwards { _ = ForwardProcess.killRemnants(of: f.pid) }
        result.elapsedSeconds = elapsed
        owner.emit(.finished(pod: pod, capacity: result.capacity, reason: result.stopReason))
        return result
    }

    /// The test; fills `result` (also in its deferred clean-up).
    private func execute() {
        guard let port = fixedPort ?? TCPProbe.freePort(ip: plan.localHost) else {
            result.stopReason = .error
            result.stopDetail = "no free local port on \(plan.localHost)"
            return
        }
        localPort = port
        result.localPort = Int(port)
        if let argv = try? plan.argv(pod: pod, localPort: port) { result.command = argv }
        let pool: ForwardConnectionPool
        do { pool = try ForwardConnectionPool(plan: plan, port: port, label: "wsload.portforward.\(pod)") } catch {
            result.stopReason = .error
            result.stopDetail = "\(error)"
            return
        }
        defer {
            pool.closeAll(timeout: min(plan.closeTimeout, cancel.isCancelled ? 1 : plan.closeTimeout))
            pool.shutdown()
            collect(pool)
        }
        guard bringUp(restart: false) else {
            finishWithFailure()
            return
        }
        let reason = ramp(pool)
        result.stopReason = reason.reason
        result.stopDetail = reason.detail
        if reason.reason != .forwardDied, reason.reason != .notReady, !cancel.isCancelled {
            owner.emit(.holding(pod: pod, open: pool.openCount, reason: reason.reason))
            hold(pool)
        }
        return
    }

    private func collect(_ pool: ForwardConnectionPool) {
        let totals = pool.totals
        result.capacity = max(result.capacity, pool.maxOpen)
        result.handshakes = totals.handshakes
        result.failures = totals.failures
        result.failureBuckets = totals.buckets
        let upgrades = totals.upgrades.sorted()
        result.upgradeP50Ms = Percentile.of(upgrades, 50).map { $0 * 1000 }
        result.upgradeP99Ms = Percentile.of(upgrades, 99).map { $0 * 1000 }
        result.upgradeMaxMs = upgrades.last.map { $0 * 1000 }
        result.tcpConnectP50Ms = Percentile.of(totals.tcp.sorted(), 50).map { $0 * 1000 }
        var lines: [String] = []
        for f in forwards { lines += f.outputTail }
        result.forwardOutput = Array(lines.suffix(ForwardProcess.keptLines))
    }

    private func finishWithFailure() {
        if cancel.isCancelled {
            result.stopReason = .interrupted
        } else {
            result.stopReason = lastFailure?.reason ?? .forwardDied
            result.stopDetail = lastFailure?.detail
        }
    }

    // MARK: Forward supervision

    /// Starts the forward (after a backoff when `restart`) until its port accepts; false when restarts are
    /// exhausted or the run was cancelled.
    private func bringUp(restart: Bool) -> Bool {
        var isRestart = restart
        // Bounded by maxRestarts.
        while true {
            if cancel.isCancelled { return false }
            if isRestart {
                guard result.restarts < plan.restart.maxRestarts else { return false }
                let delay = plan.restart.delay(attempt: result.restarts)
                owner.emit(.restarting(pod: pod, restart: result.restarts + 1, delay: delay))
                if cancel.sleep(delay) { return false }
                result.restarts += 1
            }
            isRestart = true
            let argv: [String]
            do { argv = try plan.argv(pod: pod, localPort: localPort) } catch {
                lastFailure = (.error, "\(error)")
                return false
            }
            let process: ForwardProcess
            do { process = try ForwardProcess(argv: argv, runner: owner.commandRunner) } catch {
                result.starts += 1
                lastFailure = (.forwardDied, "could not start: \(error)")
                result.forwardExits.append("could not start: \(error)")
                owner.emit(.forwardDied(pod: pod, detail: "could not start: \(error)"))
                continue
            }
            result.starts += 1
            forward = process
            forwards.append(process)
            owner.recordStart(process.pid)
            owner.emit(.forwardStarted(pod: pod, pid: process.pid, localPort: Int(localPort), attempt: result.starts - 1))
            let address = SocketAddress(ip: plan.localHost, port: localPort)!
            switch process.waitReady(address, timeout: plan.readyTimeout, cancel: cancel) {
            case .ready(let seconds):
                if result.readySeconds == nil { result.readySeconds = seconds }
                result.readyTimes.append(seconds)
                owner.emit(.forwardReady(pod: pod, seconds: seconds))
                return true
            case .exited(let detail):
                process.stop()
                result.forwardExits.append(detail)
                lastFailure = (.forwardDied, "the forward exited before its port accepted: \(detail)")
                owner.emit(.forwardDied(pod: pod, detail: detail))
            case .timedOut:
                process.stop()
                let detail = "127.0.0.1:\(localPort) did not accept within \(ProfileDuration(seconds: plan.readyTimeout))"
                result.forwardExits.append("stopped: \(detail)")
                lastFailure = (.notReady, detail)
                owner.emit(.forwardDied(pod: pod, detail: detail))
            case .cancelled:
                return false
            }
        }
    }

    /// The forward died (`stoppedAccepting` nil) or stopped accepting: stop it and its helpers, drop its
    /// connections and bring it up again. Returns false when that failed (restarts exhausted, cancelled).
    private func recover(_ pool: ForwardConnectionPool, stoppedAccepting: String?) -> Bool {
        var detail = stoppedAccepting ?? "the forward exited"
        if let f = forward {
            // Stop it first: its helpers may hold its output pipes open, delaying how it ended.
            f.stop()
            if let stoppedAccepting {
                result.forwardExits.append("stopped by wsload: \(stoppedAccepting)")
            } else {
                detail = f.waitExitDescription()
                result.forwardExits.append(detail)
            }
        }
        owner.emit(.forwardDied(pod: pod, detail: detail))
        lastFailure = (.forwardDied, detail)
        result.capacity = max(result.capacity, pool.maxOpen)
        pool.abortAll("the forward died")
        pool.resetDrops()
        return bringUp(restart: true)
    }

    private enum ForwardHealth {
        case healthy, exited
        case notAccepting(String)
    }

    /// After a failing step: waits up to 0.5 s for the forward to exit or accept again.
    private func forwardHealth() -> ForwardHealth {
        guard let f = forward else { return .exited }
        let address = SocketAddress(ip: plan.localHost, port: localPort)!
        // Bounded: 25 × (≤ 100 ms probe + 20 ms).
        for _ in 0..<25 {
            if !f.isRunning { return .exited }
            if TCPProbe.attempt(address, timeout: 0.1) == .accepted { return .healthy }
            usleep(20_000)
        }
        return f.isRunning ? .notAccepting("still running but 127.0.0.1:\(localPort) refuses connections") : .exited
    }

    // MARK: Ramp and hold

    private func ramp(_ pool: ForwardConnectionPool) -> (reason: PortForwardStopReason, detail: String?) {
        // Bounded: every iteration opens ≥ 1 connection toward target, or restarts the forward (≤ maxRestarts).
        while true {
            if cancel.isCancelled { return (.interrupted, nil) }
            if let f = forward, !f.isRunning {
                guard recover(pool, stoppedAccepting: nil) else { return failureOutcome() }
                continue
            }
            let open = pool.openCount
            if open >= plan.target { return (.targetReached, nil) }
            let batch = pool.openBatch(min(plan.step, plan.target - open))
            let openAfter = pool.openCount
            result.steps.append(
                PortForwardStep(
                    requested: batch.requested, opened: batch.opened, failed: batch.failures.count,
                    openAfter: openAfter, at: elapsed))
            owner.emit(.step(pod: pod, open: openAfter, failed: batch.failures.count))
            if cancel.isCancelled { return (.interrupted, nil) }
            let drops = pool.drops
            if !batch.failures.isEmpty || drops.count > 0 {
                // A failing step: first rule out the forward itself.
                switch forwardHealth() {
                case .healthy: break
                case .exited:
                    guard recover(pool, stoppedAccepting: nil) else { return failureOutcome() }
                    continue
                case .notAccepting(let why):
                    guard recover(pool, stoppedAccepting: why) else { return failureOutcome() }
                    continue
                }
                if !batch.failures.isEmpty { return PortForwardStopReason.classify(batch.failures) }
                return (.dropped, "\(drops.count) open connection\(drops.count == 1 ? "" : "s") ended: \(drops.last ?? "")")
            }
            if openAfter >= plan.target { return (.targetReached, nil) }
            if cancel.sleep(plan.stepInterval) { return (.interrupted, nil) }
        }
    }

    private func failureOutcome() -> (reason: PortForwardStopReason, detail: String?) {
        if cancel.isCancelled { return (.interrupted, nil) }
        return (lastFailure?.reason ?? .forwardDied, lastFailure?.detail)
    }

    private func hold(_ pool: ForwardConnectionPool) {
        let holdStart = DispatchTime.now()
        let dropsBefore = pool.drops.count
        let end = holdStart.uptimeNanoseconds + UInt64(max(0, plan.hold) * 1e9)
        // Bounded by the hold deadline: wake every 50 ms to watch the forward.
        while DispatchTime.now().uptimeNanoseconds < end {
            let left = Double(end - min(end, DispatchTime.now().uptimeNanoseconds)) / 1e9
            if cancel.sleep(min(0.05, left)) { break }
            if let f = forward, !f.isRunning {
                let detail = f.waitExitDescription()
                result.forwardExits.append(detail)
                owner.emit(.forwardDied(pod: pod, detail: detail))
                result.stopDetail = (result.stopDetail.map { $0 + "; " } ?? "") + "the forward died during the hold: \(detail)"
                break
            }
        }
        result.heldSeconds = Double(DispatchTime.now().uptimeNanoseconds - holdStart.uptimeNanoseconds) / 1e9
        // Connections that ended during the hold without wsload closing them.
        result.droppedDuringHold = pool.drops.count - dropsBefore
    }
}

extension PortForwardStopReason {
    /// The stop reason of a failing step, with its failures grouped by cause.
    static func classify(_ failures: [ConnectionFailure]) -> (reason: PortForwardStopReason, detail: String?) {
        var counts: [String: Int] = [:]
        for f in failures { counts[f.bucket, default: 0] += 1 }
        let detail = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .map { "\($0.value) × \($0.key)" }.joined(separator: ", ")
        let reason: PortForwardStopReason
        if failures.contains(where: { $0.kind == .httpStatus && $0.httpStatus == 503 }) {
            reason = .server503
        } else if failures.contains(where: { $0.errno == ECONNREFUSED }) {
            reason = .refused
        } else if failures.contains(where: { $0.kind == .timeout }) {
            reason = .timeout
        } else if failures.contains(where: { $0.kind == .httpStatus }) {
            reason = .httpError
        } else if failures.contains(where: { $0.kind == .peerClosed }) {
            reason = .peerClosed
        } else {
            reason = .error
        }
        let first = failures.first.map { "; first: \($0.description)" } ?? ""
        return (reason, detail + first)
    }
}
