import Foundation

/// When one phase of a run (ramp, hold, close…) started and ended.
public struct PhaseTiming: Sendable, Codable, Equatable {
    /// The phase name, e.g. `ramp`, `hold`, `close`.
    public var name: String
    /// Phase start, rounded to milliseconds.
    public var start: Date
    /// Phase end, rounded to milliseconds.
    public var end: Date

    /// Creates a phase timing; dates are rounded to milliseconds so JSON round trips are exact.
    public init(name: String, start: Date, end: Date) {
        self.name = name
        self.start = ReportDate.normalize(start)
        self.end = ReportDate.normalize(end)
    }

    /// end − start in seconds.
    public var durationSeconds: Double { end.timeIntervalSince(start) }
}
