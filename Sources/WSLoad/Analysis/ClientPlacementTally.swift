/// Counts clients into ``ClientPlacement``s one client at a time, holding one entry per distinct placement (and
/// at most ``ClientPlacement/exampleLimit`` example names each) — never a row per client, so grouping 100 000
/// clients over 7 pods keeps 7 entries, not 100 000 dictionaries.
struct ClientPlacementTally {
    private var byKey: [ClientPlacement.Key: ClientPlacement] = [:]

    /// Adds one client's connections per pod (zero counts dropped; a client with none is left out).
    mutating func add(client: String, podCounts: [String: Int]) {
        let pods = ClientPlacement.sortedCounts(podCounts)
        guard !pods.isEmpty else { return }
        let key = ClientPlacement.Key(pods: pods.map { "\($0.pod)\u{1F}\($0.count)" })
        var entry = byKey.removeValue(forKey: key) ?? ClientPlacement(pods: pods, clients: 0)
        entry.clients += 1
        if entry.examples.count < ClientPlacement.exampleLimit
            || PodNameOrder.areInIncreasingOrder(client, entry.examples[entry.examples.count - 1])
        {
            entry.examples = PodNameOrder.first(ClientPlacement.exampleLimit, of: entry.examples + [client])
        }
        byKey[key] = entry
    }

    /// The placements, most clients first (ties by the pods, naturally).
    var placements: [ClientPlacement] { ClientPlacement.sorted(Array(byKey.values)) }
}

extension ClientPlacement {
    /// Groups the clients of engine records by where their held or dropped connections landed (a connection
    /// without a pod counts as `?`); failed and never-opened connections do not place a client. Records come in
    /// client order from the engine (its index is `client × connections_per_client + conn`), so one client's
    /// counts are built at a time; records in any other order give the same placements, through a per-client table.
    static func group(records: [ConnectionRecord]) -> [ClientPlacement] {
        var tally = ClientPlacementTally()
        var current: Int? = nil
        var counts: [String: Int] = [:]
        func flush() {
            if let current, !counts.isEmpty { tally.add(client: "client-\(current)", podCounts: counts) }
            counts.removeAll(keepingCapacity: true)
        }
        for r in records {
            if let c = current, r.client < c { return groupUnordered(records) }
            if r.client != current {
                flush()
                current = r.client
            }
            if r.status == .held || r.status == .dropped { counts[r.pod ?? "?", default: 0] += 1 }
        }
        flush()
        return tally.placements
    }

    private static func groupUnordered(_ records: [ConnectionRecord]) -> [ClientPlacement] {
        var byClient: [Int: [String: Int]] = [:]
        for r in records where r.status == .held || r.status == .dropped { byClient[r.client, default: [:]][r.pod ?? "?", default: 0] += 1 }
        var tally = ClientPlacementTally()
        for (client, counts) in byClient { tally.add(client: "client-\(client)", podCounts: counts) }
        return tally.placements
    }
}
