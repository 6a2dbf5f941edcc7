/// One line typed into `wsload shell`, parsed; a line that means nothing is an error with words, never a guess.
public enum ShellInput: Equatable, Sendable {
    /// `connect [N]`: open N connections (1 when N is left out).
    case connect(Int)
    /// `close [N|all]`: close the N newest open connections (1 when left out; `nil` for all).
    case close(Int?)
    /// `send TEXT`: send TEXT on every open connection.
    case send(String)
    /// `status`: counts of open, connecting and failed connections.
    case status
    /// `pods`: open connections per pod.
    case pods
    /// `wait [SECONDS]`: pause reading input (1 s when left out).
    case wait(Double)
    /// `help` or `?`.
    case help
    /// `quit` or `exit`.
    case quit
    /// A blank line.
    case empty

    /// The commands, as `help` prints them.
    public static let summary = "connect N | close N|all | send TEXT | status | pods | wait SECONDS | help | quit"

    /// The most connections one `connect` opens.
    public static let maxConnect = 100_000

    /// Why a line was not understood, for a person.
    public struct ParseError: Error, Equatable, CustomStringConvertible, Sendable {
        /// The message, e.g. `connect: expected a number of connections (1 or more), got "abc"`.
        public var description: String
    }

    /// Parses one input line.
    public static func parse(_ line: String) -> Result<ShellInput, ParseError> {
        let words = line.split(separator: " ", maxSplits: 1).map(String.init)
        guard let first = words.first else { return .success(.empty) }
        let command = first.lowercased()
        let argument = words.count > 1 ? words[1].trimmingCharacters(in: .whitespaces) : ""
        func fail(_ text: String) -> Result<ShellInput, ParseError> { .failure(ParseError(description: text)) }
        /// The count argument: 1 when left out, nil when it is not a whole number from 1 to `maxConnect`.
        func count() -> Int? {
            if argument.isEmpty { return 1 }
            guard let n = Int(argument), n >= 1, n <= maxConnect else { return nil }
            return n
        }
        switch command {
        case "connect":
            guard let n = count() else {
                return fail("connect: expected a number of connections from 1 to \(maxConnect), got \"\(argument)\"")
            }
            return .success(.connect(n))
        case "close":
            if argument.lowercased() == "all" { return .success(.close(nil)) }
            guard let n = count() else { return fail("close: expected a number of connections (1 or more) or `all`, got \"\(argument)\"") }
            return .success(.close(n))
        case "send":
            guard !argument.isEmpty else { return fail("send: give the text to send, e.g. `send hello`") }
            return .success(.send(argument))
        case "wait", "sleep":
            if argument.isEmpty { return .success(.wait(1)) }
            guard let s = Double(argument), s.isFinite, s >= 0, s <= 3600 else {
                return fail("\(command): expected seconds from 0 to 3600 (e.g. `wait 2` or `wait 0.5`), got \"\(argument)\"")
            }
            return .success(.wait(s))
        case "status", "pods", "help", "?", "quit", "exit":
            guard argument.isEmpty else { return fail("\(command) takes no argument, got \"\(argument)\"") }
            switch command {
            case "status": return .success(.status)
            case "pods": return .success(.pods)
            case "quit", "exit": return .success(.quit)
            default: return .success(.help)
            }
        default:
            return fail("unknown command \"\(first)\"; the commands are: \(summary)")
        }
    }
}
