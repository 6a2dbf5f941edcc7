import Foundation

/// One stored cookie (RFC 6265 §5.3, the subset wsload needs).
public struct Cookie: Sendable, Hashable, Codable {
    /// The cookie name.
    public var name: String
    /// The cookie value (a secret: redact before showing).
    public var value: String
    /// The domain it is sent to; `hostOnly` cookies only to exactly this host (§5.3 step 6).
    public var domain: String
    /// Whether the cookie had no Domain attribute.
    public var hostOnly: Bool
    /// The path prefix it is sent under (§5.1.4).
    public var path: String
    /// Absolute expiry (seconds since 1970), nil for a session cookie.
    public var expires: Double?
    /// Only sent over TLS.
    public var secure: Bool
    /// Not visible to scripts (recorded for completeness).
    public var httpOnly: Bool

    /// The cookie's `name=value` of a `Set-Cookie` header value (RFC 6265 §5.2 steps 1–5: the text before the first
    /// `;`, split at its first `=`, both trimmed; the value is kept as sent, double quotes included), or `nil` when
    /// there is no `=`. The one reader of a Set-Cookie's pair: the jar, attribution and affinity-cookie finder use it.
    public static func nameValue(setCookie header: String) -> (name: String, value: String)? {
        let pair = header.prefix { $0 != ";" }
        guard let eq = pair.firstIndex(of: "=") else { return nil }
        return (pair[..<eq].trimmingCharacters(in: .whitespaces), pair[pair.index(after: eq)...].trimmingCharacters(in: .whitespaces))
    }

    /// Parses a `Set-Cookie` header value received from `host` for request path `requestPath` at time `now`.
    ///
    /// Returns nil for a header without `name=value`. Max-Age wins over Expires (§5.3 step 3).
    public static func parse(setCookie header: String, host: String, requestPath: String, now: Date = Date()) -> Cookie? {
        let parts = header.split(separator: ";", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let (name, value) = nameValue(setCookie: header), !name.isEmpty else { return nil }
        var cookie = Cookie(
            name: name, value: value, domain: host.lowercased(), hostOnly: true,
            path: defaultPath(requestPath), expires: nil, secure: false, httpOnly: false)
        var maxAge: Double?
        var expires: Double?
        for attr in parts.dropFirst() {
            let (k, v): (String, String)
            if let e = attr.firstIndex(of: "=") {
                k = attr[..<e].trimmingCharacters(in: .whitespaces).lowercased()
                v = attr[attr.index(after: e)...].trimmingCharacters(in: .whitespaces)
            } else {
                k = attr.lowercased(); v = ""
            }
            switch k {
            case "domain":
                var d = v.lowercased()
                if d.hasPrefix(".") { d.removeFirst() }
                // §5.3 step 6: a Domain that does not domain-match the host is ignored (cookie rejected).
                if !d.isEmpty {
                    guard domainMatches(host: host.lowercased(), domain: d) else { return nil }
                    cookie.domain = d
                    cookie.hostOnly = false
                }
            case "path":
                if v.hasPrefix("/") { cookie.path = v }
            case "max-age":
                if let seconds = Double(v) { maxAge = seconds }
            case "expires":
                if let date = parseHTTPDate(v) { expires = date.timeIntervalSince1970 }
            case "secure":
                cookie.secure = true
            case "httponly":
                cookie.httpOnly = true
            default:
                break
            }
        }
        if let maxAge { cookie.expires = now.timeIntervalSince1970 + maxAge } else if let expires { cookie.expires = expires }
        return cookie
    }

    /// §5.1.4 default-path: the request path up to its last `/`.
    static func defaultPath(_ requestPath: String) -> String {
        let path = requestPath.split(separator: "?", maxSplits: 1).first.map(String.init) ?? "/"
        guard path.hasPrefix("/"), let last = path.lastIndex(of: "/"), last != path.startIndex else { return "/" }
        return String(path[..<last])
    }

    /// §5.1.3 domain-match.
    static func domainMatches(host: String, domain: String) -> Bool {
        if host == domain { return true }
        return host.hasSuffix("." + domain) && SocketAddress(ip: host, port: 0) == nil
    }

    /// §5.1.4 path-match.
    static func pathMatches(requestPath: String, cookiePath: String) -> Bool {
        let path = requestPath.split(separator: "?", maxSplits: 1).first.map(String.init) ?? "/"
        if path == cookiePath { return true }
        guard path.hasPrefix(cookiePath) else { return false }
        return cookiePath.hasSuffix("/") || path.dropFirst(cookiePath.count).hasPrefix("/")
    }

    /// Parses the common HTTP date forms (RFC 1123, RFC 850, asctime).
    static func parseHTTPDate(_ s: String) -> Date? {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy", "EEE, dd-MMM-yyyy HH:mm:ss zzz"] {
            f.dateFormat = format
            if let d = f.date(from: s) { return d }
        }
        return nil
    }
}

/// A cookie jar shared by one virtual client's connections (which may run on several I/O queues).
///
/// Thread-safe: guarded by a lock; it is touched once per handshake, never per frame.
public final class CookieJar: @unchecked Sendable {
    private let cookies = Locked([Cookie]())

    /// Creates an empty jar.
    public init() {}

    /// Stores every `Set-Cookie` value from a response to `host`/`requestPath` (§5.3 steps 11: replace same name/domain/path).
    public func store(setCookieHeaders: [String], host: String, requestPath: String, now: Date = Date()) {
        let parsed = setCookieHeaders.compactMap { Cookie.parse(setCookie: $0, host: host, requestPath: requestPath, now: now) }
        guard !parsed.isEmpty else { return }
        cookies.withLock { jar in
            for c in parsed {
                jar.removeAll { $0.name == c.name && $0.domain == c.domain && $0.path == c.path }
                // An expiry in the past deletes the cookie (§5.3 step 11 with an old expiry).
                if let e = c.expires, e <= now.timeIntervalSince1970 { continue }
                jar.append(c)
            }
        }
    }

    /// The `Cookie` header value for a request to `host`/`path` (§5.4), or nil when nothing matches.
    public func header(host: String, path: String, secure: Bool, now: Date = Date()) -> String? {
        let h = host.lowercased()
        let t = now.timeIntervalSince1970
        let matching = cookies.withLock { jar -> [Cookie] in
            jar.removeAll { ($0.expires ?? .infinity) <= t }
            return jar.filter { c in
                (c.hostOnly ? h == c.domain : Cookie.domainMatches(host: h, domain: c.domain))
                    && Cookie.pathMatches(requestPath: path, cookiePath: c.path)
                    && (!c.secure || secure)
            }
        }
        guard !matching.isEmpty else { return nil }
        // §5.4 step 2: longer paths first.
        return matching.sorted { $0.path.count > $1.path.count }.map { "\($0.name)=\($0.value)" }.joined(separator: "; ")
    }

    /// The value of cookie `name`, if stored.
    public func value(named name: String) -> String? { cookies.withLock { $0.first { $0.name == name }?.value } }

    /// How many cookies are stored.
    public var count: Int { cookies.withLock { $0.count } }
}
