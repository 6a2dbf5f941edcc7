import Foundation
import Histogram

/// Turns the raw data of a run into a ``Report``: the only caller of cookie-group assignment, server-log
/// matching, statistics, pinning, explanations and the gate.
///
/// Every report is made here — live runs, merges (merge the raw data, then analyse), `match-logs` (swap the
/// logs, then analyse) and the test fixtures — so a new check or report field is written once. Pure: the
/// same input gives the same report.
public enum Analyzer {
    /// The report of `input`, with `input.raw` as its raw data.
    public static func analyse(_ input: AnalysisInput) -> Report {
        analyseWithPodNames(input).report
    }

    /// The report, and the pod each redacted cookie group was matched to (for naming the per-connection records).
    public static func analyseWithPodNames(_ input: AnalysisInput) -> (report: Report, podNames: [String: String]) {
        let raw = input.raw
        let window = raw.window
        let groups = CookieGroups.assign(
            heldPerPod: raw.heldPerPod, serverLogs: raw.serverLogsConfigured ? raw.serverLogs : nil,
            window: window)

        // Client-side counts: connections open at the end of the hold, per attributed pod.
        var counts = CookieGroups.renamed(raw.heldPerPod, groups.pods)
        let unattributed = counts.removeValue(forKey: "?") ?? 0
        for pod in raw.knownPods.keys where counts[pod] == nil { counts[pod] = 0 }
        for s in raw.serverLogs where counts[s.pod] == nil { counts[s.pod] = 0 }
        // With no connection attributed, the pods' own log deltas are the distribution (checked to add up).
        var reconciliation: LogDeltaReconciliation.Outcome?
        if raw.serverLogsConfigured {
            reconciliation = LogDeltaReconciliation.reconcile(
                held: counts, unattributed: unattributed, series: raw.serverLogs,
                window: window, knownPods: Set(raw.knownPods.keys))
        }
        if let r = reconciliation { counts = r.counts }
        let statistics = DistributionStatistics(counts: counts, weights: raw.weights)

        var matches: [PodMatch] = []
        if let r = reconciliation {
            matches = r.matches
        } else if raw.serverLogsConfigured {
            matches = LogMatcher().match(series: raw.serverLogs, window: window, clientCounts: counts, knownPods: Set(raw.knownPods.keys))
        }

        // The pods' own metrics, matched the same way as their logs.
        let metricsMatch = raw.serverMetrics.map {
            MetricsMatch.evaluate($0, window: window, counts: counts, knownPods: Set(raw.knownPods.keys))
        }

        // Pinning is judged over attributed connections only: a client none of whose connections could be
        // attributed says nothing about placement.
        let placements = ClientPlacement.renamed(input.placements) { pod in
            let name = groups.pods[pod] ?? pod
            return name == "?" ? nil : name
        }
        let significance = SkewSignificance.evaluate(
            statistics: statistics, weights: raw.weights, placements: placements,
            maxSkewPercent: raw.thresholds.maxSkewPercent)

        let inputs = RunInputs(
            sourceAddresses: raw.sourceAddresses, cookiePolicy: raw.cookiePolicy, distinctCookieValues: raw.distinctCookieValues,
            targetIsSinglePod: raw.singlePodTarget != nil, singlePodTargetKind: raw.singlePodTarget,
            clientCount: raw.clientCount, cookieCarriers: raw.cookieCarriers, established: input.totals.established)
        let explanations = SpreadExplainer().explain(inputs: inputs, statistics: statistics)

        let latency = latencySummaries(raw.histograms)
        var percentiles: [String: Double] = [:]
        for l in latency { for (k, v) in l.percentilesMs { percentiles[k] = v } }
        let timeline = input.timeline.map { points in
            points.map { p in
                var q = p
                q.perPod = CookieGroups.renamed(p.perPod, groups.pods)
                return q
            }
        }
        let scaleOut = ScaleOutAnalysis.evaluate(
            timeline: timeline, events: raw.events, statistics: statistics, weights: raw.weights,
            rampEnd: window.holdStart.timeIntervalSince(window.runStart),
            holdEnd: window.holdEnd.timeIntervalSince(window.runStart),
            maxSkewPercent: raw.thresholds.maxSkewPercent, recycled: input.totals.recycled)
        let drain = DrainAnalysis.evaluate(
            timeline: timeline, events: raw.events, resilience: input.resilience.map { CookieGroups.renamed($0, groups.pods) },
            holdEnd: window.holdEnd.timeIntervalSince(window.runStart))
        let gate = Gate(thresholds: raw.thresholds).evaluate(
            statistics: statistics, failed: input.totals.failed,
            dropped: input.totals.dropped, podMatches: matches,
            metricsMatches: metricsMatch?.pods ?? [], placements: placements,
            latencyPercentilesMs: percentiles, scaleOut: scaleOut, drain: drain, timelineSampled: timeline != nil,
            incomplete: incompleteReason(input, scaleOut: scaleOut))

        var notes = input.notes + groups.notes
        if let r = reconciliation {
            notes.append(r.note)
        } else if unattributed > 0 {
            notes.append(
                "\(unattributed) held connections could not be attributed to a pod (no identity header, affinity cookie or first message matched).")
        }
        if raw.interrupted { notes.append("The run was interrupted; the report covers what happened until then.") }
        let unverified = matches.filter { $0.afterClose == nil && ($0.delta ?? 0) != 0 && !$0.usedSampleOrder }.map(\.pod)
        if !unverified.isEmpty {
            notes.append("No log line after the hold for \(unverified.joined(separator: ", ")): their return to the baseline is not verified.")
        }
        // Where baselines came from when not simply read before the run, and other traffic with its size.
        notes += LogMatchNotes.notes(matches)
        notes += input.closingNotes
        var warnings = input.warnings + (reconciliation?.warning.map { [$0] } ?? [])
        if let finding = input.resilience?.idleTimeout {
            // Connections opened together and cut together by an event (a drain, `shutdown sessions`, a pod deleted)
            // also share an age: when an event's wave holds the cluster, the event is the evidence, not a timeout.
            if let wave = drain?.waves.first(where: { $0.event != nil && $0.dropped >= finding.connections }) {
                notes.append(
                    "\(finding.connections) connections were cut at the same age (≈\(ReportText.fixed(finding.ageSeconds, 1)) s) right after "
                        + "the event \(wave.event!) at \(ReportText.seconds(wave.from)): counted as the event's doing, not as an idle timeout.")
            } else {
                warnings.append(finding.message)
            }
        }
        if let warning = significance?.warning { warnings.append(warning) }
        for e in raw.events ?? [] where !e.outcome.isSuccess && e.outcome != .notRun {
            warnings.append("event \(e.name) at \(ReportText.seconds(e.at)) did not succeed: \(e.status)")
        }
        for e in raw.events ?? [] where e.outcome == .notRun {
            notes.append("event \(e.name) at \(ReportText.seconds(e.at)) was not run: the run ended first.")
        }

        var report = Report(
            run: input.run, totals: input.totals, latency: latency, pods: PodRow.rows(statistics: statistics, matches: matches),
            statistics: statistics, explanations: explanations, placements: placements, gate: gate,
            notes: dedupe(notes), warnings: dedupe(warnings))
        report.resilience = input.resilience
        report.metricsMatch = metricsMatch
        report.significance = significance
        report.timeline = timeline
        report.events = raw.events
        report.scaleOut = scaleOut
        report.drain = drain
        report.shareOverTime = ShareOverTimeAnalysis.evaluate(timeline: timeline, pods: statistics.pods.map(\.pod))
        report.raw = raw
        return (report, groups.pods)
    }

