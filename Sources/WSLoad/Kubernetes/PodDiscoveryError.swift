/// Why pods could not be discovered.
public enum PodDiscoveryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The discovery command template could not be rendered.
    case template(CommandTemplateError)
    /// The command could not be run (not found, timed out, …).
    case command(CommandError)
    /// The command ran but failed; `stderrFirstLine` is the first line it wrote to standard error.
    case commandFailed(command: String, termination: CommandTermination, stderrFirstLine: String)
    /// The output was not JSON.
    case invalidJSON(reason: String)
    /// The JSON was not a pod list (`items[]` of pods, or a single `Pod`).
    case notAPodList(reason: String)

    /// A human-readable description.
    public var description: String {
        switch self {
        case .template(let e):
            return "pod discovery command: \(e)"
        case .command(let e):
            return "pod discovery: \(e)"
        case let .commandFailed(command, termination, first):
            return "pod discovery: \(command) failed with \(termination)" + (first.isEmpty ? "" : ": \(first)")
        case .invalidJSON(let reason):
            return "pod discovery: output is not valid JSON: \(reason)"
        case .notAPodList(let reason):
            return "pod discovery: output is not a pod list: \(reason)"
        }
    }
}
