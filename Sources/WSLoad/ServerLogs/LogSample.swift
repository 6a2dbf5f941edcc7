import Foundation

/// One "active connections" reading taken from a single server log line.
public struct LogSample: Sendable, Codable, Equatable, Hashable {
    /// Pod the line belongs to, when the line, its stream prefix or the caller names one.
    public var pod: String?
    /// When the reading was logged, when the line carries a recognisable timestamp.
    public var timestamp: Date?
    /// The number of active connections the server reported.
    public var activeConnections: Int
    /// 1-based line number in the parsed input.
    public var line: Int

    /// Creates a sample.
    public init(pod: String?, timestamp: Date?, activeConnections: Int, line: Int) {
        self.pod = pod
        self.timestamp = timestamp
        self.activeConnections = activeConnections
        self.line = line
    }
}
