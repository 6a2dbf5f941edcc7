import Foundation
import Histogram

/// Why reports cannot be merged, in words a user can act on.
public struct MergeError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The message.
    public var description: String
    /// Creates an error.
    public init(_ message: String) { description = message }
}

/// A shard whose report is missing because its worker died: its connections are counted as failed/unknown.
public struct LostShard: Sendable, Equatable {
    /// The shard.
    public var shard: ShardSpec
    /// Connections the shard had planned.
    public var connections: Int
    /// What happened, e.g. `worker 2 exited with signal 9 (SIGKILL)`.
    public var reason: String
    /// Connections open in the worker's last progress report, if any.
    public var lastOpen: Int?

    /// Creates a lost shard.
    public init(shard: ShardSpec, connections: Int, reason: String, lastOpen: Int? = nil) {
        self.shard = shard; self.connections = connections; self.reason = reason; self.lastOpen = lastOpen
    }
}

/// Merges the reports of the shards of one run into the report of the whole run.
///
/// Counts add; latency histograms merge as histograms (`Histogram.add`), never by averaging percentiles;
/// statistics, server-log matching, explanations and the gate are recomputed on the merged whole from each
/// report's ``ReportRawData``. Pure: the same reports give the same result.
public enum ReportMerger {
    /// What the caller knows better than the shard reports (a worker parent follows server logs itself).
    public struct Options: Sendable {
        /// Labels of the reports (file names) for error messages; default `report 1`, `report 2`, ….
        public var labels: [String]?
        /// Pods known to the caller (discovery), replacing the reports' lists.
        public var knownPods: [String: Double]?
        /// Expected weights, replacing the reports'.
        public var weights: [String: Double]?
        /// Server-log samples followed by the caller, replacing the reports'.
        public var serverLogs: [LogSampleSeries]?
        /// Gate thresholds, replacing the reports'.
        public var thresholds: GateThresholds?
        /// Shards that produced no report (dead workers); counted as failed.
        public var lostShards: [LostShard]
        /// Extra notes and warnings.
        public var notes: [String], warnings: [String]
        /// Run metadata to use when no report at all is left (every worker died).
        public var fallbackRun: RunMetadata?
        /// The run's timed events, run by the caller (nil: the reports' own).
        public var events: [EventRecord]?
        /// When the caller's events clock started; their `startedAt` is moved onto the merged run's clock.
        public var eventsOrigin: Date?

        /// Creates options.
        public init(
            labels: [String]? = nil, knownPods: [String: Double]? = nil, weights: [String: Double]? = nil,
            serverLogs: [LogSampleSeries]? = nil, thresholds: GateThresholds? = nil, lostShards: [LostShard] = [],
            notes: [String] = [], warnings: [String] = [], fallbackRun: RunMetadata? = nil, events: [EventRecord]? = nil,
            eventsOrigin: Date? = nil
        ) {
            self.labels = labels; self.knownPods = knownPods; self.weights = weights; self.serverLogs = serverLogs
            self.thresholds = thresholds; self.lostShards = lostShards; self.notes = notes; self.warnings = warnings
            self.fallbackRun = fallbackRun
            self.events = events
            self.eventsOrigin = eventsOrigin
        }
    }

    /// Merges `reports`; throws ``MergeError`` for mismatched inputs (targets, profiles, shard counts, run
    /// shapes, duplicate shards, reports without raw data).
    public static func merge(_ reports: [Report]) throws(MergeError) -> Report {
        try merge(reports, options: Options())
    }

