import Foundation

extension GateThresholds {
    /// The thresholds a verdict was evaluated with, recovered from its checks (so a saved report can be re-gated).
    public init(recoveredFrom verdict: GateVerdict) {
        self.init()
        for check in verdict.checks {
            switch check.name {
            case "max_skew": maxSkewPercent = check.threshold
            case "min_pods_hit": minPodsHit = Int(check.threshold)
            case "max_failed": maxFailed = Int(check.threshold)
            case "require_log_match": requireLogMatch = true
            case "clients_pinned": clientsPinned = true
            default:
                if check.name.hasPrefix("max_"), check.name.hasSuffix("_ms") {
                    maxLatencyMs[String(check.name.dropFirst(4).dropLast(3))] = check.threshold
                }
            }
        }
    }
}

extension Report {
    /// The run window recorded in the report's phases.
    public var runWindow: RunWindow {
        let ramp = run.phases.first { $0.name == "ramp" }
        let hold = run.phases.first { $0.name == "hold" }
        return RunWindow(runStart: ramp?.start ?? run.startedAt, holdStart: hold?.start ?? run.startedAt,
                         holdEnd: hold?.end ?? run.endedAt, closeEnd: run.endedAt)
    }

    /// This report with server-side matching recomputed from `series` and the gate re-evaluated
    /// (`wsload match-logs`); `requireLogMatch` adds that check if the original gate lacked it.
    public func rematched(with series: [LogSampleSeries], requireLogMatch: Bool = false) -> Report {
        var counts: [String: Int] = [:]
        for p in statistics.pods { counts[p.pod] = p.count }
        let matches = LogMatcher().match(series: series, window: runWindow, clientCounts: counts)
        var thresholds = GateThresholds(recoveredFrom: gate)
        if requireLogMatch { thresholds.requireLogMatch = true }
        var copy = self
        copy.pods = PodRow.rows(statistics: statistics, matches: matches)
        copy.gate = Gate(thresholds: thresholds).evaluate(statistics: statistics, failed: totals.failed, podMatches: matches,
                                                          pinning: clients, latencyPercentilesMs: latencyPercentilesMs)
        copy.notes.append("Server-side matching recomputed by `wsload match-logs` from \(series.count) pod log(s).")
        return copy
    }
}
