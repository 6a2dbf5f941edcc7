/// Removes secrets from URLs and HTTP header values before they reach a report or a log.
///
/// Secret values become `<redacted:N chars #hhhhhhhh>`, where `hhhhhhhh` is the 32-bit FNV-1a hash of the
/// value in hex: short, stable across runs, and different for different values, so "every connection sent
/// the same cookie" stays visible without revealing it. FNV-1a is not a cryptographic hash; it only keeps
/// values distinguishable.
public enum Redaction {
    /// Header names whose whole value is secret (lowercase).
    public static let secretHeaderNames: Set<String> = [
        "cookie", "set-cookie", "authorization", "proxy-authorization", "x-api-key",
    ]

    /// Name fragments that mark a header or query parameter as secret (lowercase).
    public static let secretNameFragments = ["token", "secret", "password", "passwd", "api-key", "apikey", "api_key"]

    /// Query parameter name fragments that mark a value as secret (lowercase).
    public static let secretQueryFragments = ["token", "key", "secret", "password", "passwd", "auth", "signature"]

    /// Query parameter names that are secret only when they match exactly (lowercase).
    public static let secretQueryNames: Set<String> = ["sig", "code", "pwd"]

    /// The placeholder for a secret value: `<redacted:N chars #fnv1a>`.
    public static func placeholder(for value: some StringProtocol) -> String {
        "<redacted:\(value.count) chars #\(fnv1aHex(value))>"
    }

    /// The 32-bit FNV-1a hash of the UTF-8 bytes of `value`, as 8 lowercase hex digits.
    public static func fnv1aHex(_ value: some StringProtocol) -> String {
        let hex = String(FNV1a.hash32(value.utf8), radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }

    /// True when a header of this name carries a secret.
    public static func isSecretHeader(_ name: String) -> Bool {
        let lower = name.lowercased()
        return secretHeaderNames.contains(lower) || lower.contains("auth")
            || secretNameFragments.contains { lower.contains($0) }
    }

    /// Redacts a header value when the header is secret: cookies keep their names, `Authorization` keeps its
    /// scheme, anything else is replaced whole. Other headers are returned unchanged.
    public static func redactHeaderValue(name: String, value: String) -> String {
        switch name.lowercased() {
        case "cookie": return redactCookieHeader(value)
        case "set-cookie": return redactSetCookieHeader(value)
        case "authorization", "proxy-authorization":
            let trimmed = value.drop { $0 == " " }
            if let space = trimmed.firstIndex(of: " ") {
                let credentials = trimmed[trimmed.index(after: space)...].drop { $0 == " " }
                return "\(trimmed[..<space]) \(placeholder(for: credentials))"
            }
            return placeholder(for: value)
        default:
            return isSecretHeader(name) ? placeholder(for: value) : value
        }
    }

    /// Redacts a `Cookie` header: `a=1; b=2` → `a=<redacted…>; b=<redacted…>`.
    public static func redactCookieHeader(_ value: String) -> String {
        value.split(separator: ";", omittingEmptySubsequences: false).map { part in
            let pair = part.drop { $0 == " " }
            let lead = part[..<pair.startIndex]
            guard let eq = pair.firstIndex(of: "=") else { return String(part) }
            return "\(lead)\(pair[..<eq])=\(placeholder(for: pair[pair.index(after: eq)...]))"
        }.joined(separator: ";")
    }

    /// Redacts a `Set-Cookie` header: the cookie's value only; attributes such as `Path` and `Max-Age` stay.
    public static func redactSetCookieHeader(_ value: String) -> String {
        let first = value.firstIndex(of: ";") ?? value.endIndex
        return redactCookieHeader(String(value[..<first])) + value[first...]
    }

    /// Redacts a URL: userinfo becomes `REDACTED`, and values of query parameters whose names contain
    /// token/key/secret/password/auth/signature become `REDACTED`. Idempotent; text that is not a URL with
    /// an authority is only stripped of matching query values.
    public static func redactURL(_ url: String) -> String {
        var head = Substring(url)
        var fragment: Substring = ""
        if let hash = head.firstIndex(of: "#") {
            fragment = head[hash...]
            head = head[..<hash]
        }
        var query: Substring?
        if let q = head.firstIndex(of: "?") {
            query = head[head.index(after: q)...]
            head = head[..<q]
        }
        var out = String(head)
        if let schemeEnd = out.range(of: "://") {
            let authorityStart = schemeEnd.upperBound
            let authorityEnd = out[authorityStart...].firstIndex(of: "/") ?? out.endIndex
            if let at = out[authorityStart..<authorityEnd].lastIndex(of: "@") {
                out.replaceSubrange(authorityStart..<at, with: "REDACTED")
            }
        }
        if let query {
            let params = query.split(separator: "&", omittingEmptySubsequences: false).map { param -> String in
                guard let eq = param.firstIndex(of: "=") else { return String(param) }
                let name = param[..<eq].lowercased()
                guard secretQueryNames.contains(name) || secretQueryFragments.contains(where: { name.contains($0) })
                else { return String(param) }
                return "\(param[..<eq])=REDACTED"
            }
            out += "?" + params.joined(separator: "&")
        }
        return out + fragment
    }
}

extension Redaction {
    /// A command for reports (``CommandResult/display(_:)``) with its secrets redacted: URLs as ``redactURL(_:)``,
    /// the value of a flag whose name contains token/key/secret/password/auth/signature (`--token=X`, `--token X`)
    /// and of a secret header argument (`Authorization: Bearer X`) become `REDACTED`.
    public static func redactCommand(_ argv: [String]) -> String {
        var out: [String] = []
        var redactNext = false
        for arg in argv {
            if redactNext { out.append("REDACTED"); redactNext = false; continue }
            if arg.hasPrefix("-"), !arg.hasPrefix("-H") {
                let flag = arg.drop { $0 == "-" }
                let name = (flag.split(separator: "=", maxSplits: 1).first ?? "").lowercased()
                if secretQueryFragments.contains(where: { name.contains($0) }) || secretQueryNames.contains(name) {
                    if flag.contains("=") { out.append(String(arg.prefix { $0 != "=" }) + "=REDACTED") } else { out.append(arg); redactNext = true }
                    continue
                }
            }
            if let colon = arg.firstIndex(of: ":"), !arg.contains("://"), isSecretHeader(String(arg[..<colon]).trimmingCharacters(in: .whitespaces)) {
                out.append(String(arg[...colon]) + " REDACTED")
                continue
            }
            out.append(redactURL(arg))
        }
        return CommandResult.display(out)
    }
}
