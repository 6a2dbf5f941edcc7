/// Evaluates a run's measurements against `GateThresholds`.
public struct Gate: Sendable {
    /// The thresholds to check.
    public var thresholds: GateThresholds

    /// Creates a gate.
    public init(thresholds: GateThresholds) {
        self.thresholds = thresholds
    }

    /// Runs every configured check, in the order max_skew, min_pods_hit, max_failed, max_dropped,
    /// require_log_match, require_metrics_match, clients_pinned, latency ceilings sorted by key, then min_new_pod_share
    /// and max_time_to_fair (on `scaleOut`), then max_reconnect_rate (on `drain`). An `incomplete` reason makes the
    /// verdict INCOMPLETE whatever the checks say.
    ///
    /// - Parameters:
    ///   - statistics: the per-pod distribution.
    ///   - failed: attempts that failed before the connection was established.
    ///   - dropped: connections lost after the 101 and not re-established.
    ///   - incomplete: why the run cannot be judged (interrupted, nothing established, unaccounted connections).
    ///   - podMatches: server-log matching per pod (empty when no logs were read).
    ///   - metricsMatches: server-metrics matching per pod (empty when no metrics were read).
    ///   - placements: where each client's connections landed, clients with equal placements counted together
    ///     (empty when unknown).
    ///   - latencyPercentilesMs: measured percentiles in ms keyed like `upgrade_p99`.
    public func evaluate(
        statistics: DistributionStatistics, failed: Int, dropped: Int = 0, podMatches: [PodMatch] = [],
        metricsMatches: [PodMatch] = [], placements: [ClientPlacement] = [], latencyPercentilesMs: [String: Double] = [:],
        scaleOut: ScaleOutSummary? = nil, drain: DrainSummary? = nil, timelineSampled: Bool = true, incomplete: String? = nil
    ) -> GateVerdict {
        var checks: [GateCheck] = []
        if let limit = thresholds.maxSkewPercent {
            let measured: Double? = statistics.total > 0 ? statistics.maxDeviationPercent : nil
            let worst = statistics.pods.filter { $0.deviationPercent != nil }
                .max { abs($0.deviationPercent!) < abs($1.deviationPercent!) }
            let detail =
                measured == nil
                ? "no connections to measure a spread"
                : worst.map { "largest deviation on \($0.pod): \($0.count) connections vs \(ReportText.fixed($0.expectedCount, 1)) expected" }
                    ?? "no pods"
            checks.append(
                GateCheck(
                    name: "max_skew", threshold: limit, measured: measured, comparison: .atMost,
                    unit: "%", detail: detail))
        }
        if let minimum = thresholds.minPodsHit {
            let notHit = statistics.podsNotHit
            let detail =
                "\(statistics.podsHit) of \(statistics.podCount) pods received connections"
                + (notHit.isEmpty ? "" : "; not hit: " + notHit.joined(separator: ", "))
            checks.append(
                GateCheck(
                    name: "min_pods_hit", threshold: Double(minimum),
                    measured: Double(statistics.podsHit), comparison: .atLeast, unit: "pods",
                    detail: detail))
        }
        if let maximum = thresholds.maxFailed {
            checks.append(
                GateCheck(
                    name: "max_failed", threshold: Double(maximum), measured: Double(failed),
                    comparison: .atMost, unit: "connections",
                    detail: "\(failed) connection\(failed == 1 ? "" : "s") failed"))
        }
        if let maximum = thresholds.effectiveMaxDropped {
            let reconnected = drain?.reconnected ?? 0
            checks.append(
                GateCheck(
                    name: "max_dropped", threshold: Double(maximum), measured: Double(dropped),
                    comparison: .atMost, unit: "connections",
                    detail: "\(dropped) connection\(dropped == 1 ? "" : "s") dropped after the 101 and not re-established"
                        + (reconnected > 0 ? " (\(Plural.of(reconnected, "reconnect")) after drops: see drain)" : "")
                        + (thresholds.maxDropped == nil ? " (max_dropped defaults to 0 when a gate is set)" : "")))
        }
        if thresholds.requireLogMatch {
            let unmatched = podMatches.filter { !$0.classification.isMatch }  // otherTraffic: wsload's own count matched
            let detail =
                podMatches.isEmpty
                ? "no server log data was read"
                : unmatched.isEmpty
                    ? "all \(podMatches.count) pods match the server logs"
                    : unmatched.map { "\($0.pod): \($0.classification.label)" }.joined(separator: "; ")
            checks.append(
                GateCheck(
                    name: "require_log_match", threshold: 0,
                    measured: podMatches.isEmpty ? nil : Double(unmatched.count),
                    comparison: .atMost, unit: "pods", detail: detail))
        }
        if thresholds.requireMetricsMatch {
            let unmatched = metricsMatches.filter { !$0.classification.isMatch }
            let detail =
                metricsMatches.isEmpty
                ? "no server metrics were read"
                : unmatched.isEmpty
                    ? "all \(metricsMatches.count) pods match the server metrics"
                    : unmatched.map { "\($0.pod): \($0.classification.label)" }.joined(separator: "; ")
            checks.append(
                GateCheck(
                    name: "require_metrics_match", threshold: 0,
                    measured: metricsMatches.isEmpty ? nil : Double(unmatched.count),
                    comparison: .atMost, unit: "pods", detail: detail))
        }
        if thresholds.clientsPinned {
            let unpinned = placements.filter { !$0.pinned }
            let unpinnedCount = unpinned.clientCount, total = placements.clientCount
            let shown = unpinned.flatMap { p in p.examples.map { "\($0) on " + p.pods.map(\.pod).joined(separator: "+") } }.prefix(5)
            let detail =
                placements.isEmpty
                ? "no per-client attribution was recorded"
                : unpinned.isEmpty
                    ? "all \(total) clients stayed on one pod"
                    : "\(unpinnedCount) of \(total) clients spread over pods: " + shown.joined(separator: ", ")
                        + (unpinnedCount > shown.count ? ", …" : "")
            checks.append(
                GateCheck(
                    name: "clients_pinned", threshold: 0,
                    measured: placements.isEmpty ? nil : Double(unpinnedCount),
                    comparison: .atMost, unit: "clients", detail: detail))
        }
        for (key, limit) in thresholds.maxLatencyMs.sorted(by: { $0.key < $1.key }) {
            let measured = latencyPercentilesMs[key]
            checks.append(
                GateCheck(
                    name: "max_\(key)_ms", threshold: limit, measured: measured, comparison: .atMost,
                    unit: "ms", detail: measured == nil ? "\(key) was not measured" : "\(key) latency"))
        }
        checks += scaleOutChecks(scaleOut)
        if let maximum = thresholds.maxReconnectRate {
            let detail: String
            if !timelineSampled {
                detail = "not measured: the run recorded no timeline"
            } else if let d = drain, d.reconnected > 0 {
                let at = d.peakAt.map { " at \(ReportText.seconds($0))" } ?? ""
                detail =
                    "peak \(ReportText.fixed(d.peakReconnectsPerSecond, 1)) reconnects per second\(at), \(d.reconnected) reconnected after "
                    + "\(Plural.of(d.dropped, "drop"))"
            } else {
                detail = "no reconnect during the run"
            }
            checks.append(
                GateCheck(
                    name: "max_reconnect_rate", threshold: maximum, measured: timelineSampled ? (drain?.peakReconnectsPerSecond ?? 0) : nil,
                    comparison: .atMost, unit: "reconnects/s", detail: detail))
        }
        return GateVerdict(checks: checks, incomplete: incomplete)
    }
}

