import Foundation

/// A parsed `ws://`, `wss://` (or `http://`, `https://`) target URL.
public struct WebSocketURL: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Whether the connection uses TLS (`wss`/`https`).
    public var isTLS: Bool
    /// The host as written, without brackets (a name or a numeric address).
    public var host: String
    /// The port (default 80 or 443).
    public var port: UInt16
    /// The request target: path and query, at least `/`.
    public var target: String

    /// Parses a URL string; `nil` with a reason in `error` when it is not a usable WebSocket URL.
    public init(_ string: String) throws(URLError) {
        if let problem = Self.characterProblem(string) { throw URLError(message: problem) }
        guard let c = URLComponents(string: string), let scheme = c.scheme?.lowercased() else {
            throw URLError(message: "not a URL: \(string)")
        }
        switch scheme {
        case "ws", "http": isTLS = false
        case "wss", "https": isTLS = true
        default: throw URLError(message: "unsupported scheme \"\(scheme)\" in \(string); use ws://, wss://, http:// or https://")
        }
        guard var h = c.host, !h.isEmpty else { throw URLError(message: "no host in \(string)") }
        if h.hasPrefix("["), h.hasSuffix("]") { h = String(h.dropFirst().dropLast()) }
        host = h
        if let p = c.port {
            guard (1...65535).contains(p) else { throw URLError(message: "port \(p) out of range in \(string)") }
            port = UInt16(p)
        } else {
            port = isTLS ? 443 : 80
        }
        var t = c.percentEncodedPath.isEmpty ? "/" : c.percentEncodedPath
        if let q = c.percentEncodedQuery { t += "?" + q }
        target = t
    }

    /// Why `string` cannot be a URL because of the characters in it (RFC 3986 §2), or `nil`: no spaces,
    /// control characters or `"<>\\^`{|}` anywhere, and a host of letters, digits and `-._~%!$&'()*+,;=`
    /// (or a bracketed IPv6 address). `ws://exa mple.com` is rejected here, before anything resolves it.
    public static func characterProblem(_ string: String) -> String? {
        for (offset, scalar) in string.unicodeScalars.enumerated() {
            let v = scalar.value
            if v <= 0x20 || v == 0x7F || v > 0x7E || "\"<>\\^`{|}".unicodeScalars.contains(scalar) {
                let shown = v == 0x20 ? "a space" : (v < 0x20 || v == 0x7F ? String(format: "control character 0x%02X", v) : "\"\(scalar)\"")
                return "\"\(string)\" is not a valid URL: \(shown) at position \(offset + 1)"
                    + (v == 0x20 ? " (percent-encode it as %20 in a path; a host cannot contain one)" : "")
            }
        }
        guard let separator = string.range(of: "://") else { return nil }
        var authority = string[separator.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        if authority.hasPrefix("[") { return nil }
        let host = authority.prefix { $0 != ":" }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~%!$&'()*+,;=")
        if let bad = host.first(where: { !allowed.contains($0) }) {
            return "\"\(string)\" is not a valid URL: \"\(bad)\" cannot appear in a host name (\"\(host)\")"
        }
        return nil
    }

    /// Whether the host is a numeric IPv6 address.
    public var isIPv6Literal: Bool { host.contains(":") }
    /// Whether the host is a numeric address (no SNI is sent for these).
    public var isIPLiteral: Bool { SocketAddress(ip: host, port: 0) != nil }

    /// The value for the `Host` header: the port is included when it is not the scheme's default.
    public var hostHeader: String {
        let h = isIPv6Literal ? "[\(host)]" : host
        return (isTLS && port == 443) || (!isTLS && port == 80) ? h : "\(h):\(port)"
    }

    /// This URL with another request target.
    public func with(target: String) -> WebSocketURL {
        var copy = self
        copy.target = target
        return copy
    }

    /// The URL as a string, e.g. `ws://127.0.0.1:8080/ws`.
    public var description: String {
        "\(isTLS ? "wss" : "ws")://\(hostHeader.contains(":") || port == 80 || port == 443 ? hostHeader : hostHeader)\(target)"
    }

    /// Why a URL string was rejected.
    public struct URLError: Error, Sendable, Hashable, CustomStringConvertible {
        /// The reason.
        public var message: String
        /// The reason.
        public var description: String { message }
    }
}
