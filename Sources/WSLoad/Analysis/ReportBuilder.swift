import Foundation
import Histogram

/// Everything besides the engine's result that the report needs.
public struct ReportContext: Sendable {
    /// Profile name, if any.
    public var profileName: String?
    /// The target URL (redacted when shown).
    public var target: String
    /// Pods known from discovery or the static list, with weights.
    public var knownPods: [String: Double]
    /// Expected weights per pod (nil: equal over the pods seen).
    public var weights: [String: Double]?
    /// Server-side log samples per pod (empty: no logs configured).
    public var serverLogs: [LogSampleSeries]
    /// Whether server logs were configured (an empty series then means "no data").
    public var serverLogsConfigured: Bool
    /// Cookie policy of the run.
    public var cookiePolicy: CookiePolicy
    /// Whether the target reaches a single pod (port-forward or pod address).
    public var singlePodTarget: String?
    /// Gate thresholds.
    public var thresholds: GateThresholds
    /// Notes to carry into the report.
    public var notes: [String]
    /// Warnings to carry into the report (plan warnings are added from the result).
    public var warnings: [String]

    /// Creates a context.
    public init(profileName: String? = nil, target: String, knownPods: [String: Double] = [:], weights: [String: Double]? = nil,
                serverLogs: [LogSampleSeries] = [], serverLogsConfigured: Bool = false, cookiePolicy: CookiePolicy = .none,
                singlePodTarget: String? = nil, thresholds: GateThresholds = GateThresholds(), notes: [String] = [], warnings: [String] = []) {
        self.profileName = profileName; self.target = target; self.knownPods = knownPods; self.weights = weights
        self.serverLogs = serverLogs; self.serverLogsConfigured = serverLogsConfigured; self.cookiePolicy = cookiePolicy
        self.singlePodTarget = singlePodTarget; self.thresholds = thresholds; self.notes = notes; self.warnings = warnings
    }
}

/// Turns an ``EngineResult`` and its context into a ``Report``: statistics, matching, explanations, gate.
public enum ReportBuilder {
    /// Builds the report with the raw data an exact merge needs (``ReportRawData``). Pure: the same inputs give the same report.
    public static func build(result: EngineResult, context: ReportContext, shape: ReportRawData.RunShape? = nil) -> Report {
        // Opaque affinity-cookie values become `cookie#<hash>` before anything is written (they are secrets),
        // in the analysis and in the raw data alike.
        var named = result
        let groupNotes = nameCookieGroups(&named, context: context)
        var report = buildAnalysis(result: named, context: context)
        report.notes.insert(contentsOf: groupNotes, at: min(report.notes.count, context.notes.count))
        report.raw = ReportRawData(result: named, context: context, shape: shape)
        return report
    }