    /// Merges `reports` with caller-supplied context.
    public static func merge(_ reports: [Report], options: Options) throws(MergeError) -> Report {
        let labels = options.labels ?? reports.indices.map { "report \($0 + 1)" }
        guard !reports.isEmpty || (options.fallbackRun != nil && !options.lostShards.isEmpty) else {
            throw MergeError("nothing to merge: no reports given")
        }
        var raws: [ReportRawData] = []
        for (i, r) in reports.enumerated() {
            guard let raw = r.raw else {
                throw MergeError(
                    "\(labels[i]) has no raw data (schema version \(r.schemaVersion)): it cannot be merged exactly; "
                        + "re-run that shard with this wsload (\(WSLoadVersion.string)), which writes schema \(Report.currentSchemaVersion)")
            }
            raws.append(raw)
        }
        try validate(reports, raws: raws, labels: labels)
        let shapes = raws.compactMap(\.shape)
        let shardCount = shapes.first?.shard?.count ?? options.lostShards.first?.shard.count ?? 1
        let present = Set(shapes.map { $0.shard?.index ?? 0 }).union(options.lostShards.map(\.shard.index))

        // Counts.
        var attempted = 0, established = 0, failed = 0, held = 0, dropped = 0, recycled = 0
        var tlsHandshakes: Int?, tlsResumed: Int?
        var buckets: [String: FailureBucket] = [:]
        for r in reports {
            attempted += r.totals.attempted; established += r.totals.established; failed += r.totals.failed
            held += r.totals.held; dropped += r.totals.dropped; recycled += r.totals.recycled
            if let n = r.totals.tlsHandshakes { tlsHandshakes = (tlsHandshakes ?? 0) + n }
            if let n = r.totals.tlsResumed { tlsResumed = (tlsResumed ?? 0) + n }
            for f in r.totals.failures {
                buckets["\(f.phase)\u{0}\(f.reason)", default: FailureBucket(phase: f.phase, reason: f.reason, count: 0)].count += f.count
            }
        }
        var warnings: [String] = []
        for lost in options.lostShards.sorted(by: { $0.shard.index < $1.shard.index }) {
            attempted += lost.connections
            failed += lost.connections
            let reason = lost.reason
            buckets["worker\u{0}\(reason)", default: FailureBucket(phase: "worker", reason: reason, count: 0)].count += lost.connections
            warnings.append(
                "\(reason): its \(lost.connections) connections (shard \(lost.shard)) are counted as failed/unknown"
                    + (lost.lastOpen.map { "; \($0) were open at its last progress report" } ?? ""))
        }
        var totals = RunTotals(
            attempted: attempted, established: established, failed: failed, held: held, dropped: dropped,
            failures: Array(buckets.values))
        totals.tlsHandshakes = tlsHandshakes
        totals.tlsResumed = tlsResumed
        totals.recycled = recycled

        var histograms: [String: Histogram<UInt64>] = [:]
        for raw in raws {
            for (name, h) in raw.histograms {
                if var mine = histograms[name] {
                    mine.autoResize = true
                    mine.add(h)
                    histograms[name] = mine
                } else {
                    histograms[name] = h
                }
            }
        }
        var heldPerPod: [String: Int] = [:]
        for raw in raws { heldPerPod.merge(raw.heldPerPod, uniquingKeysWith: +) }
        var knownPods = options.knownPods ?? [:]
        if options.knownPods == nil { for raw in raws { knownPods.merge(raw.knownPods) { a, _ in a } } }
        let weights = options.weights ?? raws.lazy.compactMap(\.weights).first
        let thresholds = options.thresholds ?? raws.first?.thresholds ?? GateThresholds()
        if options.thresholds == nil, Set(raws.map { JSONRenderer.render(gateOnly: $0.thresholds) }).count > 1 {
            warnings.append("the shard reports were gated with different thresholds; the first report's are used")
        }
        let serverLogsConfigured = options.serverLogs != nil || raws.contains(where: \.serverLogsConfigured)
        let serverLogs = options.serverLogs ?? mergedServerLogs(raws)
        var windowNotes: [String] = []
        let window = mergedWindow(raws, fallback: options.fallbackRun, notes: &windowNotes, warnings: &warnings)

        let first = reports.first
        let phases = [
            PhaseTiming(name: "ramp", start: window.runStart, end: window.holdStart),
            PhaseTiming(name: "hold", start: window.holdStart, end: window.holdEnd),
            PhaseTiming(name: "close", start: window.holdEnd, end: window.closeEnd),
        ]
        var run = RunMetadata(
            profile: first?.run.profile ?? options.fallbackRun?.profile,
            target: first?.run.target ?? options.fallbackRun?.target ?? "",
            startedAt: window.runStart, endedAt: window.closeEnd, phases: phases)
        run.tls = first?.run.tls ?? options.fallbackRun?.tls
        // Shards own disjoint clients, so equal placements add up exactly.
        let placements = ClientPlacement.merged(reports.flatMap(\.placements))
        let sources = Array(Set(raws.flatMap(\.sourceAddresses))).sorted()
        let cookieValues = Array(Set(raws.flatMap(\.cookieValues))).sorted()
        let distinctCookies = cookieValues.isEmpty ? (raws.map(\.distinctCookieValues).max() ?? 0) : cookieValues.count
        let singlePod = raws.lazy.compactMap(\.singlePodTarget).first
        let clientCount = raws.reduce(0) { $0 + $1.clientCount }
        let interrupted = raws.contains(where: \.interrupted)
        let shardList = shapes.compactMap(\.shard).map(\.description).sorted()
        let mergedNote =
            "Merged from \(reports.count) report\(reports.count == 1 ? "" : "s")"
            + (shardList.isEmpty ? "" : " (shards \(shardList.joined(separator: ", ")))")
            + ": counts added, latency histograms merged, statistics, matching, explanations and the gate recomputed on the whole."
        let missing = (0..<shardCount).filter { !present.contains($0) }
        if !missing.isEmpty {
            warnings.append(
                "shard\(missing.count == 1 ? "" : "s") \(missing.map { "\($0)/\(shardCount)" }.joined(separator: ", ")) "
                    + "\(missing.count == 1 ? "is" : "are") missing: \(missing.count == 1 ? "its" : "their") connections are not in this report")
        }

        // The merged raw data: counts added, histograms merged, inputs joined; then the one analysis.
        var raw = raws.first ?? ReportRawData(result: EngineResult.empty(at: window.runStart), context: ReportContext(target: run.target))
        raw.shape = shapes.first.map {
            ReportRawData.RunShape(
                clients: $0.clients, connectionsPerClient: $0.connectionsPerClient,
                shard: nil,
                connections: shapes.reduce(0) { $0 + $1.connections } + options.lostShards.reduce(0) { $0 + $1.connections },
                sourceCount: $0.sourceCount)
        }
        raw.histograms = histograms
        raw.heldPerPod = heldPerPod
        raw.knownPods = knownPods
        raw.weights = weights
        raw.sourceAddresses = sources
        raw.cookieValues = cookieValues
        raw.distinctCookieValues = distinctCookies
        raw.cookieCarriers = raws.contains { $0.cookieCarriers == nil } ? nil : raws.reduce(0) { $0 + ($1.cookieCarriers ?? 0) }
        raw.clientCount = clientCount
        raw.singlePodTarget = singlePod
        raw.thresholds = thresholds
        raw.serverLogsConfigured = serverLogsConfigured
        raw.serverLogs = serverLogs
        raw.serverMetrics = mergedServerMetrics(raws)
        raw.contextNotes = dedupe(raws.flatMap(\.contextNotes) + options.notes)
        raw.contextWarnings = dedupe(raws.flatMap(\.contextWarnings) + options.warnings)
        raw.engineWarnings = dedupe(raws.flatMap(\.engineWarnings))
        raw.interrupted = interrupted
        raw.window = window
        let shift = options.eventsOrigin.map { $0.timeIntervalSince(window.runStart) } ?? 0
        raw.events = options.events.map { $0.map { $0.shifted(by: shift) } } ?? raws.first(where: { $0.events != nil })?.events
        let input = AnalysisInput(
            raw: raw, totals: totals, placements: placements, run: run,
            resilience: mergedResilience(reports.compactMap(\.resilience), histograms: histograms),
            timeline: mergedTimeline(reports), notes: raw.contextNotes, closingNotes: windowNotes + [mergedNote],
            warnings: raws.flatMap { $0.contextWarnings + $0.engineWarnings } + options.warnings + warnings)
        var analysed = input
        analysed.incompleteReasons = options.lostShards.sorted(by: { $0.shard.index < $1.shard.index })
            .map { "\($0.reason): the fate of its \($0.connections) connections (shard \($0.shard)) is unknown" }
        if !missing.isEmpty {
            analysed.incompleteReasons.append(
                "shard\(missing.count == 1 ? "" : "s") \(missing.map { "\($0)/\(shardCount)" }.joined(separator: ", ")) "
                    + "missing from the merge")
        }
        return Analyzer.analyse(analysed)
    }