    /// Why the run cannot be judged, or nil when it is complete: interrupted, nothing attempted, nothing
    /// established, connections whose fate is unknown, or a reason the assembler gave (a lost worker).
    static func incompleteReason(_ input: AnalysisInput, scaleOut: ScaleOutSummary? = nil) -> String? {
        let t = input.totals
        var reasons: [String] = []
        if input.raw.interrupted { reasons.append("the run was interrupted before it completed") }
        if t.attempted == 0 {
            reasons.append("no connection was attempted")
        } else if t.established == 0 {
            let top = t.failures.first.map { "; most frequent failure: \($0.phase): \($0.reason) ×\($0.count)" } ?? ""
            reasons.append("no connection could be established (\(t.attempted) attempted\(top))")
        }
        if !input.raw.interrupted, t.unaccounted > 0 {
            reasons.append("\(t.unaccounted) connection\(t.unaccounted == 1 ? "'s" : "s'") fate is unknown")
        }
        if input.raw.thresholds.requireMetricsMatch {
            if let m = input.raw.serverMetrics {
                if !m.readable {
                    reasons.append("server metrics were required but could not be read (\(m.problems.first ?? "no reading was obtained"))")
                }
            } else {
                reasons.append("server metrics were required but none were read")
            }
        }
        // A scale-out gate measures from an event that did what it was asked: a failed `kubectl scale` changes
        // nothing, and a spread that stays fair must not pass max_time_to_fair for it.
        if input.raw.thresholds.needsEvent, !(input.raw.events ?? []).contains(where: { $0.outcome.isSuccess }) {
            let keys = [
                input.raw.thresholds.minNewPodSharePercent.map { _ in "min_new_pod_share" },
                input.raw.thresholds.maxTimeToFairSeconds.map { _ in "max_time_to_fair" },
            ].compactMap { $0 }
            let failed = (input.raw.events ?? []).filter { $0.startedAt != nil }.map { "\($0.name): \($0.outcome.rawValue)" }
            reasons.append(
                "\(keys.joined(separator: " and ")) \(keys.count == 1 ? "needs" : "need") an event that succeeded to measure from, and none did"
                    + (failed.isEmpty ? "" : " (\(failed.joined(separator: ", ")))"))
        } else if input.raw.thresholds.maxTimeToFairSeconds != nil, let s = scaleOut, s.lastEventAt != nil, s.fairWithinRun == nil {
            reasons.append(
                "max_time_to_fair could not be measured: no timeline sample after the last event (timeline.interval too long, or the run too short)")
        }
        if input.raw.thresholds.maxReconnectRate != nil, input.timeline == nil {
            reasons.append("max_reconnect_rate could not be measured: the run recorded no timeline")
        }
        reasons += input.incompleteReasons
        return reasons.isEmpty ? nil : dedupe(reasons).joined(separator: "; ")
    }

    /// `list` without repeated entries, first occurrence kept.
    static func dedupe(_ list: [String]) -> [String] {
        var seen = Set<String>()
        return list.filter { seen.insert($0).inserted }
    }

    /// Percentile summaries (milliseconds) from microsecond histograms, in a fixed phase order.
    public static func latencySummaries(_ histograms: [String: Histogram<UInt64>]) -> [LatencySummary] {
        let order = ["tcp-connect", "tls", "upgrade", "first-message", "echo-rtt", "ping-rtt", "close", "disruption", "half-open-detection"]
        let names = order.filter { histograms[$0] != nil } + histograms.keys.filter { !order.contains($0) }.sorted()
        return names.compactMap { name in
            guard let h = histograms[name], h.totalCount > 0 else { return nil }
            func ms(_ p: Double) -> Double { (Double(h.valueAtPercentile(p)) / 1000 * 1000).rounded() / 1000 }
            return LatencySummary(
                phase: name, count: Int(h.totalCount), p50Ms: ms(50), p90Ms: ms(90), p99Ms: ms(99),
                maxMs: (Double(h.max) / 1000 * 1000).rounded() / 1000)
        }
    }
}
