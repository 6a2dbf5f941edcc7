/// Clients whose connections landed the same way — the same number of connections on the same pods — counted
/// together. A report keeps these instead of one row per client, so it grows with pods and placements, not with
/// clients (100 000 clients with one connection each over 7 pods are 7 placements); merges add the counts of equal
/// placements, which is exact. Per-client detail is in `connections.jsonl` (`client`, `pod` per connection).
public struct ClientPlacement: Sendable, Codable, Equatable {
    /// Connections per pod of each of these clients, sorted naturally by pod name.
    public var pods: [ClientPinning.PodCount]
    /// How many clients landed this way.
    public var clients: Int
    /// Up to ``exampleLimit`` of those clients, in natural order (for messages such as the `clients_pinned` gate).
    public var examples: [String]

    /// Examples kept per placement.
    public static let exampleLimit = 3

    /// A placement of `clients` clients.
    public init(pods: [ClientPinning.PodCount], clients: Int, examples: [String] = []) {
        self.pods = pods
        self.clients = clients
        self.examples = examples
    }

    /// True when these clients' attributed connections all reached one pod.
    public var pinned: Bool { pods.count <= 1 }
    /// The one pod, when pinned and at least one connection was attributed.
    public var pod: String? { pinned ? pods.first?.pod : nil }
    /// Attributed connections of each of these clients.
    public var connectionsPerClient: Int { pods.reduce(0) { $0 + $1.count } }

    /// Groups per-client counts (client → pod → connections; zero counts dropped, clients with none left out).
    public static func group(podCountsByClient: [String: [String: Int]]) -> [ClientPlacement] {
        var tally = ClientPlacementTally()
        for (client, pods) in podCountsByClient { tally.add(client: client, podCounts: pods) }
        return tally.placements
    }

    /// Adds up placements (of shards, or after pods were renamed): equal pod counts become one placement.
    public static func merged(_ placements: [ClientPlacement]) -> [ClientPlacement] {
        var out: [Key: ClientPlacement] = [:]
        for p in placements where p.clients > 0 {
            let pods = p.pods.filter { $0.count > 0 }
            guard !pods.isEmpty else { continue }
            let key = Key(pods: pods.map { "\($0.pod)\u{1F}\($0.count)" })
            var entry = out[key] ?? ClientPlacement(pods: pods, clients: 0)
            entry.clients += p.clients
            entry.examples = PodNameOrder.first(exampleLimit, of: Set(entry.examples + p.examples))
            out[key] = entry
        }
        return sorted(Array(out.values))
    }

    /// These placements with each pod renamed by `rename` (pods renamed to nil are dropped, e.g. the
    /// unattributed `?`), regrouped.
    public static func renamed(_ placements: [ClientPlacement], _ rename: (String) -> String?) -> [ClientPlacement] {
        merged(
            placements.map { p in
                var counts: [String: Int] = [:]
                for c in p.pods { if let name = rename(c.pod) { counts[name, default: 0] += c.count } }
                return ClientPlacement(pods: sortedCounts(counts), clients: p.clients, examples: p.examples)
            })
    }

    struct Key: Hashable { let pods: [String] }

    static func sortedCounts(_ counts: [String: Int]) -> [ClientPinning.PodCount] {
        PodNameOrder.sorted(counts.filter { $0.value > 0 }.keys).map { ClientPinning.PodCount(pod: $0, count: counts[$0]!) }
    }

    /// Most clients first; ties by the pods, naturally.
    static func sorted(_ placements: [ClientPlacement]) -> [ClientPlacement] {
        placements.sorted { a, b in
            if a.clients != b.clients { return a.clients > b.clients }
            return a.pods.map { "\($0.pod)=\($0.count)" }.joined(separator: ",") < b.pods.map { "\($0.pod)=\($0.count)" }.joined(separator: ",")
        }
    }
}

extension Array where Element == ClientPlacement {
    /// Clients in all placements.
    public var clientCount: Int { reduce(0) { $0 + $1.clients } }
    /// Clients whose connections went to more than one pod.
    public var unpinnedClients: Int { filter { !$0.pinned }.clientCount }
}