    // MARK: Validation

    private static func validate(_ reports: [Report], raws: [ReportRawData], labels: [String]) throws(MergeError) {
        guard let first = reports.first else { return }
        for (i, r) in reports.enumerated().dropFirst() {
            if r.run.target != first.run.target {
                throw MergeError(
                    "\(labels[i]) ran against \(r.run.target) but \(labels[0]) against \(first.run.target): only shards of one run can be merged")
            }
            if r.run.profile != first.run.profile {
                throw MergeError(
                    "\(labels[i]) comes from profile \(r.run.profile ?? "(none)") but \(labels[0]) from \(first.run.profile ?? "(none)"): only shards of one run can be merged"
                )
            }
            if raws[i].cookiePolicy != raws[0].cookiePolicy {
                throw MergeError(
                    "\(labels[i]) used cookie policy \(raws[i].cookiePolicy.rawValue) but \(labels[0]) \(raws[0].cookiePolicy.rawValue): only shards of one run can be merged"
                )
            }
        }
        var seen: [Int: String] = [:]
        var count: (Int, String)?
        for (i, raw) in raws.enumerated() {
            guard let shape = raw.shape else {
                throw MergeError("\(labels[i]) does not say which part of the run it covers (no raw.shape); it cannot be merged")
            }
            let shard = shape.shard ?? ShardSpec(index: 0, count: 1)
            if let (n, label) = count, n != shard.count {
                throw MergeError(
                    "\(labels[i]) is shard \(shard) but \(label) was split into \(n) shards: merge shards of one split (same --shard …/N)")
            }
            count = count ?? (shard.count, labels[i])
            if let other = seen[shard.index] {
                throw MergeError(
                    shard.count == 1
                        ? "\(labels[i]) and \(other) are both whole runs (no --shard): merge the shards of one run, e.g. from --shard 0/2 and --shard 1/2"
                        : "\(labels[i]) and \(other) are both shard \(shard): each shard may be merged only once")
            }
            seen[shard.index] = labels[i]
            if let s0 = raws[0].shape,
                s0.clients != shape.clients || s0.connectionsPerClient != shape.connectionsPerClient || s0.sourceCount != shape.sourceCount
            {
                throw MergeError(
                    "\(labels[i]) planned \(shape.clients) clients × \(shape.connectionsPerClient) from \(shape.sourceCount) source addresses "
                        + "but \(labels[0]) \(s0.clients) × \(s0.connectionsPerClient) from \(s0.sourceCount): only shards of one run can be merged")
            }
        }
    }