    /// The analysed report without raw data.
    static func buildAnalysis(result: EngineResult, context: ReportContext) -> Report {
        // Client-side counts: connections open at the end of the hold, per attributed pod.
        var counts = result.heldPerPod
        let unattributed = counts.removeValue(forKey: "?") ?? 0
        for pod in context.knownPods.keys where counts[pod] == nil { counts[pod] = 0 }
        for s in context.serverLogs where counts[s.pod] == nil { counts[s.pod] = 0 }
        var weights = context.weights
        if weights == nil, context.knownPods.values.contains(where: { $0 != 1 }) { weights = context.knownPods }
        let window = RunWindow(runStart: result.startedAt, holdStart: result.holdStartedAt, holdEnd: result.holdEndedAt, closeEnd: result.endedAt)
        // issue 13 (port into the Analyzer): with no connection attributed, the pods' log deltas are the distribution.
        var reconciliation: LogDeltaReconciliation.Outcome?
        if context.serverLogsConfigured {
            reconciliation = LogDeltaReconciliation.reconcile(held: counts, unattributed: unattributed, series: context.serverLogs,
                                                              window: window, knownPods: Set(context.knownPods.keys))
        }
        if let r = reconciliation { counts = r.counts }
        let statistics = DistributionStatistics(counts: counts, weights: weights)

        var matches: [PodMatch] = []
        if let r = reconciliation {
            matches = r.matches
        } else if context.serverLogsConfigured {
            matches = LogMatcher().match(series: context.serverLogs, window: window, clientCounts: counts, knownPods: Set(context.knownPods.keys))
        }

        var byClient: [String: [String: Int]] = [:]
        for r in result.records where r.status == .held || r.status == .dropped {
            byClient["client-\(r.client)", default: [:]][r.pod ?? "?", default: 0] += 1
        }
        let pinning = ClientPinning.evaluate(podCountsByClient: byClient)

        let sources = result.records.compactMap { r -> String? in
            guard let local = r.local else { return nil }
            return SocketAddress.hostPart(of: local)
        }
        let inputs = RunInputs(sourceAddresses: sources, cookiePolicy: context.cookiePolicy, distinctCookieValues: result.distinctCookieValues,
                               targetIsSinglePod: context.singlePodTarget != nil, singlePodTargetKind: context.singlePodTarget,
                               clientCount: Set(result.records.map(\.client)).count)
        let explanations = SpreadExplainer().explain(inputs: inputs, statistics: statistics)

        let latency = latencySummaries(result.histograms)
        var percentiles: [String: Double] = [:]
        for l in latency { for (k, v) in l.percentilesMs { percentiles[k] = v } }
        let gate = Gate(thresholds: context.thresholds).evaluate(statistics: statistics, failed: result.failed, podMatches: matches,
                                                                 pinning: pinning, latencyPercentilesMs: percentiles)

        var buckets: [String: (String, String, Int)] = [:]
        for r in result.records {
            guard let f = r.failure, r.status == .failed || r.status == .dropped else { continue }
            let key = f.bucket
            let reason = key.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? f.kind.rawValue
            buckets[key, default: (f.phase.rawValue, reason, 0)].2 += 1
        }
        // Most frequent first; ties by phase, then reason, so the same input always renders the same.
        let failures = buckets.values.sorted { a, b in a.2 != b.2 ? a.2 > b.2 : (a.0, a.1) < (b.0, b.1) }
            .map { FailureBucket(phase: $0.0, reason: $0.1, count: $0.2) }
        var totals = RunTotals(attempted: result.attempted, established: result.established, failed: result.failed, held: result.held,
                               closed: result.dropped, failures: failures)
        let handshakes = result.records.filter { $0.tlsMs != nil && $0.status != .failed }
        if !handshakes.isEmpty {
            totals.tlsHandshakes = handshakes.count
            totals.tlsResumed = handshakes.filter(\.tlsResumed).count
        }
        let phases = [PhaseTiming(name: "ramp", start: result.startedAt, end: result.holdStartedAt),
                      PhaseTiming(name: "hold", start: result.holdStartedAt, end: result.holdEndedAt),
                      PhaseTiming(name: "close", start: result.holdEndedAt, end: result.endedAt)]
        let run = RunMetadata(profile: context.profileName, target: Redaction.redactURL(context.target), startedAt: result.startedAt,
                              endedAt: result.endedAt, phases: phases)
        var notes = context.notes
        if let r = reconciliation {
            notes.append(r.note)
        } else if unattributed > 0 {
            notes.append("\(unattributed) held connections could not be attributed to a pod (no identity header, affinity cookie or first message matched).")
        }
        if result.interrupted { notes.append("The run was interrupted; the report covers what happened until then.") }
        let unverified = matches.filter { $0.afterClose == nil && ($0.delta ?? 0) != 0 && !$0.usedSampleOrder }.map(\.pod)
        if !unverified.isEmpty {
            notes.append("No log line after the hold for \(unverified.joined(separator: ", ")): their return to the baseline is not verified.")
        }
        // issue 13 (port into the Analyzer): say where baselines came from when not simply read before the run,
        // and name other traffic with its size.
        notes += LogMatchNotes.notes(matches)
        var warnings = context.warnings + result.warnings + (reconciliation?.warning.map { [$0] } ?? [])
        if !warnings.isEmpty { warnings = Array(NSOrderedSet(array: warnings)) as? [String] ?? warnings }
        var report = Report(run: run, totals: totals, latency: latency, pods: PodRow.rows(statistics: statistics, matches: matches),
                            statistics: statistics, explanations: explanations, clients: pinning, gate: gate, notes: notes, warnings: warnings)
        report.resilience = ResilienceSummary.summarise(result.records)
        if let finding = report.resilience?.idleTimeout { report.warnings.append(finding.message) }
        if !result.timeline.isEmpty {
            report.timeline = withServerCounts(result.timeline, startedAt: result.startedAt, logs: context.serverLogs)
        }
        return report
    }

