/// A problem with a profile, located as precisely as possible:
/// `profiles/x.yaml:12:5: clients.cookies: unknown value "per_client"; expected one of …`.
public struct ProfileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The profile file (`builtin:NAME` for built-in profiles).
    public var file: String
    /// 1-based line, when known.
    public var line: Int?
    /// 1-based column, when known.
    public var column: Int?
    /// Dotted key path such as `clients.sources[2]`; empty for whole-file problems.
    public var keyPath: String
    /// What is wrong and, where possible, how to fix it.
    public var message: String
    /// The command-line flag that set the value (`--url`), when it came from the command line: then the
    /// error is labelled with the flag instead of a file position and key path.
    public var flag: String?
    /// Further problems of the same profile, in file order: reading and validation report every problem
    /// they find at once, this one first.
    public var more: [ProfileError] = []

    /// An error at a position, or about the value of a command-line `flag`.
    public init(file: String, line: Int?, column: Int?, keyPath: String, message: String, flag: String? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.keyPath = keyPath
        self.message = message
        self.flag = flag
    }

    /// This problem and the ones in ``more``, each on its own (with an empty ``more``).
    public var all: [ProfileError] {
        var first = self
        first.more = []
        return [first] + more.flatMap(\.all)
    }

    /// One or more problems as one error: the first, with the others (in file order) in ``more``; `nil` for none.
    public static func combined(_ problems: [ProfileError]) -> ProfileError? {
        let flat = problems.flatMap(\.all)
        // Flags first (they override the file), then by position; the sort is stable for equal positions.
        let ordered = flat.enumerated().sorted { a, b in
            let ka = (a.element.flag == nil ? 1 : 0, a.element.line ?? .max, a.element.column ?? .max, a.offset)
            let kb = (b.element.flag == nil ? 1 : 0, b.element.line ?? .max, b.element.column ?? .max, b.offset)
            return ka < kb
        }.map(\.element)
        guard var first = ordered.first else { return nil }
        first.more = Array(ordered.dropFirst())
        return first
    }

    /// `file:line:column: key.path: message` (or `--flag: message`), one line per problem.
    public var description: String {
        all.map(\.text).joined(separator: "\n")
    }

    /// The text of this one problem.
    private var text: String {
        if let flag { return "\(flag): \(message)" }
        var text = file
        if let line {
            text += ":\(line)"
            if let column { text += ":\(column)" }
        }
        text += ": "
        if !keyPath.isEmpty { text += "\(keyPath): " }
        return text + message
    }
}

/// Positions of the keys and values of one parsed profile, by key path.
///
/// Equality always holds and it is not encoded: two profiles with the same content are equal
/// wherever they were read from.
struct ProfileSourceMap: Sendable, Equatable {
    struct Position: Sendable, Equatable {
        var line: Int
        var column: Int
    }

    var file: String = "<profile>"
    /// Position of each value, keyed by path (`clients.count`, `clients.sources[1]`).
    var values: [String: Position] = [:]
    /// Position of each key, keyed by path.
    var keys: [String: Position] = [:]
    /// Key paths whose value a command-line flag set, with the flag (`target.url` → `--url`).
    var flags: [String: String] = [:]

    static func == (lhs: ProfileSourceMap, rhs: ProfileSourceMap) -> Bool { true }

    /// An error located at the value of `keyPath`, else its key, else its nearest located ancestor.
    /// When a flag set `keyPath` (or a section containing it), the error names the flag instead.
    func error(_ keyPath: String, _ message: String, atKey: Bool = false) -> ProfileError {
        if let flag = flag(for: keyPath) {
            return ProfileError(file: file, line: nil, column: nil, keyPath: keyPath, message: message, flag: flag)
        }
        var path = keyPath
        while true {
            let position = atKey ? (keys[path] ?? values[path]) : (values[path] ?? keys[path])
            if let position {
                return ProfileError(file: file, line: position.line, column: position.column, keyPath: keyPath, message: message)
            }
            guard let cut = path.lastIndex(where: { $0 == "." || $0 == "[" }) else { break }
            path = String(path[..<cut])
        }
        let root = values[""]
        return ProfileError(file: file, line: root?.line, column: root?.column, keyPath: keyPath, message: message)
    }

    /// The flag that set `keyPath` or one of its ancestors (`clients.sources[1]` → `--source`).
    func flag(for keyPath: String) -> String? {
        guard !flags.isEmpty else { return nil }
        var path = keyPath
        while true {
            if let flag = flags[path] { return flag }
            guard let cut = path.lastIndex(where: { $0 == "." || $0 == "[" }) else { return nil }
            path = String(path[..<cut])
        }
    }
}

/// "Did you mean" suggestions by edit distance.
enum Suggest {
    /// Levenshtein distance between two strings (by Unicode scalar).
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a.unicodeScalars), b = Array(b.unicodeScalars)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    /// The closest candidate, if close enough to be a plausible typo.
    static func closest(to word: String, in candidates: [String]) -> String? {
        func normalized(_ s: String) -> String { s.lowercased().filter { $0 != "_" && $0 != "-" } }
        let key = normalized(word)
        if let exact = candidates.first(where: { normalized($0) == key }) { return exact }
        var best: (String, Int)? = nil
        for candidate in candidates {
            let d = distance(word.lowercased(), candidate.lowercased())
            if d < (best?.1 ?? .max) { best = (candidate, d) }
        }
        guard let (candidate, d) = best else { return nil }
        let allowed = max(1, min(3, max(word.count, candidate.count) / 3))
        return d <= allowed ? candidate : nil
    }

    /// ` (did you mean "x"?)` or the empty string.
    static func hint(for word: String, in candidates: [String]) -> String {
        closest(to: word, in: candidates).map { " (did you mean \"\($0)\"?)" } ?? ""
    }
}