extension Gate {
    /// `min_new_pod_share` and `max_time_to_fair`, judged on the scale-out summary (unmeasured without one: the run
    /// is then INCOMPLETE, see ``Analyzer``).
    func scaleOutChecks(_ s: ScaleOutSummary?) -> [GateCheck] {
        var checks: [GateCheck] = []
        if let minimum = thresholds.minNewPodSharePercent {
            let detail: String
            if let s, !s.newPods.isEmpty {
                let pods =
                    s.newPods.count == 1
                    ? "the new pod \(s.newPods[0]) holds" : "the \(s.newPods.count) new pods (\(s.newPods.joined(separator: ", "))) hold"
                detail =
                    "\(pods) \(s.heldByNewPods) of \(Plural.of(s.held, "connection")) at the end of the hold, "
                    + "\(ReportText.seconds(s.since)) after \(s.sinceEvent ?? "the ramp")"
                    + (s.heldByNewPods == 0 ? ": long-lived connections did not move to them" : "")
            } else {
                detail = s == nil ? "no event to measure new pods from" : "no new pod appeared after \(s!.sinceEvent ?? "the ramp")"
            }
            checks.append(
                GateCheck(
                    name: "min_new_pod_share", threshold: minimum, measured: s.flatMap { $0.newPods.isEmpty ? nil : $0.newPodSharePercent },
                    comparison: .atLeast, unit: "%", detail: detail))
        }
        if let maximum = thresholds.maxTimeToFairSeconds {
            let skew = (s?.maxSkewPercent ?? thresholds.maxSkewPercent).map { "max_skew \(ReportText.fixed($0, 1)) %" } ?? "max_skew"
            let detail: String =
                switch (s?.lastEventAt, s?.fairWithinRun, s?.timeToFairSeconds) {
                case (nil, _, _): "no event to measure from"
                case (_, nil, _): "not measured: no timeline sample after the last event"
                case (_, true?, let t?): "the spread was within \(skew) \(ReportText.seconds(t)) after the last event"
                default: "the spread was never within \(skew) again after the last event within the run"
                }
            checks.append(
                GateCheck(
                    name: "max_time_to_fair", threshold: maximum, measured: s?.timeToFairSeconds, comparison: .atMost,
                    unit: "seconds", detail: detail))
        }
        return checks
    }
}
