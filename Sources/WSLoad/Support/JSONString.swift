/// JSON string literals (RFC 8259 §7): quotation mark, reverse solidus and control characters escaped, the rest
/// as UTF-8. One escaper for every JSON the project writes by hand (the profile schema, `connections.jsonl`).
enum JSONString {
    /// Appends `value` as a JSON string literal to `out`; a string with nothing to escape is copied whole.
    static func append(_ value: String, to out: inout String) {
        out += "\""
        if !value.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) {
            out += value
        } else {
            for scalar in value.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\t": out += "\\t"
                case "\r": out += "\\r"
                case _ where scalar.value < 0x20:
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                default: out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    /// `value` as a JSON string literal.
    static func quoted(_ value: String) -> String {
        var out = ""
        append(value, to: &out)
        return out
    }
}
