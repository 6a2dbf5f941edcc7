import WSProtocol

/// Builds upgrade requests for client connections.
public enum UpgradeRequestFactory {
    /// A request for `url` with a fresh random key, the settings' extension offer and the given extras.
    public static func make(url: WebSocketURL, settings: ConnectionSettings, origin: String? = nil, subprotocols: [String] = [],
                            cookieHeader: String? = nil, headers: HTTPHeaders = HTTPHeaders()) -> UpgradeRequest {
        var g = SystemRandomNumberGenerator()
        let keyBytes = (0 ..< 16).map { _ in UInt8.random(in: 0 ... 255, using: &g) }
        return UpgradeRequest(host: url.hostHeader, path: url.target, key: HandshakeKey.make(keyBytes), origin: origin,
                              subprotocols: subprotocols, extensionOffers: settings.deflateOffer.map { [$0.headerValue] } ?? [],
                              cookieHeader: cookieHeader, extraHeaders: headers)
    }
}
