import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One launch of a pod's forward command (e.g. `kubectl port-forward`), with its output captured.
///
/// Thread-safety: all state is behind locks; any thread may call any method.
final class ForwardProcess: @unchecked Sendable {
    /// How waiting for the local port ended.
    enum Readiness: Equatable {
        /// The port accepted a TCP connection this many seconds after launch.
        case ready(Double)
        /// The process exited first.
        case exited(String)
        /// The port did not accept within the timeout although the process kept running.
        case timedOut
        /// The wait was cancelled.
        case cancelled
    }

    let argv: [String]
    let command: RunningCommand
    let launchedAt: DispatchTime
    private let output: Locked<[String]>

    /// Most output lines kept per forward.
    static let keptLines = 20

    /// Launches `argv` through `runner` (no shell); stdout lines go to the output tail.
    init(argv: [String], runner: CommandRunner) throws(CommandError) {
        let output = Locked<[String]>([])
        self.output = output
        self.argv = argv
        launchedAt = .now()
        command = try runner.stream(
            argv,
            onLine: { line in
                output.withLock { lines in
                    lines.append(line)
                    if lines.count > Self.keptLines { lines.removeFirst(lines.count - Self.keptLines) }
                }
            })
    }

    /// The child's process id (also its process group id).
    var pid: pid_t { command.processIdentifier }

    /// True until the process has exited.
    ///
    /// Also checks `/proc`: Foundation learns of a child's exit only once every inheritor of its monitoring socket
    /// has exited, so the dead parent of still-running `socat … fork` children looks alive to it (a zombie here).
    var isRunning: Bool { command.isRunning && ProcessGroupScan.isAlive(pid) }

    /// `exit status 1: error: …` once exited.
    var exitDescription: String? {
        guard let termination = command.termination else { return nil }
        let first = command.result?.stderrFirstLine ?? ""
        return first.isEmpty ? termination.description : "\(termination): \(first)"
    }

    /// The last stdout lines, then the first line of stderr once the process has exited.
    var outputTail: [String] {
        var lines = output.current
        if let first = command.result?.stderrFirstLine, !first.isEmpty { lines.append("stderr: \(first)") }
        return lines
    }

    /// Polls `address` until it accepts a TCP connection, the process exits, `timeout` passes, or `cancel` fires.
    func waitReady(_ address: SocketAddress, timeout: Double, cancel: CancelToken) -> Readiness {
        let deadline = DispatchTime.now() + timeout
        // Bounded: one attempt per ≥ 20 ms until the deadline.
        while true {
            if cancel.isCancelled { return .cancelled }
            if !isRunning { return .exited(waitExitDescription()) }
            let left = Double(deadline.uptimeNanoseconds &- min(deadline.uptimeNanoseconds, DispatchTime.now().uptimeNanoseconds)) / 1e9
            if left <= 0 { return .timedOut }
            if TCPProbe.attempt(address, timeout: min(0.25, left)) == .accepted {
                // An accept can race with the process exiting (e.g. a wrapper that prints and exits).
                if isRunning { return .ready(Double(DispatchTime.now().uptimeNanoseconds - launchedAt.uptimeNanoseconds) / 1e9) }
                continue
            }
            if cancel.sleep(min(0.02, left)) { return .cancelled }
        }
    }

    /// The exit description, waiting briefly for stderr to be read.
    func waitExitDescription() -> String {
        _ = command.waitUntilExit(timeout: 1)
        return exitDescription ?? "exited"
    }

    /// Stops the forward and everything in its process group, and waits until they are gone.
    ///
    /// Helpers (e.g. `socat … fork` children) are stopped first while their parent still runs, so it reaps them;
    /// then the process itself (SIGTERM, SIGKILL after `grace`). Helpers left over from a parent that already
    /// died are killed. Returns the number of processes that could not be stopped (0 normally).
    @discardableResult
    func stop(grace: Double = 1) -> Int {
        let pgid = pid
        guard pgid > 0 else { return 0 }
        if isRunning {
            let helpers = ProcessGroupScan.liveMembers(of: pgid).filter { $0 != pgid }
            for helper in helpers { kill(helper, SIGTERM) }
            // Bounded wait (≤ 0.5 s) for the parent to reap its helpers.
            for _ in 0..<25 where !ProcessGroupScan.members(of: pgid).filter({ $0.pid != pgid }).isEmpty {
                usleep(20_000)
            }
            command.stop(grace: grace)
        }
        let left = Self.killRemnants(of: pgid)
        // With the helpers gone Foundation sees the exit and reaps the process (bounded by the timeout).
        if command.isRunning { _ = command.waitUntilExit(timeout: 2) }
        return left
    }

    /// SIGKILLs whatever still runs in process group `pgid` (whose leader has exited); returns how many remain.
    static func killRemnants(of pgid: pid_t) -> Int {
        var live = ProcessGroupScan.liveMembers(of: pgid)
        guard !live.isEmpty else { return 0 }
        for member in live { kill(member, SIGKILL) }
        // Bounded wait (≤ 1 s) for the kernel to finish them.
        for _ in 0..<50 {
            live = ProcessGroupScan.liveMembers(of: pgid)
            if live.isEmpty { return 0 }
            usleep(20_000)
        }
        return live.count
    }
}

/// A cancellation flag with an interruptible sleep.
public final class CancelToken: @unchecked Sendable {
    private let condition = NSCondition()
    private var cancelled = false

    /// A token that is not cancelled.
    public init() {}

    /// Whether ``cancel()`` was called.
    public var isCancelled: Bool {
        condition.lock(); defer { condition.unlock() }
        return cancelled
    }

    /// Cancels, waking every sleeper.
    public func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }

    /// Sleeps `seconds` unless cancelled; returns true when cancelled (before or during the sleep).
    @discardableResult
    public func sleep(_ seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(max(0, seconds))
        condition.lock(); defer { condition.unlock() }
        while !cancelled {
            if !condition.wait(until: deadline) { break }
        }
        return cancelled
    }
}