    /// Names the groups of connections attributed by an affinity cookie's value.
    ///
    /// A value that is a known pod's name (HAProxy inserts server names) or mapped by `cookie_map` was
    /// already named by the engine. Any other value is opaque and, being a cookie, a secret: the group is
    /// shown as `cookie#<hash>`. Such a group is then matched to a pod through the logs when exactly one
    /// pod that wsload attributed nothing to shows a log delta equal to the group's size.
    static func nameCookieGroups(_ result: inout EngineResult, context: ReportContext) -> [String] {
        let known = Set(context.knownPods.keys).union(context.serverLogs.map(\.pod))
        // issue 13: a cookie whose values do not group connections (every value different, e.g. AWS ALB's
        // rotating AWSALB) attributes nothing: those connections become unattributed.
        let ungroupNote = ungroupRotatingCookies(&result, known: known)
        var rename: [String: String] = [:]
        for r in result.records where r.podSource == .cookie {
            guard let pod = r.pod, !known.contains(pod), !pod.hasPrefix("cookie#"), rename[pod] == nil else { continue }
            rename[pod] = "cookie#" + Redaction.fnv1aHex(pod)
        }
        guard !rename.isEmpty else { return ungroupNote }
        var notes: [String] = ungroupNote
        // Group sizes at the end of the hold, under their redacted names.
        var sizes: [String: Int] = [:]
        for (pod, n) in result.heldPerPod { if let g = rename[pod] { sizes[g, default: 0] += n } }
        if context.serverLogsConfigured {
            let window = RunWindow(runStart: result.startedAt, holdStart: result.holdStartedAt, holdEnd: result.holdEndedAt, closeEnd: result.endedAt)
            let attributedPods = Set(result.heldPerPod.keys)
            var deltas: [String: Int] = [:]
            for s in context.serverLogs where !attributedPods.contains(s.pod) {
                if let d = LogMatcher().match(pod: s.pod, series: s, window: window, clientCount: 0).delta, d > 0 { deltas[s.pod] = d }
            }
            var taken = Set<String>()
            for (group, size) in sizes.sorted(by: { $0.key < $1.key }) {
                let candidates = deltas.filter { $0.value == size && !taken.contains($0.key) }.map(\.key)
                guard candidates.count == 1, let pod = candidates.first else { continue }
                taken.insert(pod)
                for (value, g) in rename where g == group { rename[value] = pod }
                notes.append("Connections grouped by affinity cookie \(group) (\(size)) were matched to pod \(pod) through its log delta.")
            }
        }
        for i in result.records.indices {
            if let pod = result.records[i].pod, let name = rename[pod] { result.records[i].pod = name }
            result.records[i].previousPods = result.records[i].previousPods.map { rename[$0] ?? $0 }
        }
        var held: [String: Int] = [:]
        for (pod, n) in result.heldPerPod { held[rename[pod] ?? pod, default: 0] += n }
        result.heldPerPod = held
        for i in result.timeline.indices {
            var per: [String: Int] = [:]
            for (pod, n) in result.timeline[i].perPod { per[rename[pod] ?? pod, default: 0] += n }
            result.timeline[i].perPod = per
        }
        return notes
    }

    /// Un-attributes connections attributed by opaque cookie values when there are at least 4 and no two share
    /// a value (the cookie does not group connections by pod); returns the note saying so.
    static func ungroupRotatingCookies(_ result: inout EngineResult, known: Set<String>) -> [String] {
        let opaque = result.records.indices.filter { i in
            let r = result.records[i]
            return r.podSource == .cookie && r.pod.map { !known.contains($0) && !$0.hasPrefix("cookie#") } == true
        }
        let values = Set(opaque.compactMap { result.records[$0].pod })
        guard opaque.count >= 4, values.count == opaque.count else { return [] }
        for i in opaque { result.records[i].pod = nil; result.records[i].podSource = nil }
        var held: [String: Int] = [:]
        for (pod, n) in result.heldPerPod { held[values.contains(pod) ? "?" : pod, default: 0] += n }
        result.heldPerPod = held
        for i in result.timeline.indices {
            var per: [String: Int] = [:]
            for (pod, n) in result.timeline[i].perPod { per[values.contains(pod) ? "?" : pod, default: 0] += n }
            result.timeline[i].perPod = per
        }
        return ["An affinity cookie gave each of \(opaque.count) connections a different value: it does not group connections by pod, so it was not used for attribution."]
    }

    /// Adds each pod's own "Active connections" value in effect at every timeline point.
    static func withServerCounts(_ points: [TimelinePoint], startedAt: Date, logs: [LogSampleSeries]) -> [TimelinePoint] {
        let series = logs.map { s in (s.pod, s.samples.compactMap { x in x.timestamp.map { ($0.timeIntervalSince(startedAt), x.activeConnections) } }.sorted { $0.0 < $1.0 }) }
            .filter { !$0.1.isEmpty }
        guard !series.isEmpty else { return points }
        return points.map { p in
            var q = p
            var server: [String: Int] = [:]
            for (pod, samples) in series {
                if let last = samples.last(where: { $0.0 <= p.t }) { server[pod] = last.1 }
            }
            q.serverPerPod = server
            return q
        }
    }

    /// Percentile summaries (milliseconds) from microsecond histograms, in a fixed phase order.
    public static func latencySummaries(_ histograms: [String: Histogram<UInt64>]) -> [LatencySummary] {
        let order = ["tcp-connect", "tls", "upgrade", "first-message", "echo-rtt", "ping-rtt", "close", "disruption", "half-open-detection"]
        let names = order.filter { histograms[$0] != nil } + histograms.keys.filter { !order.contains($0) }.sorted()
        return names.compactMap { name in
            guard let h = histograms[name], h.totalCount > 0 else { return nil }
            func ms(_ p: Double) -> Double { (Double(h.valueAtPercentile(p)) / 1000 * 1000).rounded() / 1000 }
            return LatencySummary(phase: name, count: Int(h.totalCount), p50Ms: ms(50), p90Ms: ms(90), p99Ms: ms(99),
                                  maxMs: (Double(h.max) / 1000 * 1000).rounded() / 1000)
        }
    }
}

extension SocketAddress {
    /// The host part of `a.b.c.d:port` or `[v6]:port`.
    public static func hostPart(of text: String) -> String {
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") { return String(text[text.index(after: text.startIndex) ..< close]) }
        if let colon = text.lastIndex(of: ":") { return String(text[..<colon]) }
        return text
    }
}