    // MARK: Pieces

    private static func dedupe(_ list: [String]) -> [String] {
        var seen = Set<String>()
        return list.filter { seen.insert($0).inserted }
    }

    /// Every shard of a Job may have read the same pods' logs: per pod, keep the longest series.
    private static func mergedServerLogs(_ raws: [ReportRawData]) -> [LogSampleSeries] {
        var best: [String: LogSampleSeries] = [:]
        for raw in raws {
            for s in raw.serverLogs where (best[s.pod]?.samples.count ?? -1) < s.samples.count { best[s.pod] = s }
        }
        return PodNameOrder.sorted(best.keys).map { best[$0]! }
    }

    /// The pods' metrics as the shards read them: like the logs, each pod's longest series (every shard reads the
    /// same pods' gauges, which count every shard's connections); nil when no shard read any.
    private static func mergedServerMetrics(_ raws: [ReportRawData]) -> ServerMetricsData? {
        let all = raws.compactMap(\.serverMetrics)
        guard var merged = all.first else { return nil }
        var best: [String: LogSampleSeries] = [:]
        for m in all {
            for s in m.series where (best[s.pod]?.samples.count ?? -1) < s.samples.count { best[s.pod] = s }
        }
        merged.series = PodNameOrder.sorted(best.keys).map { best[$0]! }
        merged.problems = dedupe(all.flatMap(\.problems))
        merged.straddling = all.map(\.straddling).reduce(0, +)
        return merged
    }

