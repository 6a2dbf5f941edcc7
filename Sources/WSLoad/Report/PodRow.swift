/// One pod's line in a report: wsload's side, the server's side and the verdict.
public struct PodRow: Sendable, Codable, Equatable {
    /// The pod name.
    public var name: String
    /// Connections wsload attributed to the pod.
    public var clients: Int
    /// clients / total.
    public var share: Double
    /// The pod's expected share.
    public var expectedShare: Double
    /// Server count before the run.
    public var serverBaseline: Int?
    /// Server count during hold.
    public var serverHold: Int?
    /// Highest server count during the run.
    public var serverPeak: Int?
    /// Server count after close.
    public var serverAfterClose: Int?
    /// serverHold − serverBaseline.
    public var serverDelta: Int?
    /// The server-log verdict; nil when server logs were not read.
    public var match: MatchClassification?
    /// Other clients' connections on the pod (when `match` is `otherTraffic`): positive when they came during the run.
    public var otherTraffic: Int?
    /// Where `serverBaseline` came from (nil in reports made before this existed).
    public var baselineSource: BaselineSource?
    /// What ordered the pod's readings, when it was arrival order or coarse timestamps (nil otherwise).
    public var matchBasis: MatchBasis?

    /// Creates a row.
    public init(
        name: String, clients: Int, share: Double, expectedShare: Double, serverBaseline: Int? = nil,
        serverHold: Int? = nil, serverPeak: Int? = nil, serverAfterClose: Int? = nil,
        serverDelta: Int? = nil, match: MatchClassification? = nil
    ) {
        self.name = name
        self.clients = clients
        self.share = share
        self.expectedShare = expectedShare
        self.serverBaseline = serverBaseline
        self.serverHold = serverHold
        self.serverPeak = serverPeak
        self.serverAfterClose = serverAfterClose
        self.serverDelta = serverDelta
        self.match = match
    }

    /// Joins statistics and server-log matches into rows: statistics order first, then pods only the logs know.
    public static func rows(statistics: DistributionStatistics, matches: [PodMatch] = []) -> [PodRow] {
        var byPod: [String: PodMatch] = [:]
        for m in matches { byPod[m.pod] = m }
        var rows = statistics.pods.map { s -> PodRow in
            let m = byPod[s.pod]
            var row = PodRow(
                name: s.pod, clients: s.count, share: s.share, expectedShare: s.expectedShare,
                serverBaseline: m?.baseline, serverHold: m?.hold, serverPeak: m?.peak,
                serverAfterClose: m?.afterClose, serverDelta: m?.delta, match: m?.classification)
            row.addProvenance(m)
            return row
        }
        let known = Set(statistics.pods.map(\.pod))
        for m in matches where !known.contains(m.pod) {
            var row = PodRow(
                name: m.pod, clients: m.clientCount, share: 0, expectedShare: 0,
                serverBaseline: m.baseline, serverHold: m.hold, serverPeak: m.peak,
                serverAfterClose: m.afterClose, serverDelta: m.delta, match: m.classification)
            row.addProvenance(m)
            rows.append(row)
        }
        return rows
    }

    /// Copies the match's other-traffic size, baseline source and basis (all optional: absent stays absent).
    mutating func addProvenance(_ m: PodMatch?) {
        guard let m else { return }
        otherTraffic = m.otherTraffic
        baselineSource = m.baselineSource
        matchBasis = m.basis
    }
}
