import Foundation
import Yams

/// Walks a composed YAML node tree into a ``Profile``, rejecting unknown keys and wrong types with
/// the position of the offending node. Cross-field checks live in `Profile+Validation.swift`.
struct ProfileReader {
    private(set) var map: ProfileSourceMap
    /// Problems found so far; reading goes on past a bad section or an unknown key so all are reported at once.
    private var problems: [ProfileError] = []

    init(file: String) {
        map = ProfileSourceMap(file: file)
    }

    // MARK: - Entry point

    /// Composes `yaml` and reads it; YAML syntax errors become positioned ``ProfileError``s.
    mutating func read(yaml: String) throws(ProfileError) -> Profile {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw syntaxError(error, yaml: yaml)
        } catch {
            throw ProfileError(file: map.file, line: nil, column: nil, keyPath: "", message: "cannot read YAML: \(error)")
        }
        var profile = Profile()
        profile.name = Self.stem(of: map.file)
        map.values[""] = .init(line: 1, column: 1)
        guard let root, !Self.isNull(root) else {
            profile.sourceMap = map
            return profile
        }
        if let mark = root.mark { map.values[""] = .init(line: mark.line, column: mark.column) }
        try readSection(root, "", ProfileKeys.root, required: [], into: &profile)
        if let error = ProfileError.combined(problems) { throw error }
        profile.sourceMap = map
        return profile
    }

    /// `profiles/ingress-20conns.yaml` → `ingress-20conns`; `builtin:local-demo` → `local-demo`.
    static func stem(of file: String) -> String {
        var name = file
        if name.hasPrefix("builtin:") { name.removeFirst("builtin:".count) }
        if let slash = name.lastIndex(of: "/") { name = String(name[name.index(after: slash)...]) }
        for ext in [".yaml", ".yml"] where name.hasSuffix(ext) {
            name.removeLast(ext.count)
            break
        }
        return name
    }

    /// A likely cause for libyaml's terser messages.
    static func syntaxHint(_ problem: String) -> String {
        if problem.contains("mapping values are not allowed") {
            return "; check the indentation of this line and the one above, or quote a value that contains \": \""
        }
        if problem.contains("found character that cannot start any token") {
            return "; tabs cannot indent YAML and values starting with @ or ` must be quoted"
        }
        return ""
    }

    /// In a block mapping, the next line after `first` that starts with `key:` at the same column.
    static func repeatedKey(_ key: String, after first: Mark, in yaml: String) -> (line: Int, column: Int)? {
        let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
        guard first.line < lines.count else { return nil }
        let indent = first.column - 1
        for index in first.line..<lines.count {
            let line = lines[index]
            let leading = line.prefix { $0 == " " }.count
            if leading < indent, !line.allSatisfy({ $0 == " " }), !line.drop(while: { $0 == " " }).hasPrefix("#") { return nil }
            let body = line.dropFirst(indent)
            if leading == indent, body.hasPrefix(key), body.dropFirst(key.count).drop(while: { $0 == " " }).hasPrefix(":") {
                return (index + 1, first.column)
            }
        }
        return nil
    }

    private func syntaxError(_ error: YamlError, yaml: String) -> ProfileError {
        func located(_ mark: Mark, _ message: String) -> ProfileError {
            ProfileError(file: map.file, line: mark.line, column: mark.column, keyPath: "", message: message)
        }
        func withContext(_ problem: String, _ context: YamlError.Context?) -> String {
            guard let context else { return "YAML syntax error: \(problem)" }
            return "YAML syntax error: \(problem) (\(context.text) at \(context.mark.line):\(context.mark.column))"
        }
        switch error {
        case let .scanner(context, problem, mark, _),
            let .parser(context, problem, mark, _),
            let .composer(context, problem, mark, _):
            return located(mark, withContext(problem, context) + Self.syntaxHint(problem))
        case let .duplicatedKeysInMapping(duplicates, context):
            let key = duplicates.first ?? ""
            let first = context.mark
            let repeated = Self.repeatedKey(key, after: first, in: yaml) ?? (first.line, first.column)
            return ProfileError(
                file: map.file, line: repeated.line, column: repeated.column, keyPath: "",
                message: "duplicate key \"\(key)\" (first given at \(first.line):\(first.column))")
        default:
            return ProfileError(file: map.file, line: nil, column: nil, keyPath: "", message: "YAML error: \(error)")
        }
    }

    // MARK: - Sections

    /// Reads a fixed-shape mapping whose keys are `keys` (a section of ``ProfileKeys``) into `value`. An unknown
    /// key or a bad value is recorded and reading goes on, so every problem of a profile is reported at once.
    mutating func readSection<S>(
        _ node: Node, _ path: String, _ keys: [ProfileKey<S>], required: [String],
        into value: inout S
    ) throws(ProfileError) {
        let fields = try mapping(node, path: path, allowed: keys.map(\.name))
        for name in required where fields[name] == nil {
            throw map.error(fields.path, "missing required key \"\(name)\"")
        }
        for key in keys {
            guard let child = fields[key.name] else { continue }
            do { try key.read(&self, child, fields.path(key.name), &value) } catch { problems.append(error) }
        }
    }

    /// `attribution.first_message`: exactly one of `json_path` or `regex`.
    mutating func firstMessage(_ node: Node, _ path: String) throws(ProfileError) -> Profile.FirstMessageRule {
        let h = try mapping(node, path: path, allowed: ProfileSchema.allowedKeys[path] ?? [])
        switch (h["json_path"], h["regex"]) {
        case let (jsonPath?, nil): return .jsonPath(try string(jsonPath, h.path("json_path")))
        case let (nil, regex?): return .regex(try string(regex, h.path("regex")))
        case (_?, _?): throw map.error(h.path("regex"), "give either json_path or regex, not both", atKey: true)
        case (nil, nil): throw map.error(h.path, "expected json_path or regex")
        }
    }

    /// `server_logs.stream`: exactly one of `command` or `stdin: true`.
    mutating func logStream(_ node: Node, _ path: String) throws(ProfileError) -> Profile.LogStream {
        let h = try mapping(node, path: path, allowed: ProfileSchema.allowedKeys[path] ?? [])
        switch (h["command"], h["stdin"]) {
        case let (command?, nil):
            return .command(try stringList(command, h.path("command"), allowScalar: false))
        case let (nil, stdin?):
            guard try bool(stdin, h.path("stdin")) else {
                throw map.error(h.path("stdin"), "stdin: false reads nothing; remove the stream section instead")
            }
            return .stdin
        case (_?, _?): throw map.error(h.path("stdin"), "give either command or stdin, not both", atKey: true)
        case (nil, nil): throw map.error(h.path, "expected command or stdin: true")
        }
    }

    // MARK: - Mappings

    /// The present, non-null keys of one fixed-shape mapping.
    struct Fields {
        /// Key path of the mapping itself ("" for the root).
        let path: String
        var entries: [String: Node] = [:]

        subscript(key: String) -> Node? { entries[key] }

        /// Key path of a child.
        func path(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
    }

    /// Reads a mapping whose keys must all be in `allowed`.
    private mutating func mapping(_ node: Node, path: String, allowed: [String]) throws(ProfileError) -> Fields {
        var fields = Fields(path: path)
        for (key, value) in try pairs(node, path, expected: "a mapping with keys \(allowed.joined(separator: ", "))") {
            let childPath = fields.path(key)
            guard allowed.contains(key) else {
                problems.append(
                    map.error(
                        childPath,
                        "unknown key \"\(key)\"; expected one of \(allowed.joined(separator: ", "))"
                            + Suggest.hint(for: key, in: allowed), atKey: true))
                continue
            }
            if !Self.isNull(value) { fields.entries[key] = value }
        }
        return fields
    }

    /// Reads a free-form mapping (any string keys).
    private mutating func freeMapping(_ node: Node, _ path: String) throws(ProfileError) -> [(String, Node)] {
        try pairs(node, path, expected: "a mapping")
    }

    /// Key/value pairs of a mapping, recording positions; `expected` describes the shape for errors.
    private mutating func pairs(_ node: Node, _ path: String, expected: String) throws(ProfileError) -> [(String, Node)] {
        guard case .mapping(let mapping) = node else {
            throw map.error(path, "expected \(expected), got \(Self.describe(node))")
        }
        var result: [(String, Node)] = []
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode else {
                throw located(keyNode, path, "keys must be plain strings, got \(Self.describe(keyNode))")
            }
            let childPath = path.isEmpty ? scalar.string : "\(path).\(scalar.string)"
            if let mark = keyNode.mark { map.keys[childPath] = .init(line: mark.line, column: mark.column) }
            if let mark = value.mark { map.values[childPath] = .init(line: mark.line, column: mark.column) }
            result.append((scalar.string, value))
        }
        return result
    }

    // MARK: - Scalars

    private func located(_ node: Node, _ path: String, _ message: String) -> ProfileError {
        ProfileError(file: map.file, line: node.mark?.line, column: node.mark?.column, keyPath: path, message: message)
    }

    /// Required key of a fixed-shape mapping.
    private func required(_ fields: Fields, _ key: String) throws(ProfileError) -> Node {
        guard let node = fields[key] else {
            throw map.error(fields.path, "missing required key \"\(key)\"")
        }
        return node
    }

    private func scalarText(_ node: Node, _ path: String, expected: String) throws(ProfileError) -> String {
        guard case .scalar(let scalar) = node else {
            throw located(node, path, "expected \(expected), got \(Self.describe(node))")
        }
        return scalar.string
    }

    func string(_ node: Node, _ path: String) throws(ProfileError) -> String {
        try scalarText(node, path, expected: "a string")
    }

    func int(_ node: Node, _ path: String) throws(ProfileError) -> Int {
        let text = try scalarText(node, path, expected: "an integer")
        guard let value = Int(text.replacingOccurrences(of: "_", with: "")) else {
            throw located(node, path, "expected an integer, got \(Self.describe(node))")
        }
        return value
    }

    func double(_ node: Node, _ path: String) throws(ProfileError) -> Double {
        let text = try scalarText(node, path, expected: "a number")
        guard let value = Double(text.replacingOccurrences(of: "_", with: "")), value.isFinite else {
            throw located(node, path, "expected a number, got \(Self.describe(node))")
        }
        return value
    }

    /// A percentage: `25`, `25%` or `12.5%`.
    func percent(_ node: Node, _ path: String) throws(ProfileError) -> Double {
        var text = try scalarText(node, path, expected: "a percentage")
        if text.hasSuffix("%") { text.removeLast() }
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite else {
            throw located(node, path, "expected a percentage such as 25 or 25%, got \(Self.describe(node))")
        }
        return value
    }

    func bool(_ node: Node, _ path: String) throws(ProfileError) -> Bool {
        let text = try scalarText(node, path, expected: "true or false")
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw located(node, path, "expected true or false, got \(Self.describe(node))")
        }
    }

    func duration(_ node: Node, _ path: String) throws(ProfileError) -> ProfileDuration {
        let text = try scalarText(node, path, expected: "a duration")
        guard let value = ProfileDuration(parsing: text) else {
            throw located(
                node, path,
                "bad duration \(Self.describe(node)); expected seconds (e.g. 30 or 0.5) or a duration such as 500ms, 30s, 2m, 1h30m")
        }
        return value
    }

    func size(_ node: Node, _ path: String) throws(ProfileError) -> ProfileSize {
        let text = try scalarText(node, path, expected: "a size")
        guard let value = ProfileSize(parsing: text) else {
            throw located(node, path, "bad size \(Self.describe(node)); expected bytes (e.g. 65536) or a size such as 64KiB, 16MiB")
        }
        return value
    }

    func choice<E: RawRepresentable & CaseIterable>(_ node: Node, _ path: String, _: E.Type) throws(ProfileError) -> E
    where E.RawValue == String {
        let names = E.allCases.map(\.rawValue)
        let text = try scalarText(node, path, expected: "one of \(names.joined(separator: ", "))")
        guard let value = E(rawValue: text) else {
            throw located(
                node, path,
                "unknown value \"\(text)\"; expected one of \(names.joined(separator: ", "))"
                    + Suggest.hint(for: text, in: names))
        }
        return value
    }

    // MARK: - Collections

    /// Items of a sequence (or, with `allowScalar`, a lone scalar as a one-item list).
    mutating func list(_ node: Node, _ path: String, allowScalar: Bool) throws(ProfileError) -> [Node] {
        switch node {
        case .sequence(let sequence):
            var items: [Node] = []
            for (i, item) in sequence.enumerated() {
                if let mark = item.mark { map.values["\(path)[\(i)]"] = .init(line: mark.line, column: mark.column) }
                items.append(item)
            }
            return items
        case .scalar where allowScalar:
            if let mark = node.mark { map.values["\(path)[0]"] = .init(line: mark.line, column: mark.column) }
            return [node]
        default:
            throw located(node, path, "expected a list, got \(Self.describe(node))")
        }
    }

    mutating func stringList(_ node: Node, _ path: String, allowScalar: Bool) throws(ProfileError) -> [String] {
        var result: [String] = []
        for (i, item) in try list(node, path, allowScalar: allowScalar).enumerated() {
            result.append(try string(item, "\(path)[\(i)]"))
        }
        return result
    }

    mutating func stringMap(_ node: Node, _ path: String) throws(ProfileError) -> [String: String] {
        var result: [String: String] = [:]
        for (key, value) in try freeMapping(node, path) {
            result[key] = Self.isNull(value) ? "" : try string(value, "\(path).\(key)")
        }
        return result
    }

    /// A free-form mapping of numbers (`expected.weights`).
    mutating func numberMap(_ node: Node, _ path: String) throws(ProfileError) -> [String: Double] {
        var result: [String: Double] = [:]
        for (key, value) in try freeMapping(node, path) { result[key] = try double(value, "\(path).\(key)") }
        return result
    }

    // MARK: - Helpers

    static func isNull(_ node: Node) -> Bool {
        if case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any {
            return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
        }
        return false
    }

    /// `a mapping`, `a list`, or the scalar quoted.
    static func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar(let scalar): return "\"\(scalar.string)\""
        case .alias: return "an alias"
        }
    }
}
