import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A child process started by ``CommandRunner``, with its output being read in the background.
///
/// The child is started with `posix_spawn` in its own process group, with no signal blocked and the default
/// action for every signal, so ``stop(grace:)`` signals the whole group: `sh -c` wrappers and their children go too.
/// Its exit is seen by a thread blocked in `waitid` for that pid alone, so it is noticed as soon as the child
/// itself exits, even while grandchildren (e.g. `socat … fork` children) still hold its pipes or sockets.
/// Its output is read by a second thread with `poll` (see ``PipeReader`` for why not a dispatch source).
///
/// Confinement: the line buffer and collected output live on the reading thread; the rest is under `state`.
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
    /// Stack of the reading and reaping threads (the reading thread runs the line handler).
    static let threadStackSize = 1 << 20

    enum OutputMode {
        case collect
        case lines(@Sendable (String) -> Void)
    }

    private struct State {
        var pid: pid_t = 0
        var termination: CommandTermination?
        /// Set after `termination`, once the runner has forgotten the child.
        var reaped = false
        var stdout = Data()
        var stderr = Data()
        var outputRead = false
        var result: CommandResult?
        var completed = false
    }

    private let environment: [String: String]?
    private let mode: OutputMode
    private let onExit: (@Sendable (CommandResult) -> Void)?
    private let onReaped: @Sendable (RunningCommand) -> Void
    private let state = Monitor(State())
    private let launchedAt = Locked(DispatchTime.now())

    init(
        argv: [String], executablePath: String, environment: [String: String]?, mode: OutputMode,
        onExit: (@Sendable (CommandResult) -> Void)?, onReaped: @escaping @Sendable (RunningCommand) -> Void
    ) {
        self.argv = argv
        self.executablePath = executablePath
        self.environment = environment
        self.mode = mode
        self.onExit = onExit
        self.onReaped = onReaped
    }

    /// Launches the child and starts the threads that read its output and reap it. Call once.
    func launch() throws(CommandError) {
        let display = CommandResult.display(argv)
        var out: [Int32] = [-1, -1]
        var err: [Int32] = [-1, -1]
        guard Self.makePipe(&out) else { throw .launchFailed(command: display, reason: String(cString: strerror(errno))) }
        guard Self.makePipe(&err) else {
            let reason = String(cString: strerror(errno))
            close(out[0]); close(out[1])
            throw .launchFailed(command: display, reason: reason)
        }
        guard let wake = WakePipe() else {
            let reason = String(cString: strerror(errno))
            close(out[0]); close(out[1]); close(err[0]); close(err[1])
            throw .launchFailed(command: display, reason: reason)
        }
        launchedAt.withLock { $0 = .now() }
        let spawned = Self.spawn(path: executablePath, argv: argv, environment: environment, stdout: out[1], stderr: err[1])
        close(out[1])
        close(err[1])
        guard spawned.error == 0 else {
            close(out[0]); close(err[0])
            throw .launchFailed(command: display, reason: String(cString: strerror(spawned.error)))
        }
        let pid = spawned.pid
        state.withLock { $0.pid = pid }

        // Both threads retain `self` until they are done, so the command outlives its child and its pipes.
        let reaper = Thread { [self] in reap(pid, wake: wake) }
        reaper.name = "wsload.command.reap"
        reaper.stackSize = Self.threadStackSize
        let reader = PipeReader(stdoutFD: out[0], stderrFD: err[0], wake: wake, drainGrace: Self.drainGrace)
        let readerThread = Thread { [self] in readOutput(reader) }
        readerThread.name = "wsload.command.read"
        readerThread.stackSize = Self.threadStackSize
        reaper.start()
        readerThread.start()
    }

    /// On the reading thread: reads both pipes to the end, then records the output.
    private func readOutput(_ reader: PipeReader) {
        var lineBuffer = LineBuffer()
        var stdout = Data()
        var stderr = Data()
        let mode = self.mode
        reader.run(
            onStdout: { bytes in
                switch mode {
                case .collect: stdout.append(contentsOf: bytes)
                case .lines(let handler): lineBuffer.append(bytes, handler)
                }
            },
            onStderr: { bytes in
                let room = Self.maxStderrBytes - stderr.count
                if room > 0 { stderr.append(contentsOf: bytes.prefix(room)) }
            })
        if case .lines(let handler) = mode { lineBuffer.flush(handler) }
        state.withLock { s in
            s.stdout = stdout
            s.stderr = stderr
            s.outputRead = true
        }
        completeIfDone()
    }

    /// On the reaping thread: waits for the child itself to exit (not for whoever inherited its descriptors),
    /// records how, then reaps it.
    private func reap(_ pid: pid_t, wake: WakePipe) {
        var info = siginfo_t()
        // WNOWAIT leaves the child a zombie: its pid (and process group id) cannot be reused until it is reaped
        // below, under the lock that `send` takes, so a signal never reaches an unrelated process.
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR {}
        state.withLock { s in
            var status: Int32 = 0
            var reaped: pid_t
            repeat { reaped = waitpid(pid, &status, 0) } while reaped < 0 && errno == EINTR
            // ECHILD means someone else reaped it (e.g. SIGCHLD ignored): the status is lost.
            s.termination = reaped == pid ? Self.termination(fromWaitStatus: status) : .exited(-1)
        }
        onReaped(self)
        state.withLock { $0.reaped = true }
        wake.signal()
        completeIfDone()
    }

    /// `waitpid` status to termination (`WIFSIGNALED`/`WTERMSIG`/`WEXITSTATUS` are macros Swift does not import).
    static func termination(fromWaitStatus status: Int32) -> CommandTermination {
        let signal = status & 0x7f
        return signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
    }

    /// Finishes once the child has been reaped and its output read; runs `onExit` exactly once.
    private func completeIfDone() {
        let duration = Double(DispatchTime.now().uptimeNanoseconds - launchedAt.current.uptimeNanoseconds) / 1e9
        let result: CommandResult? = state.withLock { s in
            guard s.outputRead, s.reaped, let termination = s.termination, s.result == nil else { return nil }
            let result = CommandResult(
                argv: argv, termination: termination, stdout: s.stdout, stderr: s.stderr,
                duration: duration)
            s.result = result
            s.stdout = Data()
            s.stderr = Data()
            return result
        }
        guard let result else { return }
        onExit?(result)
        state.withLock { $0.completed = true }
    }

    /// `pipe()` with both ends close-on-exec, so children started concurrently (by us or by other code) do not
    /// inherit them (an inherited write end would keep our reader from ever seeing end of file).
    static func makePipe(_ fds: inout [Int32]) -> Bool {
        guard pipe(&fds) == 0 else { return false }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        return true
    }

    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    /// glibc ≥ 2.34 has `posix_spawn_file_actions_addclosefrom_np`, but its header does not export it to Swift.
    private static let addCloseFrom: AddCloseFrom? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np")
        else { return nil }
        return unsafeBitCast(symbol, to: AddCloseFrom.self)
    }()

    /// `posix_spawn`s `path` with stdin from /dev/null, stdout and stderr on the given descriptors, every other
    /// descriptor closed, in a new process group, with no signal blocked and every signal at its default action
    /// (Dispatch worker threads block SIGTERM & co., and an ignored SIGPIPE would be inherited across exec).
    private static func spawn(
        path: String, argv: [String], environment: [String: String]?,
        stdout: Int32, stderr: Int32
    ) -> (pid: pid_t, error: Int32) {
        var actions = posix_spawn_file_actions_t()
        guard posix_spawn_file_actions_init(&actions) == 0 else { return (0, ENOMEM) }
        defer { posix_spawn_file_actions_destroy(&actions) }
        var attributes = posix_spawnattr_t()
        guard posix_spawnattr_init(&attributes) == 0 else { return (0, ENOMEM) }
        defer { posix_spawnattr_destroy(&attributes) }

        var rc = posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0)
        if rc == 0 { rc = posix_spawn_file_actions_adddup2(&actions, stdout, STDOUT_FILENO) }
        if rc == 0 { rc = posix_spawn_file_actions_adddup2(&actions, stderr, STDERR_FILENO) }
        if rc == 0, let addCloseFrom { rc = addCloseFrom(&actions, 3) }
        guard rc == 0 else { return (0, rc) }

        var noSignals = sigset_t()
        var allSignals = sigset_t()
        sigemptyset(&noSignals)
        sigfillset(&allSignals)
        rc = posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        if rc == 0 { rc = posix_spawnattr_setpgroup(&attributes, 0) }
        if rc == 0 { rc = posix_spawnattr_setsigmask(&attributes, &noSignals) }
        if rc == 0 { rc = posix_spawnattr_setsigdefault(&attributes, &allSignals) }
        guard rc == 0 else { return (0, rc) }

        // argv[0] is the resolved path, as with Foundation's `Process`.
        let cArgs: [UnsafeMutablePointer<CChar>?] = ([path] + argv.dropFirst()).map { strdup($0) } + [nil]
        let cEnv: [UnsafeMutablePointer<CChar>?] =
            (environment ?? ProcessInfo.processInfo.environment)
            .map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in cArgs { free(p) }
            for p in cEnv { free(p) }
        }
        var pid: pid_t = 0
        rc = cArgs.withUnsafeBufferPointer { args in
            cEnv.withUnsafeBufferPointer { env in
                posix_spawn(&pid, path, &actions, &attributes, args.baseAddress!, env.baseAddress!)
            }
        }
        return (rc == 0 ? pid : 0, rc)
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
        let deadline = timeout.map { Date().addingTimeInterval($0) } ?? .distantFuture
        guard state.wait(until: deadline, for: { $0.completed }) else { return nil }
        return result
    }

    /// Sends SIGTERM to the child's process group, SIGKILL after `grace` seconds if it is still running,
    /// and returns once the child has been reaped (so `kill(pid, 0)` then fails with `ESRCH`).
    public func stop(grace: TimeInterval = 1) {
        CommandRunner.terminate([self], grace: grace)
    }

    /// Sends `signal` to the child's process group, if the child has not been reaped yet.
    func send(_ signal: Int32) {
        state.withLock { s in
            guard s.termination == nil, s.pid > 0 else { return }
            _ = kill(-s.pid, signal)
        }
    }

    /// Waits until the child has been reaped; false when `deadline` passes first.
    func waitReaped(until deadline: DispatchTime) -> Bool {
        let now = DispatchTime.now().uptimeNanoseconds
        let left = deadline.uptimeNanoseconds > now ? Double(deadline.uptimeNanoseconds - now) / 1e9 : 0
        return state.wait(until: Date().addingTimeInterval(left), for: { $0.reaped })
    }
}

/// A value under a condition variable: read and change it with ``withLock(_:)`` (which wakes waiters), wait for
/// a predicate with ``wait(until:for:)``. Unlike a `DispatchGroup`/`DispatchSemaphore`, it may be released in
/// any state.
final class Monitor<Value>: @unchecked Sendable {
    private let condition = NSCondition()
    private var value: Value

    init(_ value: Value) { self.value = value }

    @discardableResult
    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        condition.lock()
        defer {
            condition.broadcast()
            condition.unlock()
        }
        return try body(&value)
    }

    /// Waits until `predicate` holds; false when `deadline` passes first.
    func wait(until deadline: Date, for predicate: (Value) -> Bool) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while !predicate(value) {
            if !condition.wait(until: deadline) { return predicate(value) }
        }
        return true
    }
}
