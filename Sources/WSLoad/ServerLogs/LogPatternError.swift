/// Why a custom active-connections pattern was rejected.
public enum LogPatternError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The pattern is not a valid regular expression.
    case invalidRegularExpression(pattern: String, reason: String)
    /// The pattern has no `(?<count>…)` named capture group.
    case missingCountGroup(pattern: String)

    /// A human-readable description.
    public var description: String {
        switch self {
        case let .invalidRegularExpression(pattern, reason):
            return "invalid log pattern \(pattern): \(reason)"
        case let .missingCountGroup(pattern):
            return "log pattern \(pattern) needs a named capture group (?<count>\\d+)"
        }
    }
}
