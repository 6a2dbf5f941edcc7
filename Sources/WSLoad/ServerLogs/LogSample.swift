import Foundation

/// One "active connections" reading taken from a single server log line.
///
/// `precision` and `phase` are optional and left out of the JSON when absent, so reports saved before they
/// existed still decode and encode byte for byte the same.
public struct LogSample: Sendable, Codable, Equatable, Hashable {
    /// Pod the line belongs to, when the line, its stream prefix or the caller names one.
    public var pod: String?
    /// When the reading was logged, when the line carries a recognisable timestamp.
    public var timestamp: Date?
    /// The number of active connections the server reported.
    public var activeConnections: Int
    /// 1-based line number in the parsed input.
    public var line: Int
    /// How finely the line's own stamp resolves time (nil: no stamp on the line, or unknown: treated as exact).
    public var precision: LogTimestampPrecision?
    /// The run phase in which wsload read the line when it followed the log live (nil: read afterwards).
    public var phase: LogArrivalPhase?

    /// Creates a sample.
    public init(
        pod: String?, timestamp: Date?, activeConnections: Int, line: Int,
        precision: LogTimestampPrecision? = nil, phase: LogArrivalPhase? = nil
    ) {
        self.pod = pod
        self.timestamp = timestamp
        self.activeConnections = activeConnections
        self.line = line
        self.precision = precision
        self.phase = phase
    }

    /// The end of the interval the stamp stands for (`timestamp + precision`); nil without a timestamp.
    public var latestTime: Date? {
        timestamp.map { $0.addingTimeInterval(precision?.interval ?? 0) }
    }
}
