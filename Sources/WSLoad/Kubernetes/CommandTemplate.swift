/// An argv template with `{placeholder}` fields, rendered per argument without any shell.
///
/// Each argument is rendered on its own: a value containing spaces, quotes or `$` stays inside the one
/// argument it was substituted into, and values are never re-scanned for placeholders. A placeholder is
/// `{` + an identifier (`[A-Za-z_][A-Za-z0-9_]*`) + `}`; any other brace is literal (so kubectl JSONPath
/// such as `{.items[*].metadata.name}` passes through), and `{{` writes a literal `{`.
public struct CommandTemplate: Sendable, Equatable, Hashable, Codable, ExpressibleByArrayLiteral,
    CustomStringConvertible
{
    /// The template arguments; the first one is the executable (a name looked up in `PATH`, or a path).
    public var arguments: [String]

    /// Every placeholder a template may use.
    public static let knownPlaceholders: Set<String> = [
        "namespace", "selector", "pod", "start", "localPort", "remotePort", "container",
    ]

    /// `kubectl get pods -n {namespace} -l {selector} -o json`.
    public static let podDiscovery: CommandTemplate = [
        "kubectl", "get", "pods", "-n", "{namespace}", "-l", "{selector}", "-o", "json",
    ]

    /// `kubectl logs -n {namespace} {pod} --since-time={start} --timestamps -f`.
    public static let podLogs: CommandTemplate = [
        "kubectl", "logs", "-n", "{namespace}", "{pod}", "--since-time={start}", "--timestamps", "-f",
    ]

    /// Creates a template from argv.
    public init(_ arguments: [String]) { self.arguments = arguments }

    /// Creates a template from an array literal.
    public init(arrayLiteral elements: String...) { self.arguments = elements }

    /// Decodes from a plain JSON/YAML string array.
    public init(from decoder: any Decoder) throws {
        arguments = try decoder.singleValueContainer().decode([String].self)
    }

    /// Encodes as a plain string array.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(arguments)
    }

    /// The arguments joined by spaces, for messages (not for a shell).
    public var description: String { arguments.joined(separator: " ") }

    /// Placeholder names used, in order of first appearance; throws on an unknown one or an empty template.
    public func placeholders() throws(CommandTemplateError) -> [String] {
        guard !arguments.isEmpty, !arguments[0].isEmpty else { throw .emptyCommand }
        var seen: [String] = []
        for (index, argument) in arguments.enumerated() {
            for piece in Self.scan(argument) {
                guard case .placeholder(let name) = piece else { continue }
                guard Self.knownPlaceholders.contains(name) else {
                    throw .unknownPlaceholder(name: name, argument: argument, index: index)
                }
                if !seen.contains(name) { seen.append(name) }
            }
        }
        return seen
    }

    /// Renders argv, substituting `values` into each argument separately.
    ///
    /// Throws ``CommandTemplateError/unknownPlaceholder(name:argument:index:)`` for a placeholder outside
    /// ``knownPlaceholders`` and ``CommandTemplateError/missingValue(name:argument:index:)`` for a known one
    /// without a value. Extra values are ignored.
    public func render(_ values: [String: String]) throws(CommandTemplateError) -> [String] {
        guard !arguments.isEmpty, !arguments[0].isEmpty else { throw .emptyCommand }
        var argv: [String] = []
        argv.reserveCapacity(arguments.count)
        for (index, argument) in arguments.enumerated() {
            var out = ""
            for piece in Self.scan(argument) {
                switch piece {
                case .literal(let text):
                    out += text
                case .placeholder(let name):
                    guard Self.knownPlaceholders.contains(name) else {
                        throw .unknownPlaceholder(name: name, argument: argument, index: index)
                    }
                    guard let value = values[name] else {
                        throw .missingValue(name: name, argument: argument, index: index)
                    }
                    out += value
                }
            }
            argv.append(out)
        }
        return argv
    }

    enum Piece: Equatable {
        case literal(String)
        case placeholder(String)
    }

    /// Splits one argument into literal text and placeholders.
    static func scan(_ argument: String) -> [Piece] {
        var pieces: [Piece] = []
        var literal = ""
        let chars = Array(argument.unicodeScalars)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "{" {
                if i + 1 < chars.count, chars[i + 1] == "{" {
                    literal.unicodeScalars.append("{")
                    i += 2
                    continue
                }
                var j = i + 1
                while j < chars.count, isIdentifier(chars[j], first: j == i + 1) { j += 1 }
                if j > i + 1, j < chars.count, chars[j] == "}" {
                    if !literal.isEmpty { pieces.append(.literal(literal)); literal = "" }
                    var name = ""
                    name.unicodeScalars.append(contentsOf: chars[(i + 1)..<j])
                    pieces.append(.placeholder(name))
                    i = j + 1
                    continue
                }
            }
            literal.unicodeScalars.append(c)
            i += 1
        }
        if !literal.isEmpty { pieces.append(.literal(literal)) }
        return pieces
    }

    private static func isIdentifier(_ c: Unicode.Scalar, first: Bool) -> Bool {
        if c == "_" || ("a"..."z").contains(c) || ("A"..."Z").contains(c) { return true }
        return !first && ("0"..."9").contains(c)
    }
}

/// Why a ``CommandTemplate`` could not be rendered.
public enum CommandTemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The template has no executable.
    case emptyCommand
    /// A `{name}` that is not one of ``CommandTemplate/knownPlaceholders``.
    case unknownPlaceholder(name: String, argument: String, index: Int)
    /// A known placeholder for which no value was given.
    case missingValue(name: String, argument: String, index: Int)

    /// A human-readable description naming the placeholder.
    public var description: String {
        switch self {
        case .emptyCommand:
            return "command template is empty"
        case let .unknownPlaceholder(name, argument, index):
            let known = CommandTemplate.knownPlaceholders.sorted().map { "{\($0)}" }.joined(separator: " ")
            return "unknown placeholder {\(name)} in command argument \(index + 1) \"\(argument)\" (known: \(known))"
        case let .missingValue(name, argument, index):
            return "no value for placeholder {\(name)} in command argument \(index + 1) \"\(argument)\""
        }
    }
}
