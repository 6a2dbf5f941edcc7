/// When no connection disclosed its pod, the pods' own log deltas are the per-pod truth.
///
/// Applies when every connection held at the end of the hold is unattributed (no identity header, affinity
/// cookie or first message named a pod) and server logs gave at least one pod a delta. The distribution is then
/// the pods' deltas; their sum is checked against wsload's held count. When it differs, every pod's match says
/// so (`serverHasMore` / `serverHasFewer`: the pods together saw more or fewer than wsload held), since the
/// difference cannot be placed on one pod.
enum LogDeltaReconciliation {
    /// The outcome: per-pod counts to use, the re-classified matches, and the note to show.
    struct Outcome {
        var counts: [String: Int]
        var matches: [PodMatch]
        var note: String
        var warning: String?
    }

    /// The reconciled counts and matches, or nil when some connection was attributed or no delta is known.
    static func reconcile(
        held: [String: Int], unattributed: Int, series: [LogSampleSeries], window: RunWindow,
        knownPods: Set<String>, matcher: LogMatcher = LogMatcher()
    ) -> Outcome? {
        guard unattributed > 0, held.values.allSatisfy({ $0 == 0 }) else { return nil }
        let probe = matcher.match(series: series, window: window, clientCounts: [:], knownPods: knownPods)
        let deltas = Dictionary(uniqueKeysWithValues: probe.compactMap { m in m.delta.map { (m.pod, max(0, $0)) } })
        guard !deltas.isEmpty else { return nil }
        var counts = held
        for (pod, d) in deltas { counts[pod] = d }
        var matches = matcher.match(series: series, window: window, clientCounts: deltas, knownPods: knownPods)
        let sum = deltas.values.reduce(0, +)
        var warning: String?
        if sum != unattributed {
            let verdict: MatchClassification = sum > unattributed ? .serverHasMore : .serverHasFewer
            for i in matches.indices where matches[i].delta != nil { matches[i].classification = verdict }
            warning =
                "The pods' log deltas add up to \(sum), but wsload held \(unattributed) connections: "
                + "\(abs(sum - unattributed)) \(sum > unattributed ? "more on the servers" : "missing on the servers")."
        }
        let note =
            "No connection disclosed its pod (no identity header, affinity cookie or first message): the per-pod counts "
            + "are the pods' own log deltas, which add up to \(sum) of wsload's \(unattributed) held"
            + (sum == unattributed ? " (they agree)." : ".")
        return Outcome(counts: counts, matches: matches, note: note, warning: warning)
    }
}
