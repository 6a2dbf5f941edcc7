/// Character classes and small helpers from the HTTP grammar (RFC 9110 §5.6), shared by the head parsers and builders.
enum HTTPSyntax {
    static let cr = UInt8(ascii: "\r")
    static let lf = UInt8(ascii: "\n")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let colon = UInt8(ascii: ":")

    /// tchar (RFC 9110 §5.6.2): the characters allowed in a token.
    static func isTokenChar(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
            UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// Whether `s` is a non-empty token.
    static func isToken(_ s: some StringProtocol) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy(isTokenChar)
    }

    /// A control character other than HTAB, which may not appear in a field value (RFC 9110 §5.5).
    static func isForbiddenInValue(_ b: UInt8) -> Bool {
        (b < 0x20 && b != tab) || b == 0x7F
    }

    /// ASCII lower-casing of one byte.
    static func asciiLower(_ b: UInt8) -> UInt8 {
        (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z")) ? b | 0x20 : b
    }

    /// `s` without leading and trailing optional whitespace (SP / HTAB).
    static func trimOWS(_ s: Substring) -> Substring {
        var t = s
        while let c = t.first, c == " " || c == "\t" { t.removeFirst() }
        while let c = t.last, c == " " || c == "\t" { t.removeLast() }
        return t
    }

    /// `s` with CR, LF and NUL removed, so a caller-supplied value cannot inject header lines.
    static func sanitize(_ s: String) -> String {
        guard s.utf8.contains(where: { $0 == cr || $0 == lf || $0 == 0 }) else { return s }
        return String(decoding: s.utf8.filter { $0 != cr && $0 != lf && $0 != 0 }, as: UTF8.self)
    }

    /// Appends `name: value\r\n` to `out`, stripping CR/LF/NUL from both (header injection guard).
    static func appendField(_ name: String, _ value: String, to out: inout [UInt8]) {
        out.append(contentsOf: sanitize(name).utf8)
        out.append(contentsOf: ": ".utf8)
        out.append(contentsOf: sanitize(value).utf8)
        out.append(contentsOf: "\r\n".utf8)
    }
}
