import Dispatch
import Foundation

/// Runs argv directly with `posix_spawn` (never through a shell), and keeps track of its children.
///
/// A bare executable name is looked up in `PATH` (of ``environment`` when given, else of this process).
/// Every child still running is terminated by ``stop(grace:)``: SIGTERM to its process group, then SIGKILL
/// after the grace period. Call it before exiting so no child outlives wsload.
public final class CommandRunner: Sendable {
    /// Environment for children; nil inherits this process's environment.
    public let environment: [String: String]?
    private let children = Locked<[ObjectIdentifier: RunningCommand]>([:])

    /// `PATH` used when none is set.
    public static let fallbackSearchPath = "/usr/local/bin:/usr/bin:/bin"

    /// Creates a runner.
    public init(environment: [String: String]? = nil) {
        self.environment = environment
    }

    /// Children started by this runner that have not yet been reaped.
    public var running: [RunningCommand] {
        children.withLock { Array($0.values) }.sorted { $0.processIdentifier < $1.processIdentifier }
    }

    /// The absolute path of `name`: itself when it contains a `/`, else the first executable match in `PATH`.
    public func resolveExecutable(_ name: String) throws(CommandError) -> String {
        let path = (environment ?? ProcessInfo.processInfo.environment)["PATH"]
        return try Self.resolveExecutable(name, searchPath: path ?? Self.fallbackSearchPath)
    }

    /// The absolute path of `name` searched in the colon-separated `searchPath`.
    public static func resolveExecutable(_ name: String, searchPath: String) throws(CommandError) -> String {
        guard !name.isEmpty else { throw .emptyCommand }
        if name.contains("/") {
            let path = name.hasPrefix("/") ? name : FileManager.default.currentDirectoryPath + "/" + name
            guard isExecutableFile(path) else { throw .notExecutable(path: name) }
            return path
        }
        for dir in searchPath.split(separator: ":", omittingEmptySubsequences: false) {
            let base = dir.isEmpty ? FileManager.default.currentDirectoryPath : String(dir)
            let candidate = base.hasSuffix("/") ? base + name : base + "/" + name
            if isExecutableFile(candidate) { return candidate }
        }
        throw .executableNotFound(name: name, searchPath: searchPath)
    }

    private static func isExecutableFile(_ path: String) -> Bool {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return false }
        return access(path, X_OK) == 0
    }

    /// Runs `argv` to completion and returns its output, whatever its exit status (see ``CommandResult/checked()``).
    ///
    /// Throws ``CommandError/timedOut(command:seconds:partial:)`` after killing the child (SIGTERM, then
    /// SIGKILL 1 s later) when it runs longer than `timeout` seconds.
    public func run(_ argv: [String], timeout: TimeInterval = 30) throws(CommandError) -> CommandResult {
        let command = try launch(argv, mode: .collect, onExit: nil)
        if let result = command.waitUntilExit(timeout: timeout) { return result }
        Self.terminate([command], grace: 1)
        let partial =
            command.waitUntilExit(timeout: RunningCommand.drainGrace + 1)
            ?? CommandResult(argv: argv, termination: command.termination ?? .signaled(SIGKILL))
        throw .timedOut(command: CommandResult.display(argv), seconds: timeout, partial: partial)
    }

    /// Starts `argv` and calls `onLine` (serially, on a background thread) for each line of its standard output,
    /// then `onExit` once it has exited and its output has been read. Stop it with ``RunningCommand/stop(grace:)``
    /// or ``stop(grace:)``.
    public func stream(
        _ argv: [String], onLine: @escaping @Sendable (String) -> Void,
        onExit: (@Sendable (CommandResult) -> Void)? = nil
    ) throws(CommandError) -> RunningCommand {
        try launch(argv, mode: .lines(onLine), onExit: onExit)
    }

    /// Terminates every child of this runner still running (SIGTERM, SIGKILL after `grace`), waiting until reaped.
    public func stop(grace: TimeInterval = 1) {
        Self.terminate(running, grace: grace)
    }

    /// Terminates `commands` together: SIGTERM to each, SIGKILL after `grace` to those still running, then waits
    /// (up to 2 s more) until all have been reaped.
    public static func terminate(_ commands: [RunningCommand], grace: TimeInterval = 1) {
        let alive = commands.filter(\.isRunning)
        guard !alive.isEmpty else { return }
        for command in alive { command.send(SIGTERM) }
        let graceEnd = DispatchTime.now() + grace
        let stubborn = alive.filter { !$0.waitReaped(until: graceEnd) }
        for command in stubborn { command.send(SIGKILL) }
        let killEnd = DispatchTime.now() + 2
        for command in stubborn { _ = command.waitReaped(until: killEnd) }
    }

    private func launch(
        _ argv: [String], mode: RunningCommand.OutputMode,
        onExit: (@Sendable (CommandResult) -> Void)?
    ) throws(CommandError) -> RunningCommand {
        guard let name = argv.first else { throw .emptyCommand }
        let path = try resolveExecutable(name)
        let command = RunningCommand(
            argv: argv, executablePath: path, environment: environment, mode: mode,
            onExit: onExit,
            onReaped: { [children] c in
                _ = children.withLock { $0.removeValue(forKey: ObjectIdentifier(c)) }
            })
        let key = ObjectIdentifier(command)
        children.withLock { $0[key] = command }
        do {
            try command.launch()
        } catch {
            _ = children.withLock { $0.removeValue(forKey: key) }
            throw error
        }
        return command
    }
}
