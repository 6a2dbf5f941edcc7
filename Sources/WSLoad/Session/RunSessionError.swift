/// Why a run could not be prepared or run, for a human, with the exit code it ends with (2: the profile or
/// the flags are wrong; 3: the run could not complete).
public struct RunSessionError: Error, Sendable, CustomStringConvertible {
    /// The exit code the run ends with.
    public var exitCode: ExitCode
    /// What went wrong, naming the file, section or flag.
    public var message: String
    /// The message.
    public var description: String { message }

    /// Creates an error.
    public init(_ exitCode: ExitCode, _ message: String) { self.exitCode = exitCode; self.message = message }
}
