import WSProtocol

/// Builds upgrade requests for client connections.
public enum UpgradeRequestFactory {
    /// A request for `url` with a fresh random key, the settings' extension offer and the given extras.
    ///
    /// `Cookie` fields among `headers` and the jar's `cookieHeader` go out as one `Cookie` header
    /// (``CookieHeader/merge(profile:jar:)``: the profile's first, the jar's value wins on a repeated name).
    public static func make(
        url: WebSocketURL, settings: ConnectionSettings, origin: String? = nil, subprotocols: [String] = [],
        cookieHeader: String? = nil, headers: HTTPHeaders = HTTPHeaders()
    ) -> UpgradeRequest {
        var headers = headers
        let profileCookies = headers.values("Cookie")
        if !profileCookies.isEmpty { headers.remove("Cookie") }
        let cookieHeader = CookieHeader.merge(profile: profileCookies, jar: cookieHeader)
        // RFC 6455 §4.1: a nonce of 16 random bytes per connection; two 64-bit draws (was one draw per byte).
        var g = SystemRandomNumberGenerator()
        let words = (g.next(), g.next())
        let keyBytes = (0..<16).map { i in UInt8(truncatingIfNeeded: (i < 8 ? words.0 : words.1) >> UInt64(8 * (i % 8))) }
        return UpgradeRequest(
            host: url.hostHeader, path: url.target, key: HandshakeKey.make(keyBytes), origin: origin,
            subprotocols: subprotocols, extensionOffers: settings.deflateOffer.map { [$0.headerValue] } ?? [],
            cookieHeader: cookieHeader, extraHeaders: headers)
    }
}
