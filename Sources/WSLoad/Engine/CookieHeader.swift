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
