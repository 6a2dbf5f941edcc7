import Dispatch
import Foundation

/// A child process started by ``CommandRunner``, with its output being read in the background.
///
/// The child is started in its own process group (Foundation's `Process` does this on Linux), so
/// ``stop(grace:)`` signals the whole group: `sh -c` wrappers and their children go too.
/// Confinement: pipe readers, the line buffer and collected output live on `queue`; the rest is under `state`.
public final class RunningCommand: @unchecked Sendable {
    /// The argv as given (before `PATH` lookup).
    public let argv: [String]
    /// Resolved executable path.
    public let executablePath: String
    /// The child's process id (0 until launched).
    public var processIdentifier: pid_t { state.withLock { $0.pid } }

    /// Largest amount of standard error kept.
    static let maxStderrBytes = 64 * 1024
    /// How long to keep reading after the child exited, for output still in the pipes or held by grandchildren.
    static let drainGrace: TimeInterval = 0.5

    enum OutputMode {
        case collect
        case lines(@Sendable (String) -> Void)
    }

    private struct State {
        var termination: CommandTermination?
        var result: CommandResult?
        var pid: pid_t = 0
        var groupLeader = false
    }

    private let process = Process()
    private let queue: DispatchQueue
    private let mode: OutputMode
    private let onExit: (@Sendable (CommandResult) -> Void)?
    private let onReaped: @Sendable (RunningCommand) -> Void
    private let state = Locked(State())
    private let reaped = DispatchGroup()
    private let completed = DispatchGroup()
    private var launchedAt = Date()

    // Confined to `queue`.
    private var stdoutReader: PipeReader?
    private var stderrReader: PipeReader?
    private var stdoutDone = false
    private var stderrDone = false
    private var stdoutData = Data()
    private var stderrData = Data()
    private var lineBuffer = LineBuffer()

    init(argv: [String], executablePath: String, environment: [String: String]?, mode: OutputMode,
         onExit: (@Sendable (CommandResult) -> Void)?, onReaped: @escaping @Sendable (RunningCommand) -> Void) {
        self.argv = argv
        self.executablePath = executablePath
        self.mode = mode
        self.onExit = onExit
        self.onReaped = onReaped
        self.queue = DispatchQueue(label: "wsload.command", target: .global())
        process.executableURL = URL(fileURLWithPath: executablePath)
        process.arguments = Array(argv.dropFirst())
        if let environment { process.environment = environment }
    }

    /// Launches the child and starts reading its output.
    func launch() throws(CommandError) {
        var out: [Int32] = [-1, -1]
        var err: [Int32] = [-1, -1]
        guard Self.makePipe(&out) else {
            throw .launchFailed(command: CommandResult.display(argv), reason: String(cString: strerror(errno)))
        }
        guard Self.makePipe(&err) else {
            let reason = String(cString: strerror(errno))
            close(out[0]); close(out[1])
            throw .launchFailed(command: CommandResult.display(argv), reason: reason)
        }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle(fileDescriptor: out[1], closeOnDealloc: false)
        process.standardError = FileHandle(fileDescriptor: err[1], closeOnDealloc: false)
        reaped.enter()
        completed.enter()
        process.terminationHandler = { [self] p in
            let termination: CommandTermination = p.terminationReason == .uncaughtSignal
                ? .signaled(p.terminationStatus) : .exited(p.terminationStatus)
            processExited(termination)
        }
        launchedAt = Date()
        do {
            // The child inherits this thread's signal mask, and Dispatch worker threads block SIGTERM & co.:
            // a child started from one would ignore SIGTERM. Unblock them around the spawn.
            try Self.withTerminationSignalsUnblocked { try process.run() }
        } catch {
            close(out[0]); close(out[1]); close(err[0]); close(err[1])
            process.terminationHandler = nil
            reaped.leave()
            completed.leave()
            throw .launchFailed(command: CommandResult.display(argv), reason: "\(error)")
        }
        close(out[1])
        close(err[1])
        let pid = process.processIdentifier
        let leader = getpgid(pid) == pid
        state.withLock { $0.pid = pid; $0.groupLeader = leader }

        let stdoutReader = PipeReader(fd: out[0], queue: queue, onBytes: { [self] bytes in
            switch mode {
            case .collect: stdoutData.append(contentsOf: bytes)
            case .lines(let handler): lineBuffer.append(bytes, handler)
            }
        }, onEnd: { [self] in
            if case .lines(let handler) = mode { lineBuffer.flush(handler) }
            stdoutDone = true
            completeIfDone()
        })
        let stderrReader = PipeReader(fd: err[0], queue: queue, onBytes: { [self] bytes in
            let room = Self.maxStderrBytes - stderrData.count
            if room > 0 { stderrData.append(contentsOf: bytes.prefix(room)) }
        }, onEnd: { [self] in
            stderrDone = true
            completeIfDone()
        })
        queue.sync {
            self.stdoutReader = stdoutReader
            self.stderrReader = stderrReader
        }
        stdoutReader.start()
        stderrReader.start()
    }

