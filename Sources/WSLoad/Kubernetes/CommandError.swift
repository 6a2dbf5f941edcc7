import Foundation

/// Why a command could not be run or did not succeed.
public enum CommandError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The argv was empty.
    case emptyCommand
    /// A bare executable name was not found in any `PATH` directory.
    case executableNotFound(name: String, searchPath: String)
    /// A path was given but it does not exist or is not executable.
    case notExecutable(path: String)
    /// It could not be started (`posix_spawn` failed, e.g. exec format error, or no descriptors left).
    case launchFailed(command: String, reason: String)
    /// It ran longer than allowed and was killed; `partial` holds the output seen until then.
    case timedOut(command: String, seconds: Double, partial: CommandResult)
    /// It exited with a non-zero status or was killed by a signal.
    case failed(CommandResult)

    /// A human-readable description (`kubectl not found in PATH`, `… exited with exit status 1: error: …`).
    public var description: String {
        switch self {
        case .emptyCommand:
            return "empty command"
        case let .executableNotFound(name, searchPath):
            return "\(name) not found in PATH (\(searchPath.isEmpty ? "PATH is empty" : searchPath))"
        case let .notExecutable(path):
            return "\(path) does not exist or is not executable"
        case let .launchFailed(command, reason):
            return "could not start \(command): \(reason)"
        case let .timedOut(command, seconds, partial):
            let first = partial.stderrFirstLine
            return "\(command) timed out after \(Self.seconds(seconds)) and was killed" + (first.isEmpty ? "" : ": \(first)")
        case let .failed(result):
            let first = result.stderrFirstLine
            return "\(CommandResult.display(result.argv)) failed with \(result.termination)" + (first.isEmpty ? "" : ": \(first)")
        }
    }

    private static func seconds(_ s: Double) -> String {
        s == s.rounded() ? "\(Int(s)) s" : String(format: "%.2f s", s)
    }
}
