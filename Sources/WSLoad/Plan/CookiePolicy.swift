/// How virtual clients keep affinity cookies between connections.
public enum CookiePolicy: String, Sendable, Codable, Equatable, CaseIterable {
    /// No cookies are sent.
    case none
    /// One cookie jar is shared by every client, so all connections send the same value.
    case shared
    /// Each virtual client keeps its own jar across its connections.
    case perClient = "per-client"
    /// Every connection starts with an empty jar.
    case perConnection = "per-connection"
}
