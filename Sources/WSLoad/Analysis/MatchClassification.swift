/// How a pod's server-side connection count compares with what wsload attributed to it.
public enum MatchClassification: String, Sendable, Codable, Equatable, CaseIterable {
    /// The server's hold − baseline equals wsload's client count (within tolerance) and it returned to baseline.
    case matched
    /// The server saw more connections than wsload made: other clients, or leaked connections.
    case serverHasMore
    /// The server saw fewer connections than wsload believes it held: proxy or half-open losses.
    case serverHasFewer
    /// The pod is known but its logs held no usable reading for the run.
    case noServerData
    /// wsload attributed connections to a pod name that no log or discovery knows.
    case podNotDiscovered
    /// Counts matched during hold, but the last reading after close differs from the baseline.
    case notReturnedToBaseline
    /// wsload's own count matches; the difference is other clients' connections, of the size in
    /// ``PodMatch/otherTraffic`` (see ``LogMatcher`` for the rule).
    case otherTraffic

    /// A short human label.
    public var label: String {
        switch self {
        case .matched: return "matched"
        case .serverHasMore: return "server has more"
        case .serverHasFewer: return "server has fewer"
        case .noServerData: return "no server data"
        case .podNotDiscovered: return "pod not discovered"
        case .notReturnedToBaseline: return "not back to baseline"
        case .otherTraffic: return "other traffic"
        }
    }

    /// True for `.matched` and `.otherTraffic` (wsload's own counts agree with the server's).
    public var isMatch: Bool { self == .matched || self == .otherTraffic }
}
