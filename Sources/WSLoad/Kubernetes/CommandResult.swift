import Foundation

/// How a child process ended.
public enum CommandTermination: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
    /// It called `exit` with this status.
    case exited(Int32)
    /// It was killed by this signal.
    case signaled(Int32)

    /// True for `exited(0)`.
    public var isSuccess: Bool { self == .exited(0) }

    /// `exit status 3` or `signal 15 (SIGTERM)`.
    public var description: String {
        switch self {
        case .exited(let status): return "exit status \(status)"
        case .signaled(let signal):
            let names: [Int32: String] = [
                SIGTERM: "SIGTERM", SIGKILL: "SIGKILL", SIGINT: "SIGINT", SIGHUP: "SIGHUP",
                SIGPIPE: "SIGPIPE", SIGSEGV: "SIGSEGV", SIGABRT: "SIGABRT",
            ]
            return names[signal].map { "signal \(signal) (\($0))" } ?? "signal \(signal)"
        }
    }
}

/// What a finished child process produced.
public struct CommandResult: Sendable, Equatable {
    /// The argv that was run (argv[0] as given, before `PATH` lookup).
    public var argv: [String]
    /// How the process ended.
    public var termination: CommandTermination
    /// Everything written to standard output (empty for streamed commands, whose lines went to the handler).
    public var stdout: Data
    /// Standard error, up to the first 64 KiB.
    public var stderr: Data
    /// Wall-clock time from launch to exit.
    public var duration: TimeInterval

    /// Creates a result.
    public init(
        argv: [String], termination: CommandTermination, stdout: Data = Data(), stderr: Data = Data(),
        duration: TimeInterval = 0
    ) {
        self.argv = argv
        self.termination = termination
        self.stdout = stdout
        self.stderr = stderr
        self.duration = duration
    }

    /// True when the process exited with status 0.
    public var succeeded: Bool { termination.isSuccess }
    /// Standard output decoded as UTF-8 (invalid bytes replaced).
    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    /// Standard error decoded as UTF-8 (invalid bytes replaced).
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
    /// The first non-blank line of standard error, trimmed; empty when there is none.
    public var stderrFirstLine: String {
        stderrText.split(whereSeparator: \.isNewline)
            .lazy.map { $0.trimmingCharacters(in: .whitespaces) }.first { !$0.isEmpty } ?? ""
    }

    /// Returns `self` when the process exited with status 0, else throws ``CommandError/failed(_:)``.
    public func checked() throws(CommandError) -> CommandResult {
        guard succeeded else { throw .failed(self) }
        return self
    }

    /// argv joined for humans; arguments with spaces, quotes or nothing in them are single-quoted.
    public static func display(_ argv: [String]) -> String {
        argv.map { arg in
            let plain = !arg.isEmpty && arg.allSatisfy { !$0.isWhitespace && !"'\"\\$`".contains($0) }
            return plain ? arg : "'" + arg.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
        }.joined(separator: " ")
    }
}
