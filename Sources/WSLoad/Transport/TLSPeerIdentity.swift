#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Which identity a TLS client verifies in the server's certificate, and which SNI it sends: the one decision
/// every `wss://` dial shares (load engine, pre-flight, connect, shell, autobahn client, port-forward).
///
/// It comes from the host written in the URL, or from `target.tls.server_name` when that is set, and never
/// from an address the connection is actually dialled to (`target.resolve`, a port-forward's local address):
/// pinning an address must not change whom the certificate has to prove to be.
///
/// - A DNS name is matched against the certificate's DNS subjectAltNames (RFC 6125 §6.4, wildcards only as
///   the whole left-most label) and sent as SNI.
/// - An IP address (IPv4 or IPv6) is matched against the certificate's iPAddress subjectAltNames
///   (RFC 2818 §3.1, RFC 6125 §1.7.2), and no SNI is sent (RFC 6066 §3 allows host names only).
public enum TLSPeerIdentity: Sendable, Hashable, CustomStringConvertible {
    /// A host name, lower-cased, without a trailing dot.
    case dnsName(String)
    /// A numeric IPv4 or IPv6 address in its canonical text form (`inet_ntop`), without brackets.
    case ipAddress(String)

    /// The identity for a target whose URL names `host`; `serverName` (the profile's `target.tls.server_name`)
    /// replaces it when set. `nil` when neither gives a non-empty name.
    public init?(host: String, serverName: String? = nil) {
        let chosen = Self.normalized(serverName ?? host)
        guard !chosen.isEmpty else { return nil }
        if let canonical = Self.canonicalIP(chosen) {
            self = .ipAddress(canonical)
        } else {
            self = .dnsName(chosen.lowercased())
        }
    }

    /// The identity of `url` (its host), or of `serverName` when set.
    public init?(url: WebSocketURL, serverName: String? = nil) {
        self.init(host: url.host, serverName: serverName)
    }

    /// The name sent as SNI: the DNS name; `nil` for an IP address.
    public var sni: String? {
        if case .dnsName(let name) = self { return name }
        return nil
    }

    /// The name or address itself, e.g. `localhost` or `::1`.
    public var value: String {
        switch self {
        case .dnsName(let name): name
        case .ipAddress(let ip): ip
        }
    }

    /// Whether this is an IP address.
    public var isIPAddress: Bool {
        if case .ipAddress = self { return true }
        return false
    }

    /// `DNS:localhost` or `IP:127.0.0.1`, the subjectAltName form it is matched against.
    public var subjectAltName: String { isIPAddress ? "IP:\(value)" : "DNS:\(value)" }

    /// `host name localhost` or `IP address 127.0.0.1`.
    public var description: String { isIPAddress ? "IP address \(value)" : "host name \(value)" }

    /// Strips URL brackets from IPv6 literals and one trailing dot from DNS names.
    static func normalized(_ host: String) -> String {
        var name = Substring(host)
        if name.hasPrefix("["), name.hasSuffix("]") { name = name.dropFirst().dropLast() }
        if name.hasSuffix("."), name.count > 1 { name = name.dropLast() }
        return String(name)
    }

    /// The canonical text of an IPv4 or IPv6 literal (`::0001` → `::1`), or `nil` for anything else.
    static func canonicalIP(_ text: String) -> String? {
        var v4 = in_addr()
        var v6 = in6_addr()
        var out = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        return text.withCString { c -> String? in
            if inet_pton(AF_INET, c, &v4) == 1, inet_ntop(AF_INET, &v4, &out, socklen_t(out.count)) != nil {
                return tlsString(fromNulTerminated: out)
            }
            if inet_pton(AF_INET6, c, &v6) == 1, inet_ntop(AF_INET6, &v6, &out, socklen_t(out.count)) != nil {
                return tlsString(fromNulTerminated: out)
            }
            return nil
        }
    }
}