    /// Runs `body` with SIGTERM, SIGINT, SIGHUP, SIGQUIT and SIGPIPE unblocked in this thread, then restores the mask.
    private static func withTerminationSignalsUnblocked<R>(_ body: () throws -> R) rethrows -> R {
        var unblock = sigset_t()
        var previous = sigset_t()
        sigemptyset(&unblock)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGPIPE] { sigaddset(&unblock, signal) }
        pthread_sigmask(SIG_UNBLOCK, &unblock, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        return try body()
    }

    /// `pipe()` with both ends close-on-exec, so children started concurrently do not inherit them
    /// (an inherited write end would keep our reader from ever seeing end of file).
    private static func makePipe(_ fds: inout [Int32]) -> Bool {
        guard pipe(&fds) == 0 else { return false }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        return true
    }

    /// True until the child has exited and been reaped.
    public var isRunning: Bool { state.withLock { $0.termination == nil } }

    /// How the child ended, once it has.
    public var termination: CommandTermination? { state.withLock { $0.termination } }

    /// The result, once the child has exited and its output has been read.
    public var result: CommandResult? { state.withLock { $0.result } }

    /// Waits until the child has exited and its output has been read; nil when `timeout` passes first.
    @discardableResult
    public func waitUntilExit(timeout: TimeInterval? = nil) -> CommandResult? {
        if let timeout {
            guard completed.wait(timeout: .now() + timeout) == .success else { return nil }
        } else {
            completed.wait()
        }
        return result
    }

    /// Sends SIGTERM to the child's process group, SIGKILL after `grace` seconds if it is still running,
    /// and returns once the child has been reaped (so `kill(pid, 0)` then fails with `ESRCH`).
    public func stop(grace: TimeInterval = 1) {
        CommandRunner.terminate([self], grace: grace)
    }

    /// Sends `signal` to the child's process group (or the child alone when it leads no group), if still running.
    func send(_ signal: Int32) {
        state.withLock { s in
            guard s.termination == nil, s.pid > 0 else { return }
            _ = kill(s.groupLeader ? -s.pid : s.pid, signal)
        }
    }

    /// Waits until the child has been reaped; false when `deadline` passes first.
    func waitReaped(until deadline: DispatchTime) -> Bool {
        reaped.wait(timeout: deadline) == .success
    }

    private func processExited(_ termination: CommandTermination) {
        state.withLock { $0.termination = termination }
        onReaped(self)
        reaped.leave()
        queue.async { [self] in
            process.terminationHandler = nil // breaks the process ↔ command retain cycle
            completeIfDone()
            queue.asyncAfter(deadline: .now() + Self.drainGrace) { [self] in
                stdoutReader?.forceFinish()
                stderrReader?.forceFinish()
            }
        }
    }

    /// On `queue`: finishes once the child exited and both pipes reached end of file.
    private func completeIfDone() {
        guard stdoutDone, stderrDone, let termination = state.withLock({ $0.termination }),
              state.withLock({ $0.result }) == nil else { return }
        let result = CommandResult(argv: argv, termination: termination, stdout: stdoutData, stderr: stderrData,
                                   duration: Date().timeIntervalSince(launchedAt))
        state.withLock { $0.result = result }
        stdoutReader = nil
        stderrReader = nil
        onExit?(result)
        completed.leave()
    }
}
