/// Splits the `[pod/NAME/CONTAINER] …` or `[NAME] …` prefix that `kubectl logs --prefix` adds.
public enum LogStreamPrefix {
    /// Log-level words that look like a bare prefix but are not pod names.
    static let levelWords: Set<String> = [
        "trace", "debug", "info", "notice", "warn", "warning", "error", "fatal", "critical", "panic",
    ]

    /// Returns the pod name and the rest of the line, or nil when the line has no pod prefix.
    ///
    /// `[pod/ws-0/server] msg` and `[ws-0] msg` both give `("ws-0", "msg")`. A bare bracketed word is
    /// only taken as a pod when it is a DNS-1123 name (lowercase letters, digits, `-`, `.`) and not
    /// a log level such as `[info]`.
    public static func split(_ line: Substring) -> (pod: String, rest: Substring)? {
        guard line.first == "[", let close = line.firstIndex(of: "]") else { return nil }
        let inner = line[line.index(after: line.startIndex)..<close]
        var rest = line[line.index(after: close)...]
        if rest.first == " " { rest = rest.dropFirst() }
        let parts = inner.split(separator: "/", omittingEmptySubsequences: false)
        let name: Substring
        if parts.count >= 2, parts[0] == "pod" || parts[0] == "pods" {
            name = parts[1]
        } else if parts.count == 1 {
            name = parts[0]
            if levelWords.contains(String(name)) { return nil }
        } else {
            return nil
        }
        guard isDNSName(name) else { return nil }
        return (String(name), rest)
    }

    /// True when `s` is a DNS-1123 subdomain-style name.
    static func isDNSName(_ s: Substring) -> Bool {
        guard let first = s.first, let last = s.last, s.count <= 253 else { return false }
        func alnum(_ c: Character) -> Bool { c.isASCII && (c.isLowercase || c.isNumber) }
        guard alnum(first), alnum(last) else { return false }
        return s.allSatisfy { alnum($0) || $0 == "-" || $0 == "." }
    }
}
