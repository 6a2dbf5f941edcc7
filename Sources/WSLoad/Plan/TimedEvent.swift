/// A command the session runs at a time relative to the run start (`events:` in a profile), planned:
/// seconds instead of durations, a name always set.
public struct TimedEvent: Sendable, Codable, Equatable {
    /// Seconds after the run start at which the command starts.
    public var at: Double
    /// Name shown in reports.
    public var name: String
    /// argv, run without a shell.
    public var command: [String]
    /// Seconds the command may run before it is killed and recorded as timed out.
    public var timeout: Double

    /// An event.
    public init(at: Double, name: String, command: [String], timeout: Double = 30) {
        self.at = at; self.name = name; self.command = command; self.timeout = timeout
    }

    /// The name an unnamed event gets: its command's first two words (`kubectl scale`).
    public static func defaultName(for command: [String]) -> String {
        let words = command.prefix(2).map { $0.split(separator: "/").last.map(String.init) ?? $0 }
        return words.isEmpty ? "event" : words.joined(separator: " ")
    }
}
