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
            case "max_dropped": maxDropped = Int(check.threshold)
            case "require_log_match": requireLogMatch = true
            case "require_metrics_match": requireMetricsMatch = true
            case "clients_pinned": clientsPinned = true
            case "min_new_pod_share": minNewPodSharePercent = check.threshold
            case "max_time_to_fair": maxTimeToFairSeconds = check.threshold
            case "max_reconnect_rate": maxReconnectRate = check.threshold
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
        return RunWindow(
            runStart: ramp?.start ?? run.startedAt, holdStart: hold?.start ?? run.startedAt,
            holdEnd: hold?.end ?? run.endedAt, closeEnd: run.endedAt)
    }

    /// This report re-analysed with server-side matching from `series` (`wsload match-logs`): the logs are
    /// swapped in the raw data and the whole analysis runs again, gate included; `requireLogMatch` adds that
    /// check if the original gate lacked it.
    public func rematched(with series: [LogSampleSeries], requireLogMatch: Bool = false) -> Report {
        var input = AnalysisInput(report: self)
        input.raw.serverLogs = series
        input.raw.serverLogsConfigured = true
        if requireLogMatch { input.raw.thresholds.requireLogMatch = true }
        input.closingNotes.append("Server-side matching recomputed by `wsload match-logs` from \(series.count) pod log(s).")
        return Analyzer.analyse(input)
    }
}
