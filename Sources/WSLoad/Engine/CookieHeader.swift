/// The one `Cookie` request header a connection sends (RFC 6265 §5.4: a user agent sends at most one),
/// made from the profile's `Cookie` headers (`target.headers`, `clients.headers`, `connect --header`) and
/// the cookie jar's cookies.
///
/// Order: the profile's cookies first, as written, then the jar's. Names are not repeated: when the jar holds
/// a cookie of the same name, **the jar's value wins** and the profile's is dropped — the jar holds what the
/// server (or balancer) set during this run, and a `Set-Cookie` replaces a cookie a browser already had, which
/// is what a profile cookie stands for. A name repeated within the profile's headers keeps its first value.
public enum CookieHeader {
    /// The merged header value, or `nil` when there is no cookie at all.
    public static func merge(profile: [String], jar: String?) -> String? {
        let jarPairs = pairs(jar ?? "")
        let jarNames = Set(jarPairs.map(name(of:)))
        var seen = Set<String>()
        var merged: [String] = []
        for pair in profile.flatMap(pairs) {
            let n = name(of: pair)
            guard !jarNames.contains(n), seen.insert(n).inserted else { continue }
            merged.append(pair)
        }
        merged += jarPairs
        return merged.isEmpty ? nil : merged.joined(separator: "; ")
    }

    /// The `name=value` pairs of a `Cookie` request header (RFC 6265 §4.2.1 cookie-string: pairs separated by
    /// `;`), names and values with surrounding whitespace trimmed; a piece without `=` is skipped. The one reader
    /// of request cookies: the engine's attribution, the affinity-cookie finder and the test front use it.
    public static func nameValuePairs(_ header: String) -> [(name: String, value: String)] {
        pairs(header).compactMap { pair in
            guard let eq = pair.firstIndex(of: "=") else { return nil }
            return (pair[..<eq].trimmingCharacters(in: .whitespaces), pair[pair.index(after: eq)...].trimmingCharacters(in: .whitespaces))
        }
    }

    /// The value of cookie `name` in a `Cookie` request header (the first one of that name), or `nil`.
    public static func value(named name: String, in header: String?) -> String? {
        guard let header else { return nil }
        return nameValuePairs(header).first { $0.name == name }?.value
    }

    /// `a=1; b=2` → `["a=1", "b=2"]` (empty pieces dropped, spaces around each trimmed).
    static func pairs(_ header: String) -> [String] {
        header.split(separator: ";").map { piece in
            var s = Substring(piece)
            while s.first == " " || s.first == "\t" { s.removeFirst() }
            while s.last == " " || s.last == "\t" { s.removeLast() }
            return String(s)
        }.filter { !$0.isEmpty }
    }

    /// The cookie name of `name=value` (the whole text when there is no `=`).
    static func name(of pair: String) -> String {
        String(pair.prefix { $0 != "=" })
    }
}
