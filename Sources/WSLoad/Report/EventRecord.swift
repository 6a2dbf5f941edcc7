import Foundation

/// What became of one timed event (`events:`): when it ran, how it ended, the tail of what it printed.
public struct EventRecord: Sendable, Codable, Equatable {
    /// How an event ended.
    public enum Outcome: String, Sendable, Codable, Equatable {
        /// The command exited with status 0.
        case succeeded
        /// The command exited with another status or was killed by a signal.
        case failed
        /// The command ran longer than its timeout and was killed.
        case timedOut = "timed-out"
        /// The command could not be started (not found, not executable).
        case couldNotStart = "could-not-start"
        /// The run ended before the event's time came.
        case notRun = "not-run"

        /// Whether the event did what it was asked to.
        public var isSuccess: Bool { self == .succeeded }
    }

    /// Name shown in reports.
    public var name: String
    /// Planned start, seconds after the run start.
    public var at: Double
    /// The command as run, secrets redacted (``Redaction/redactCommand(_:)``).
    public var command: String
    /// How it ended.
    public var outcome: Outcome
    /// Actual start, seconds after the run start (nil when not run).
    public var startedAt: Double?
    /// Seconds from start to exit (nil when not run).
    public var duration: Double?
    /// `exit status 0`, `signal 15 (SIGTERM)`, or why it did not run.
    public var status: String
    /// The exit status when the command exited (nil when killed or not run).
    public var exitStatus: Int?
    /// The last lines of standard output and standard error (at most ``tailLimit`` characters each).
    public var stdoutTail: String, stderrTail: String

    /// Characters kept of each output stream's end.
    public static let tailLimit = 400

    /// Creates a record.
    public init(
        name: String, at: Double, command: String, outcome: Outcome, startedAt: Double? = nil, duration: Double? = nil,
        status: String, exitStatus: Int? = nil, stdoutTail: String = "", stderrTail: String = ""
    ) {
        self.name = name; self.at = at; self.command = command; self.outcome = outcome; self.startedAt = startedAt
        self.duration = duration; self.status = status; self.exitStatus = exitStatus; self.stdoutTail = stdoutTail
        self.stderrTail = stderrTail
    }

    /// The record of `event` started `startedAt` seconds after the run start, from what running it gave.
    public static func record(_ event: TimedEvent, startedAt: Double, result: Result<CommandResult, CommandError>) -> EventRecord {
        let command = Redaction.redactCommand(event.command)
        switch result {
        case .success(let r):
            let exit: Int? = if case .exited(let s) = r.termination { Int(s) } else { nil }
            return EventRecord(
                name: event.name, at: event.at, command: command, outcome: r.succeeded ? .succeeded : .failed,
                startedAt: startedAt, duration: r.duration, status: r.termination.description, exitStatus: exit,
                stdoutTail: tail(r.stdoutText), stderrTail: tail(r.stderrText))
        case .failure(.timedOut(_, let seconds, let partial)):
            return EventRecord(
                name: event.name, at: event.at, command: command, outcome: .timedOut, startedAt: startedAt,
                duration: seconds, status: "timed out after \(ReportText.seconds(seconds)), killed",
                stdoutTail: tail(partial.stdoutText), stderrTail: tail(partial.stderrText))
        case .failure(.launchFailed(_, let reason)):
            // The reason only: the error's own text holds the command as given, secrets included.
            return EventRecord(
                name: event.name, at: event.at, command: command, outcome: .couldNotStart, startedAt: startedAt,
                duration: 0, status: "could not start: \(reason)")
        case .failure(let error):
            // The other cases name only the program (not found, not executable, empty): no argument to leak.
            return EventRecord(
                name: event.name, at: event.at, command: command, outcome: .couldNotStart, startedAt: startedAt,
                duration: 0, status: "could not start: \(error)")
        }
    }

    /// The record of an event whose time had not come when the run ended.
    public static func notRun(_ event: TimedEvent) -> EventRecord {
        EventRecord(
            name: event.name, at: event.at, command: Redaction.redactCommand(event.command), outcome: .notRun,
            status: "not run: the run ended before \(ReportText.seconds(event.at))")
    }

    /// The record with its actual start moved by `seconds` (from the events' clock to the report's: the run start).
    public func shifted(by seconds: Double) -> EventRecord {
        var r = self
        r.startedAt = startedAt.map { $0 + seconds }
        return r
    }

    /// The end of `text`, at most ``tailLimit`` characters, trailing whitespace trimmed.
    static func tail(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.count <= tailLimit ? trimmed : "…" + String(trimmed.suffix(tailLimit))
    }

    /// One line for people: `20 s scale-out (kubectl scale …): exit status 0 after 0.4 s`.
    public var summary: String {
        let when = startedAt.map { ReportText.seconds($0) } ?? ReportText.seconds(at)
        let took = duration.map { " after \(ReportText.seconds($0))" } ?? ""
        return "\(when) \(name) (\(command)): \(status)\(outcome == .notRun || outcome == .timedOut ? "" : took)"
    }
}