    /// The run started with the first shard, held while every shard held, and ended with the last shard. With
    /// several shards, a note gives the measured spread of their hold starts and how long all held at once; a
    /// warning says when that fell short of the shortest shard's hold by more than ``heldTogetherSlack``.
    static func mergedWindow(_ raws: [ReportRawData], fallback: RunMetadata?, notes: inout [String], warnings: inout [String]) -> RunWindow {
        guard !raws.isEmpty else {
            let start = fallback?.startedAt ?? Date(timeIntervalSince1970: 0), end = fallback?.endedAt ?? start
            return RunWindow(runStart: start, holdStart: start, holdEnd: end, closeEnd: end)
        }
        let runStart = raws.map(\.window.runStart).min()!
        let holdStart = raws.map(\.window.holdStart).max()!
        let earliestHoldEnd = raws.map(\.window.holdEnd).min()!
        let closeEnd = raws.map(\.window.closeEnd).max()!
        if raws.count > 1, earliestHoldEnd < holdStart {
            warnings.append(
                "the shards did not hold their connections at the same time (one shard's hold ended before another's began); "
                    + "the per-pod counts are added, but the servers never saw them all at once and server-side matching cannot compare them")
        } else if raws.count > 1 {
            let spread = holdStart.timeIntervalSince(raws.map(\.window.holdStart).min()!)
            let together = earliestHoldEnd.timeIntervalSince(holdStart)
            let shortest = raws.map { $0.window.holdEnd.timeIntervalSince($0.window.holdStart) }.min()!
            func seconds(_ s: Double) -> String { ReportText.seconds(max(0, s), decimals: 2) }
            notes.append(
                "the \(raws.count) shards' holds began within \(seconds(spread)) of each other; \(raws.count == 2 ? "both" : "all \(raws.count)") held their "
                    + "connections at the same time for \(seconds(together)) (the shortest shard hold lasted \(seconds(shortest)))")
            let shortfall = shortest - together
            if shortfall > heldTogetherSlack.fraction * shortest && shortfall > heldTogetherSlack.seconds {
                warnings.append(
                    "the shards held all their connections at the same time for only \(seconds(together)) of the shortest shard's "
                        + "\(seconds(shortest)) hold (their holds began up to \(seconds(spread)) apart): the servers saw every "
                        + "connection at once for that long only")
            }
        }
        return RunWindow(runStart: runStart, holdStart: holdStart, holdEnd: max(holdStart, earliestHoldEnd), closeEnd: max(closeEnd, holdStart))
    }

    /// How far the time all shards held at once may fall short of the shortest shard hold without a warning: a
    /// shortfall warns when it is more than this fraction of that hold and more than these seconds.
    static let heldTogetherSlack = (fraction: 0.1, seconds: 1.0)

    private static func mergedResilience(_ parts: [ResilienceSummary], histograms: [String: Histogram<UInt64>]) -> ResilienceSummary? {
        guard var out = parts.first else { return nil }
        for p in parts.dropFirst() {
            out.droppedConnections += p.droppedConnections
            out.dropCauses.merge(p.dropCauses, uniquingKeysWith: +)
            if out.droppedPerPod != nil || p.droppedPerPod != nil {
                out.droppedPerPod = (out.droppedPerPod ?? [:]).merging(p.droppedPerPod ?? [:], uniquingKeysWith: +)
            }
            out.reconnects += p.reconnects
            out.reconnectAttempts += p.reconnectAttempts
            out.lost += p.lost
            out.halfOpenDetections += p.halfOpenDetections
            out.halfOpenMaxSilenceMs = [out.halfOpenMaxSilenceMs, p.halfOpenMaxSilenceMs].compactMap { $0 }.max()
            var moves: [String: ResilienceSummary.Move] = [:]
            for m in out.moves + p.moves {
                moves["\(m.from)\u{0}\(m.to)", default: ResilienceSummary.Move(from: m.from, to: m.to, count: 0)].count += m.count
            }
            out.moves = moves.values.sorted { ($0.from, $0.to) < ($1.from, $1.to) }
            if out.idleTimeout == nil { out.idleTimeout = p.idleTimeout }
        }
        if parts.count > 1, let h = histograms["disruption"], h.totalCount > 0 {
            // Percentiles of the merged histogram (µs), not an average of the shards' percentiles.
            func ms(_ v: UInt64) -> Double { (Double(v) / 1000 * 1000).rounded() / 1000 }
            out.disruptionP50Ms = ms(h.valueAtPercentile(50)); out.disruptionP99Ms = ms(h.valueAtPercentile(99)); out.disruptionMaxMs = ms(h.max)
        }
        return out
    }

