/// What the parser made of one log line.
public enum LogLineResult: Sendable, Equatable {
    /// The line reported an active-connection count.
    case sample(LogSample)
    /// The line was empty or whitespace only; it is ignored and not counted as garbage.
    case blank
    /// The line did not match; it is counted, never fatal.
    case garbage
}
