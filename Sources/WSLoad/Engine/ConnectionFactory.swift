import WSProtocol

/// Builds upgrade requests for client connections.
public enum UpgradeRequestFactory {
    /// A request for `url` with a fresh random key, the settings' extension offer and the given extras.
    ///
    /// `Cookie` fields among `headers` and the jar's `cookieHeader` go out as one `Cookie` header
    /// (``CookieHeader/merge(profile:jar:)``: the profile's first, the jar's value wins on a repeated name).
    /// The key's 16 bytes come from `keys` (a user-space CSPRNG keyed once from the system, owned by the caller's
    /// queue) when given, else from the system's generator (two `getrandom(2)` calls).
    public static func make(
        url: WebSocketURL, settings: ConnectionSettings, origin: String? = nil, subprotocols: [String] = [],
        cookieHeader: String? = nil, headers: HTTPHeaders = HTTPHeaders(), keys: KeyStream? = nil
    ) -> UpgradeRequest {
        var headers = headers
        let profileCookies = headers.values("Cookie")
        if !profileCookies.isEmpty { headers.remove("Cookie") }
        let cookieHeader = CookieHeader.merge(profile: profileCookies, jar: cookieHeader)
        // RFC 6455 §4.1: a nonce of 16 random bytes per connection, "randomly selected"; two 64-bit draws. §10.3 asks
        // for unpredictable masking keys and the same stream serves the nonce (a syscall each was 2 per connection).
        let words: (UInt64, UInt64)
        if let keys {
            words = (keys.generator.next(), keys.generator.next())
        } else {
            var g = SystemRandomNumberGenerator()
            words = (g.next(), g.next())
        }
        let keyBytes = (0..<16).map { i in UInt8(truncatingIfNeeded: (i < 8 ? words.0 : words.1) >> UInt64(8 * (i % 8))) }
        return UpgradeRequest(
            host: url.hostHeader, path: url.target, key: HandshakeKey.make(keyBytes), origin: origin,
            subprotocols: subprotocols, extensionOffers: settings.deflateOffer.map { [$0.headerValue] } ?? [],
            cookieHeader: cookieHeader, extraHeaders: headers)
    }
}