    /// Sums the shards' timelines on the merged clock, one point per whole interval; a shard without a point in
    /// an interval contributes its previous point.
    private static func mergedTimeline(_ reports: [Report]) -> [TimelinePoint]? {
        let withTimeline = reports.filter { !($0.timeline ?? []).isEmpty }
        guard !withTimeline.isEmpty else { return nil }
        if withTimeline.count == 1 { return withTimeline[0].timeline }
        let start = withTimeline.map(\.run.startedAt).min()!
        let gaps = withTimeline.flatMap { r in zip(r.timeline!, r.timeline!.dropFirst()).map { $1.t - $0.t } }.filter { $0 > 0 }.sorted()
        let interval = max(0.05, gaps.isEmpty ? 1 : gaps[gaps.count / 2])
        var perShard: [[Int: TimelinePoint]] = []
        var maxSlot = 0
        for r in withTimeline {
            var slots: [Int: TimelinePoint] = [:]
            let offset = r.run.startedAt.timeIntervalSince(start)
            for p in r.timeline! {
                let slot = Int(((p.t + offset) / interval).rounded())
                slots[slot] = p
                maxSlot = max(maxSlot, slot)
            }
            perShard.append(slots)
        }
        guard maxSlot < 1_000_000 else { return nil }
        let order = ["ramp": 0, "hold": 1, "close": 2, "done": 3]
        var out: [TimelinePoint] = []
        var last: [TimelinePoint?] = Array(repeating: nil, count: perShard.count)
        for slot in 0...maxSlot {
            var any = false
            for i in perShard.indices { if let p = perShard[i][slot] { last[i] = p; any = true } }
            guard any else { continue }
            let points = last.compactMap { $0 }
            var perPod: [String: Int] = [:]
            var server: [String: Int]?
            for p in points {
                perPod.merge(p.perPod, uniquingKeysWith: +)
                if let s = p.serverPerPod { server = (server ?? [:]).merging(s) { a, _ in a } }
            }
            let phase = points.map(\.phase).min { (order[$0] ?? 9) < (order[$1] ?? 9) } ?? "ramp"
            out.append(
                TimelinePoint(
                    t: Double(slot) * interval, phase: phase, open: points.reduce(0) { $0 + $1.open },
                    established: points.reduce(0) { $0 + $1.established }, failed: points.reduce(0) { $0 + $1.failed },
                    dropped: points.reduce(0) { $0 + $1.dropped }, reconnects: points.reduce(0) { $0 + $1.reconnects },
                    perPod: perPod, serverPerPod: server,
                    recycled: points.contains { $0.recycled != nil } ? points.reduce(0) { $0 + ($1.recycled ?? 0) } : nil))
        }
        return out
    }
}

extension JSONRenderer {
    /// Thresholds as sorted JSON, for comparing them.
    static func render(gateOnly thresholds: GateThresholds) -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return (try? e.encode(thresholds)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }
}

extension EngineResult {
    /// A result with nothing in it (the raw data of a merge where every worker died).
    static func empty(at date: Date) -> EngineResult {
        EngineResult(
            records: [], startedAt: date, holdStartedAt: date, holdEndedAt: date, endedAt: date, histograms: [:], heldPerPod: [:],
            warnings: [], interrupted: false, distinctCookieValues: 0)
    }
}
