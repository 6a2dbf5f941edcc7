/// Computes a run's ``ScaleOutSummary`` from its timeline, events and end-of-hold statistics; called by
/// ``Analyzer`` only. Pure.
enum ScaleOutAnalysis {
    /// The summary, or nil when there is nothing to measure: no event ran and no pod appeared after the ramp.
    ///
    /// - Parameters:
    ///   - timeline: samples with per-pod counts already named as the report names pods.
    ///   - events: the run's event records (only those that succeeded count: a failed event changed nothing).
    ///   - statistics: the end-of-hold distribution (its pods are the pods judged).
    ///   - rampEnd, holdEnd: seconds since the run start.
    static func evaluate(
        timeline: [TimelinePoint]?, events: [EventRecord]?, statistics: DistributionStatistics, weights: [String: Double]?,
        rampEnd: Double, holdEnd: Double, maxSkewPercent: Double?, recycled: Int = 0
    ) -> ScaleOutSummary? {
        let points = (timeline ?? []).filter { $0.phase == "ramp" || $0.phase == "hold" }.sorted { $0.t < $1.t }
        let ran = (events ?? []).filter { $0.outcome.isSuccess && $0.startedAt != nil }.sorted { $0.startedAt! < $1.startedAt! }
        let first = ran.first
        let since = first?.startedAt ?? rampEnd
        let pods = statistics.pods.map(\.pod)
        let before = points.filter { $0.t < since }
        let old = Set(pods.filter { p in before.contains { ($0.perPod[p] ?? 0) > 0 } })
        let seenLater = Set(pods.filter { p in points.contains { $0.t >= since && ($0.perPod[p] ?? 0) > 0 } })
        // Without an event only pods that actually showed up later are new; with one, known pods that had nothing yet too.
        let newPods = old.isEmpty ? [] : pods.filter { !old.contains($0) && (first != nil || seenLater.contains($0)) }.sorted()
        guard first != nil || !newPods.isEmpty else { return nil }

        let newSet = Set(newPods)
        let heldByNew = statistics.pods.filter { newSet.contains($0.pod) }.reduce(0) { $0 + $1.count }
        let share = statistics.total > 0 ? Double(heldByNew) / Double(statistics.total) * 100 : nil
        let fair = newPods.isEmpty ? nil : statistics.pods.filter { newSet.contains($0.pod) }.reduce(0) { $0 + $1.expectedShare } * 100
        let over = points.filter { $0.t >= since }.compactMap { p -> ScaleOutSummary.SharePoint? in
            let all = pods.reduce(0) { $0 + (p.perPod[$1] ?? 0) }
            guard all > 0 else { return nil }
            return .init(t: p.t, percent: Double(newPods.reduce(0) { $0 + (p.perPod[$1] ?? 0) }) / Double(all) * 100)
        }

        // Time to fair: from the last event's start, the first sample from which every later one is within max_skew.
        let last = ran.last?.startedAt
        var timeToFair: Double?
        var fairWithin: Bool?
        if let last, let limit = maxSkewPercent {
            let after = points.filter { $0.t >= last }
            let within = after.map { p -> Bool in
                let counts = Dictionary(uniqueKeysWithValues: pods.map { ($0, p.perPod[$0] ?? 0) })
                let s = DistributionStatistics(counts: counts, weights: weights)
                return s.total > 0 && s.maxDeviationPercent <= limit
            }
            // The first sample from which every later one is within: scan back from the end (O(n)).
            var firstOfTail: Int?
            for i in within.indices.reversed() {
                guard within[i] else { break }
                firstOfTail = i
            }
            if after.isEmpty {
                fairWithin = nil  // nothing sampled after the event: not measured, not "never"
            } else if let i = firstOfTail {
                timeToFair = after[i].t - last
                fairWithin = true
            } else {
                fairWithin = false
            }
        }
        let explanation = explain(
            newPods: newPods, since: since, sinceEvent: first?.name, heldByNew: heldByNew, held: statistics.total,
            share: share, fair: fair, holdEnd: holdEnd, lastEvent: ran.last, limit: maxSkewPercent,
            timeToFair: timeToFair, fairWithin: fairWithin, oldPods: old.count, recycled: recycled)
        return ScaleOutSummary(
            since: since, sinceEvent: first?.name, newPods: newPods, heldByNewPods: heldByNew, held: statistics.total,
            newPodSharePercent: share, fairSharePercent: fair, shareOverTime: over, lastEventAt: last,
            maxSkewPercent: maxSkewPercent, timeToFairSeconds: timeToFair, fairWithinRun: fairWithin,
            explanation: explanation)
    }

    // swiftlint:disable:next function_parameter_count
    private static func explain(
        newPods: [String], since: Double, sinceEvent: String?, heldByNew: Int, held: Int, share: Double?,
        fair: Double?, holdEnd: Double, lastEvent: EventRecord?, limit: Double?, timeToFair: Double?,
        fairWithin: Bool?, oldPods: Int, recycled: Int
    ) -> String {
        let when = sinceEvent.map { "at \(ReportText.seconds(since)) (\($0))" } ?? "after the ramp (\(ReportText.seconds(since)))"
        var text: String
        if oldPods == 0 {
            text =
                "No pod held a connection before \(sinceEvent.map { "the event \($0)" } ?? "the ramp ended"), so there is no before to compare with."
        } else if newPods.isEmpty {
            text = "No pod appeared \(when): the connections stayed on the \(Plural.of(oldPods, "pod")) that held them before."
        } else {
            let who = newPods.count == 1 ? "The pod \(newPods[0]) added" : "The \(newPods.count) pods added (\(newPods.joined(separator: ", ")))"
            let verb = newPods.count == 1 ? "holds" : "hold"
            let later = ReportText.seconds(max(0, holdEnd - since))
            let pct = share.map { ReportText.fixed($0, 1) + " %" } ?? "nothing"
            text = "\(who) \(when) \(verb) \(pct) of \(Plural.of(held, "connection")) \(later) later"
            if let fair { text += " (fair share \(ReportText.fixed(fair, 1)) %)" }
            let churn = "connections recycled by clients.lifetime (\(Plural.of(recycled, "recycle")))"
            if heldByNew == 0 && recycled == 0 {
                text +=
                    ": long-lived connections do not rebalance; a max connection age (clients.lifetime.age, or the server's) or client reconnects would move them."
            } else if heldByNew == 0 {
                text +=
                    ": \(churn) reopened, yet none reached the new pods: affinity (a cookie, the source address) pins a reopened connection to its pod."
            } else if let share, let fair, share < fair * 0.9 {
                text +=
                    recycled == 0
                    ? ": only new connections and reconnects reach new pods; a max connection age (clients.lifetime.age, or the server's) or client reconnects would move the rest."
                    : ": \(churn) reached the new pods, not yet up to their fair share; a shorter clients.lifetime.age (or a longer hold) moves more."
            } else {
                text += recycled == 0 ? ": the spread rebalanced." : ": \(churn) reached the new pods; the spread rebalanced."
            }
        }
        if let lastEvent, let limit {
            let name = "the last event (\(lastEvent.name))"
            if fairWithin == true, let t = timeToFair {
                text += " The spread was within max_skew \(ReportText.fixed(limit, 1)) % \(ReportText.seconds(t)) after \(name) and stayed so."
            } else {
                text += " The spread was never within max_skew \(ReportText.fixed(limit, 1)) % after \(name) within the run."
            }
        }
        return text
    }
}
