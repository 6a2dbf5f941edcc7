/// What ordered a pod's log readings against the run's phases when they were matched.
public enum MatchBasis: String, Sendable, Codable, Equatable, CaseIterable {
    /// The phase in which wsload read each line while following the log live (exact).
    case arrivalOrder
    /// The lines' own timestamps, with their precision (saved logs, `match-logs`).
    case timestamps
    /// Line order alone (lines without timestamps read after the run).
    case lineOrder
}
