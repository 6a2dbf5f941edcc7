/// The layout of `report.json`: objects indented one key per line, and every element of an array on one line of
/// its own, written compactly when it fits in ``maxElementLine`` bytes.
///
/// A report's arrays are where it grows — a timeline point per interval with a count per pod, a row per pod, a
/// placement, a failure bucket — and fully indented JSON spends a line and ten bytes of indentation on every number
/// in them: at a million connections over 56 pods, the timeline alone was 815 KB indented and 490 KB with a line per
/// point. A line per element also keeps the file readable and diffable (one pod, one sample, one bucket per line).
/// Elements longer than ``maxElementLine`` (a pod's server-log samples) are indented like objects, so the layout
/// makes no line longer than the limit — a report printed into a pod's log (`--emit-report-json`) stays within a log
/// line; only a long string value (a histogram's `buckets`) is longer, as in any layout.
///
/// Input is compact JSON (RFC 8259) as `JSONEncoder` writes it; the layout only moves whitespace, so numbers and
/// strings keep the encoder's spelling and the text decodes to the same value.
enum JSONLayout {
    /// The longest array element, in bytes, written on one line.
    static let maxElementLine = 4096

    /// `compact` (JSON without insignificant whitespace) laid out; ends without a newline.
    static func layout(_ compact: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(compact.count + compact.count / 4)
        var i = 0
        value(compact, &i, depth: 0, into: &out)
        return out
    }

    private static let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
    private static let openObject = UInt8(ascii: "{"), closeObject = UInt8(ascii: "}")
    private static let openArray = UInt8(ascii: "["), closeArray = UInt8(ascii: "]")
    private static let comma = UInt8(ascii: ","), colon = UInt8(ascii: ":")

    /// Writes the value starting at `i` (indented at `depth`) and moves `i` past it.
    private static func value(_ s: [UInt8], _ i: inout Int, depth: Int, into out: inout [UInt8]) {
        guard i < s.count else { return }
        let c = s[i]
        guard c == openObject || c == openArray else {
            let end = scalarEnd(s, i)
            out.append(contentsOf: s[i..<end])
            i = end
            return
        }
        let close = c == openObject ? closeObject : closeArray
        i += 1
        if i < s.count, s[i] == close {  // empty: {} or []
            out.append(c)
            out.append(close)
            i += 1
            return
        }
        out.append(c)
        while i < s.count {
            newline(depth + 1, &out)
            if c == openObject {
                let keyEnd = scalarEnd(s, i)
                out.append(contentsOf: s[i..<keyEnd])
                out.append(contentsOf: [0x20, colon, 0x20])  // "key" : value, as the indented encoder writes it
                i = keyEnd + 1  // past ':'
                value(s, &i, depth: depth + 1, into: &out)
            } else {
                let end = valueEnd(s, i)
                if s[i] == openObject || s[i] == openArray, end - i > maxElementLine {
                    value(s, &i, depth: depth + 1, into: &out)
                } else {
                    out.append(contentsOf: s[i..<end])  // one element, one line
                    i = end
                }
            }
            guard i < s.count else { return }
            if s[i] == comma {
                out.append(comma)
                i += 1
            } else {  // the closing bracket
                i += 1
                break
            }
        }
        newline(depth, &out)
        out.append(close)
    }

    /// A newline and two spaces per level.
    private static func newline(_ depth: Int, _ out: inout [UInt8]) {
        out.append(0x0A)
        out.append(contentsOf: repeatElement(0x20, count: 2 * depth))
    }

    /// The index just past the string, number or literal starting at `i`.
    private static func scalarEnd(_ s: [UInt8], _ i: Int) -> Int {
        var j = i
        if s[j] == quote {
            j += 1
            while j < s.count, s[j] != quote { j += s[j] == backslash ? 2 : 1 }
            return min(j + 1, s.count)
        }
        while j < s.count, s[j] != comma, s[j] != closeObject, s[j] != closeArray, s[j] != colon { j += 1 }
        return j
    }

    /// The index just past the value (of any kind) starting at `i`.
    private static func valueEnd(_ s: [UInt8], _ i: Int) -> Int {
        guard s[i] == openObject || s[i] == openArray else { return scalarEnd(s, i) }
        var j = i, nesting = 0
        while j < s.count {
            switch s[j] {
            case quote: j = scalarEnd(s, j)
            case openObject, openArray:
                nesting += 1
                j += 1
            case closeObject, closeArray:
                nesting -= 1
                j += 1
                if nesting == 0 { return j }
            default: j += 1
            }
        }
        return j
    }
}
