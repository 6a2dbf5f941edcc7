/// The process exit codes of wsload.
public enum ExitCode: Int32, Sendable, Codable, Equatable, CaseIterable {
    /// The run completed and every gate check passed.
    case passed = 0
    /// The run completed and at least one gate check failed.
    case gateFailed = 1
    /// The command line or the profile was invalid; nothing ran.
    case usageError = 2
    /// The run could not complete (e.g. the target was unreachable or the run was interrupted).
    case runIncomplete = 3
}
