import Foundation
import WSProtocol

/// How wsload learns which pod a connection reached.
public struct AttributionRules: Sendable, Hashable, Codable {
    /// Response headers tried in order (case-insensitive); default `X-Pod-Name`.
    public var headers: [String]
    /// An affinity cookie whose value groups connections (e.g. `SERVERID`).
    public var cookieName: String?
    /// Optional mapping from cookie value to pod name.
    public var cookieMap: [String: String]
    /// A JSON key path (`pod` or `meta.pod`) read from the first message.
    public var firstMessageJSONPath: String?
    /// A regular expression with a `pod` named group (or first group) applied to the first message.
    public var firstMessageRegex: String?

    /// Creates rules.
    public init(
        headers: [String] = ["X-Pod-Name"], cookieName: String? = nil, cookieMap: [String: String] = [:],
        firstMessageJSONPath: String? = nil, firstMessageRegex: String? = nil
    ) {
        self.headers = headers; self.cookieName = cookieName; self.cookieMap = cookieMap
        self.firstMessageJSONPath = firstMessageJSONPath; self.firstMessageRegex = firstMessageRegex
    }

    /// Whether the first message must be inspected.
    public var usesFirstMessage: Bool { firstMessageJSONPath != nil || firstMessageRegex != nil }
}

/// Where a pod name came from.
public enum AttributionSource: String, Sendable, Hashable, Codable {
    /// A response header on the 101.
    case header
    /// The affinity cookie's value (mapped or raw).
    case cookie
    /// The first message.
    case firstMessage = "first-message"
}

/// Extracts pod identities from handshakes and first messages.
public struct PodAttributor: Sendable {
    /// The rules.
    public let rules: AttributionRules
    private let regex: NSRegularExpression?

    /// Creates an attributor; throws when the first-message regex does not compile.
    public init(rules: AttributionRules) throws {
        self.rules = rules
        regex = try rules.firstMessageRegex.map { try NSRegularExpression(pattern: $0) }
    }

    /// The pod named by the 101 response, by header first, then by the configured affinity cookie, then by a
    /// recognised balancer affinity cookie (``AffinityCookieNames``).
    ///
    /// `cookieSent` is the affinity cookie value the request carried (the proxy then sends no new
    /// Set-Cookie, HAProxy `indirect`); `setCookies` are the response's Set-Cookie values.
    public func fromHandshake(_ headers: HTTPHeaders, cookieSent: String?) -> (pod: String, source: AttributionSource, cookie: String?)? {
        let cookieValue = rules.cookieName.flatMap { name in Self.cookieValue(named: name, setCookies: headers.values("Set-Cookie")) ?? cookieSent }
        for name in rules.headers {
            if let v = headers.first(name)?.trimmingCharacters(in: .whitespaces), !v.isEmpty { return (v, .header, cookieValue) }
        }
        if let value = cookieValue {
            return (rules.cookieMap[value] ?? value, .cookie, value)
        }
        // No header, no configured cookie: a balancer's affinity cookie recognised by name (``AffinityCookieNames``).
        if let (_, value) = AffinityCookieNames.first(inSetCookies: headers.values("Set-Cookie"), excluding: rules.cookieName) {
            return (rules.cookieMap[value] ?? value, .cookie, value)
        }
        return nil
    }

    /// The pod named by a first message, by JSON key path or regex.
    public func fromFirstMessage(_ text: String) -> String? {
        if let path = rules.firstMessageJSONPath, let data = text.data(using: .utf8),
            var node = try? JSONSerialization.jsonObject(with: data)
        {
            for key in path.split(separator: ".") {
                guard let dict = node as? [String: Any], let next = dict[String(key)] else { node = NSNull(); break }
                node = next
            }
            if let s = node as? String, !s.isEmpty { return s }
            if let n = node as? NSNumber { return n.stringValue }
        }
        if let regex {
            let ns = text as NSString
            guard let m = regex.firstMatch(in: text, range: NSRange(location: 0, length: ns.length)) else { return nil }
            let named = m.range(withName: "pod")
            if named.location != NSNotFound { return ns.substring(with: named) }
            if m.numberOfRanges > 1, m.range(at: 1).location != NSNotFound { return ns.substring(with: m.range(at: 1)) }
            return ns.substring(with: m.range)
        }
        return nil
    }

    /// The value of cookie `name` in a list of Set-Cookie header values.
    public static func cookieValue(named name: String, setCookies: [String]) -> String? {
        setCookies.lazy.compactMap { Cookie.nameValue(setCookie: $0) }.first { $0.name == name }?.value
    }

    /// The value of cookie `name` in a `Cookie` request header.
    public static func cookieValue(named name: String, cookieHeader: String?) -> String? {
        CookieHeader.value(named: name, in: cookieHeader)
    }
}
