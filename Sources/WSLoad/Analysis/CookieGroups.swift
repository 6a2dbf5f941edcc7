import Foundation

/// Groups of connections attributed by an affinity cookie whose value names no pod.
///
/// A value that is a known pod's name (HAProxy inserts server names) or mapped by `cookie_map` was already
/// named by the engine. Any other value is opaque and, being a cookie, a secret: before anything is kept the
/// group is renamed `cookie#<hash>` (``redact(_:knownPods:)``). The analysis then matches such a group to a
/// pod through the logs (``assign(heldPerPod:serverLogs:window:)``) when exactly one pod that wsload
/// attributed nothing to shows a log delta equal to the group's size.
public enum CookieGroups {
    /// Un-attributes connections attributed by opaque cookie values when there are at least 4 and no two share
    /// a value (the cookie does not group connections by pod, e.g. AWS ALB's rotating `AWSALB`); returns the
    /// note saying so.
    public static func ungroupRotating(_ result: inout EngineResult, knownPods known: Set<String>) -> [String] {
        let opaque = result.records.indices.filter { i in
            let r = result.records[i]
            return r.podSource == .cookie && r.pod.map { !known.contains($0) && !$0.hasPrefix(prefix) } == true
        }
        let values = Set(opaque.compactMap { result.records[$0].pod })
        guard opaque.count >= 4, values.count == opaque.count else { return [] }
        for i in opaque { result.records[i].pod = nil; result.records[i].podSource = nil }
        apply(Dictionary(uniqueKeysWithValues: values.map { ($0, "?") }), to: &result)
        return [
            "An affinity cookie gave each of \(opaque.count) connections a different value: it does not group connections by pod, so it was not used for attribution."
        ]
    }

    /// The prefix of a redacted group name.
    public static let prefix = "cookie#"

    /// Renames opaque cookie values to `cookie#<hash>` in the records, the per-pod counts and the timeline.
    public static func redact(_ result: inout EngineResult, knownPods: Set<String>) {
        var rename: [String: String] = [:]
        for r in result.records where r.podSource == .cookie {
            guard let pod = r.pod, !knownPods.contains(pod), !pod.hasPrefix(prefix), rename[pod] == nil else { continue }
            rename[pod] = prefix + Redaction.fnv1aHex(pod)
        }
        guard !rename.isEmpty else { return }
        apply(rename, to: &result)
    }

    /// A pod for each redacted group that the server logs identify, with a note per assignment.
    public static func assign(heldPerPod: [String: Int], serverLogs: [LogSampleSeries]?, window: RunWindow)
        -> (pods: [String: String], notes: [String])
    {
        let sizes = heldPerPod.filter { $0.key.hasPrefix(prefix) }
        guard !sizes.isEmpty, let serverLogs else { return ([:], []) }
        let attributed = Set(heldPerPod.keys)
        var deltas: [String: Int] = [:]
        for s in serverLogs where !attributed.contains(s.pod) {
            if let d = LogMatcher().match(pod: s.pod, series: s, window: window, clientCount: 0).delta, d > 0 { deltas[s.pod] = d }
        }
        var taken = Set<String>()
        var pods: [String: String] = [:]
        var notes: [String] = []
        for (group, size) in sizes.sorted(by: { $0.key < $1.key }) {
            let candidates = deltas.filter { $0.value == size && !taken.contains($0.key) }.map(\.key)
            guard candidates.count == 1, let pod = candidates.first else { continue }
            taken.insert(pod)
            pods[group] = pod
            notes.append("Connections grouped by affinity cookie \(group) (\(size)) were matched to pod \(pod) through its log delta.")
        }
        return (pods, notes)
    }

    /// Renames pods (`old → new`) everywhere a run names them: records, previous pods, counts, timeline.
    public static func apply(_ rename: [String: String], to result: inout EngineResult) {
        guard !rename.isEmpty else { return }
        for i in result.records.indices {
            if let pod = result.records[i].pod, let name = rename[pod] { result.records[i].pod = name }
            if !result.records[i].previousPods.isEmpty {
                result.records[i].previousPods = result.records[i].previousPods.map { rename[$0] ?? $0 }
            }
        }
        result.heldPerPod = renamed(result.heldPerPod, rename)
        for i in result.timeline.indices { result.timeline[i].perPod = renamed(result.timeline[i].perPod, rename) }
    }

    /// `counts` with its keys renamed (counts of keys that become equal are added).
    /// The resilience summary with its pods (drops per pod, moves) named as the report names them.
    static func renamed(_ r: ResilienceSummary, _ rename: [String: String]) -> ResilienceSummary {
        guard !rename.isEmpty else { return r }
        var out = r
        out.droppedPerPod = r.droppedPerPod.map { renamed($0, rename) }
        var moves: [String: ResilienceSummary.Move] = [:]
        for m in r.moves {
            let from = rename[m.from] ?? m.from
            let to = rename[m.to] ?? m.to
            moves["\(from)\u{0}\(to)", default: .init(from: from, to: to, count: 0)].count += m.count
        }
        out.moves = moves.values.sorted { ($0.from, $0.to) < ($1.from, $1.to) }
        return out
    }

    static func renamed(_ counts: [String: Int], _ rename: [String: String]) -> [String: Int] {
        guard !rename.isEmpty else { return counts }
        var out: [String: Int] = [:]
        for (pod, n) in counts { out[rename[pod] ?? pod, default: 0] += n }
        return out
    }
}
