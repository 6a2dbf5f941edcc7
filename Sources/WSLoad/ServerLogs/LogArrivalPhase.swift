/// The phase of the run in which wsload read a log line while following logs live.
///
/// Arrival order is exact where timestamps are not: a line read before the first connection was logged
/// before it, whatever second its stamp names. ``LogCollector`` stamps every reading with the phase current
/// when it arrived (from a ``RunPhaseClock`` the session advances), and ``LogMatcher`` then reads the baseline,
/// hold and return values by phase instead of by time.
public enum LogArrivalPhase: String, Sendable, Codable, Equatable, Hashable, CaseIterable {
    /// Found by the bounded backwards search for a pod that printed nothing before the run (older than `before`).
    case history
    /// Read before the first connection attempt: the baseline.
    case before
    /// Read while connections were being opened.
    case ramp
    /// Read while every connection was held.
    case hold
    /// Read while wsload closed its connections.
    case close
    /// Read after every connection had ended (the log-settle wait).
    case after
}
