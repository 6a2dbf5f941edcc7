/// A JSON value whose object keys keep the order they were written in: the generated
/// `docs/profile.schema.json` lists keys in documentation order, and the file is compared byte for byte in CI.
indirect enum SchemaJSON: Sendable, Equatable {
    case string(String)
    case integer(Int)
    case number(Double)
    case bool(Bool)
    case array([SchemaJSON])
    case object([(String, SchemaJSON)])

    static func == (a: SchemaJSON, b: SchemaJSON) -> Bool { a.pretty() == b.pretty() }

    /// The value of `key` in an object (nil otherwise).
    subscript(key: String) -> SchemaJSON? {
        guard case .object(let pairs) = self else { return nil }
        return pairs.first { $0.0 == key }?.1
    }

    /// This object with `extra` appended (keys already present are replaced in place).
    func merging(_ extra: [(String, SchemaJSON)]) -> SchemaJSON {
        guard case .object(var pairs) = self else { return self }
        for (key, value) in extra {
            if let i = pairs.firstIndex(where: { $0.0 == key }) { pairs[i].1 = value } else { pairs.append((key, value)) }
        }
        return .object(pairs)
    }

    /// Two-space indented text, one key per line, arrays of scalars on one line each item (as `python -m json.tool`).
    func pretty(indent: Int = 0) -> String {
        let pad = String(repeating: " ", count: indent + 2)
        let close = String(repeating: " ", count: indent)
        switch self {
        case .string(let s): return JSONString.quoted(s)
        case .integer(let n): return String(n)
        case .number(let x): return x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x)
        case .bool(let b): return b ? "true" : "false"
        case .array(let items):
            if items.isEmpty { return "[]" }
            return "[\n" + items.map { pad + $0.pretty(indent: indent + 2) }.joined(separator: ",\n") + "\n\(close)]"
        case .object(let pairs):
            if pairs.isEmpty { return "{}" }
            let members = pairs.map { pad + JSONString.quoted($0.0) + ": " + $0.1.pretty(indent: indent + 2) }
            return "{\n" + members.joined(separator: ",\n") + "\n\(close)}"
        }
    }
}
