import Foundation

/// Compares per-pod server-log readings with wsload's own per-pod connection counts.
///
/// **Arrival order** (every sample carries the ``LogSample/phase`` it was read in, i.e. the log was followed
/// live; `basis` ``MatchBasis/arrivalOrder``): exact whatever the stamps' precision.
/// - baseline: the last reading read before the first connection attempt (`readBeforeRun`); else the last one
///   the backwards search found (`earlierLog`); else 0 (`baselineAssumed`, `assumedZero`).
/// - hold: the last reading read up to the end of the hold; `holdCarriedForward` when none arrived during it.
/// - afterClose: the last reading read after the hold ended (during close or the settle wait), if any.
/// - peak: the maximum of the baseline and every reading read during ramp, hold and close.
///
/// **Timestamps** (every sample has a time; saved logs, `match-logs`; `basis` ``MatchBasis/timestamps``). A
/// stamp with precision p stands for [t, t + p). When every stamp is finer than 2 ms:
/// - baseline: last reading at or before `runStart`; when the first reading is later, 0 (`baselineAssumed`).
/// - hold: last reading within [`holdStart`, `holdEnd` − 1 ms); when none, the value in effect at `holdStart`
///   (`holdCarriedForward`), which suits servers that only log on change.
/// - peak: the maximum of the baseline and every reading within [`runStart`, `closeEnd`].
/// - afterClose: last reading at or after `holdEnd` − 1 ms, if any.
///
/// With coarser stamps (one-second stamps of env_logger, Go `log`, epoch seconds) a reading is *surely before*
/// an instant T when t + p ≤ T and *in T's second* when t < T < t + p; lines keep their log order:
/// - baseline: the last reading surely before `runStart` (`timestamp`); else the lowest reading in
///   `runStart`'s second (`sameSecond`: the ramp only adds connections); else 0 assumed.
/// - hold: the highest of the last reading surely before `holdEnd` and the readings in `holdEnd`'s second
///   (closing only removes connections); `holdCarriedForward` when no reading falls in the hold.
/// - afterClose: the last reading that may lie after `holdEnd`, when it comes after the hold reading's line.
///
/// **Line order** (some sample has no time; `usedSampleOrder`):
/// - one sample: baseline assumed 0, hold = that sample, no after-close reading;
/// - otherwise baseline = first sample, hold = peak = the maximum of the later samples (the plateau),
///   afterClose = the last sample when it comes after the last occurrence of that maximum.
///
/// **Counter restarts**: a reading of 0 between the run start and the hold reading while the baseline was above
/// 0 means every earlier connection is gone (a restarted pod starts at 0): `delta` is then `hold − 0`
/// (`counterRestarted`), and the return is checked against 0.
///
/// Classification, first rule that applies: `podNotDiscovered` (clients but no series, and the pod is
/// neither discovered nor is any log known) → `noServerData` (no series, or no hold reading) →
/// `otherTraffic` (see below) → `serverHasMore` / `serverHasFewer` (delta − clients beyond `tolerance`) →
/// `notReturnedToBaseline` (afterClose ≠ baseline) → `matched`.
///
/// **Other traffic** (``match(series:window:clientCounts:knownPods:)`` only): a pod whose delta differs from
/// wsload's count by E (|E| > tolerance) is `otherTraffic` with `otherTraffic = E` when
/// 1. after close its count is exactly baseline + E — the difference outlived (or, negative, predated) every
///    one of wsload's connections, which wsload closed, so they are not wsload's; and
/// 2. no pod of the run differs in the opposite direction beyond tolerance — otherwise connections wsload
///    attributed to one pod may have reached another, and both stay mismatches.
/// A difference that came and went with wsload's own connections stays `serverHasMore`/`serverHasFewer`.
public struct LogMatcher: Sendable {
    /// Allowed |delta − client count| still counted as a match.
    public var tolerance: Int

    /// Creates a matcher.
    public init(tolerance: Int = 0) {
        self.tolerance = tolerance
    }

    /// Matches every pod named by the series, the client counts or `knownPods`; rows sorted naturally by pod.
    public func match(
        series: [LogSampleSeries], window: RunWindow, clientCounts: [String: Int],
        knownPods: Set<String> = []
    ) -> [PodMatch] {
        var byPod: [String: [LogSample]] = [:]
        for s in series { byPod[s.pod, default: []] += s.samples }
        let pods = Set(byPod.keys).union(clientCounts.keys).union(knownPods)
        let anyServerKnowledge = !byPod.isEmpty || !knownPods.isEmpty
        let rows = PodNameOrder.sorted(pods).map { pod in
            let clients = clientCounts[pod] ?? 0
            guard let samples = byPod[pod], !samples.isEmpty else {
                let unknown = clients > 0 && anyServerKnowledge && !knownPods.contains(pod)
                return PodMatch(
                    pod: pod, clientCount: clients,
                    classification: unknown ? .podNotDiscovered : .noServerData)
            }
            return match(
                pod: pod, series: LogSampleSeries(pod: pod, samples: samples), window: window,
                clientCount: clients)
        }
        return classifyOtherTraffic(rows)
    }

    /// Matches one pod's series against its client count (without the run-wide other-traffic rule).
    public func match(pod: String, series: LogSampleSeries, window: RunWindow, clientCount: Int) -> PodMatch {
        var m: PodMatch
        if !series.samples.isEmpty, series.samples.allSatisfy({ $0.phase != nil }) {
            m = readByArrival(series.samples)
        } else if series.isFullyTimestamped {
            let ordered = series.ordered
            let coarsest = ordered.compactMap(\.precision).min()
            if let coarsest, coarsest.interval > 0.002 {
                m = readByCoarseTime(ordered, window: window)
                m.timestampPrecision = coarsest
            } else {
                m = readByTime(ordered, window: window)
            }
        } else {
            m = readByOrder(series.samples)
        }
        m.pod = pod
        m.clientCount = clientCount
        m.sampleCount = series.samples.count
        m.classification = classify(m)
        return m
    }

    private func classify(_ m: PodMatch) -> MatchClassification {
        guard let delta = m.delta else { return .noServerData }
        let diff = delta - m.clientCount
        if diff > tolerance { return .serverHasMore }
        if diff < -tolerance { return .serverHasFewer }
        if let after = m.afterClose, let base = effectiveBaseline(m), after != base { return .notReturnedToBaseline }
        return .matched
    }

    /// The count the return is checked against: the baseline, or 0 after a counter restart.
    private func effectiveBaseline(_ m: PodMatch) -> Int? {
        m.counterRestarted == true ? 0 : m.baseline
    }

    /// The run-wide other-traffic rule (see the type's documentation).
    func classifyOtherTraffic(_ rows: [PodMatch]) -> [PodMatch] {
        let anyMore = rows.contains { $0.classification == .serverHasMore }
        let anyFewer = rows.contains { $0.classification == .serverHasFewer }
        return rows.map { m in
            var m = m
            guard m.classification == .serverHasMore || m.classification == .serverHasFewer,
                let delta = m.delta, let after = m.afterClose, let base = effectiveBaseline(m)
            else { return m }
            let excess = delta - m.clientCount
            let opposite = excess > 0 ? anyFewer : anyMore
            if !opposite, after - base == excess {
                m.classification = .otherTraffic
                m.otherTraffic = excess
            }
            return m
        }
    }

    // MARK: - Arrival order

    private func readByArrival(_ samples: [LogSample]) -> PodMatch {
        var m = PodMatch(pod: "", clientCount: 0, classification: .noServerData)
        m.basis = .arrivalOrder
        // The backwards search's readings are older than anything followed, wherever they sit in the series.
        let history = samples.filter { $0.phase == .history }
        let followed = samples.filter { $0.phase != .history }
        let before = followed.filter { $0.phase == .before }
        if let b = before.last {
            m.baseline = b.activeConnections
            m.baselineSource = .readBeforeRun
        } else if let h = history.last {
            m.baseline = h.activeConnections
            m.baselineSource = .earlierLog
        } else {
            m.baseline = 0
            m.baselineAssumed = true
            m.baselineSource = .assumedZero
        }
        let upToHold = followed.filter { $0.phase != .close && $0.phase != .after }
        if let inHold = upToHold.last(where: { $0.phase == .hold }) {
            m.hold = inHold.activeConnections
        } else if let carried = upToHold.last ?? history.last {
            m.hold = carried.activeConnections
            m.holdCarriedForward = true
        }
        let during = followed.filter { $0.phase == .ramp || $0.phase == .hold || $0.phase == .close }
        m.peak = ([m.baseline!] + during.map(\.activeConnections)).max()
        m.afterClose = followed.last { $0.phase == .close || $0.phase == .after }?.activeConnections
        let run = upToHold.filter { $0.phase == .ramp || $0.phase == .hold }
        applyRestart(&m, runReadings: run.map(\.activeConnections))
        return m
    }

    /// Sets `delta`, counting from 0 when the count fell to 0 during the run after a baseline above 0.
    private func applyRestart(_ m: inout PodMatch, runReadings: [Int]) {
        guard let hold = m.hold, let base = m.baseline else { return }
        if base > 0, runReadings.contains(0) {
            m.counterRestarted = true
            m.delta = hold
        } else {
            m.delta = hold - base
        }
    }

    // MARK: - Timestamps

    private func readByTime(_ samples: [LogSample], window: RunWindow) -> PodMatch {
        var m = PodMatch(pod: "", clientCount: 0, classification: .noServerData)
        let before = samples.last { $0.timestamp! <= window.runStart }
        m.baseline = before?.activeConnections ?? 0
        m.baselineAssumed = before == nil
        if samples.contains(where: { $0.precision != nil }) { m.baselineSource = before == nil ? .assumedZero : .timestamp }
        // The hold reading is the last line strictly before the hold ends: closing starts at `holdEnd`, and a
        // pod logging its first decrement in that same millisecond must not count as "during the hold".
        // Pods often log with millisecond timestamps truncated down, so a decrement logged just after the hold
        // ended can carry the hold end's millisecond or the one before: the window ends 1 ms early.
        let holdEnd = window.holdEnd.addingTimeInterval(-0.001)
        if let inHold = samples.last(where: { $0.timestamp! >= window.holdStart && $0.timestamp! < holdEnd }) {
            m.hold = inHold.activeConnections
        } else if let carried = samples.last(where: { $0.timestamp! < window.holdStart }) {
            m.hold = carried.activeConnections
            m.holdCarriedForward = true
        }
        let during = samples.filter { $0.timestamp! >= window.runStart && $0.timestamp! <= window.closeEnd }
        m.peak = ([m.baseline!] + during.map(\.activeConnections)).max()
        // After close: the last line after the hold ended (pods log their decrements while wsload closes,
        // so lines stamped after `closeEnd` are rare; the final value is what matters).
        m.afterClose = samples.last { $0.timestamp! >= holdEnd }?.activeConnections
        let run = samples.filter { $0.timestamp! > window.runStart && $0.timestamp! < holdEnd }
        applyRestart(&m, runReadings: run.map(\.activeConnections))
        return m
    }

    /// Time rules for stamps coarser than a few milliseconds: see the type's documentation.
    private func readByCoarseTime(_ samples: [LogSample], window: RunWindow) -> PodMatch {
        var m = PodMatch(pod: "", clientCount: 0, classification: .noServerData)
        m.basis = .timestamps
        func start(_ s: LogSample) -> Date { s.timestamp! }
        func end(_ s: LogSample) -> Date { s.latestTime! }
        func surelyBefore(_ s: LogSample, _ t: Date) -> Bool { end(s) <= t }
        func inSecondOf(_ s: LogSample, _ t: Date) -> Bool { start(s) < t && t < end(s) }

        if let b = samples.last(where: { surelyBefore($0, window.runStart) }) {
            m.baseline = b.activeConnections
            m.baselineSource = .timestamp
        } else if let low = samples.filter({ inSecondOf($0, window.runStart) }).map(\.activeConnections).min() {
            m.baseline = low
            m.baselineSource = .sameSecond
        } else {
            m.baseline = 0
            m.baselineAssumed = true
            m.baselineSource = .assumedZero
        }
        // The hold reading: the value in effect when closing began.
        var holdIndex: Int?
        if let i = samples.lastIndex(where: { surelyBefore($0, window.holdEnd) }) { holdIndex = i }
        for (i, s) in samples.enumerated() where inSecondOf(s, window.holdEnd) {
            if holdIndex == nil || s.activeConnections >= samples[holdIndex!].activeConnections { holdIndex = i }
        }
        if let i = holdIndex {
            m.hold = samples[i].activeConnections
            m.holdCarriedForward = !samples.contains { end($0) > window.holdStart && start($0) < window.holdEnd }
        }
        let during = samples.filter { end($0) > window.runStart && start($0) <= window.closeEnd }
        m.peak = ([m.baseline!] + during.map(\.activeConnections)).max()
        if let j = samples.lastIndex(where: { end($0) > window.holdEnd }), holdIndex.map({ j > $0 }) ?? true {
            m.afterClose = samples[j].activeConnections
        }
        let runEnd = holdIndex ?? -1
        let run = samples.enumerated().filter { $0.offset <= runEnd && end($0.element) > window.runStart }.map(\.element)
        // Readings in the run start's second may predate it: only those surely after it can show a restart.
        applyRestart(&m, runReadings: run.filter { start($0) >= window.runStart }.map(\.activeConnections))
        return m
    }

    // MARK: - Line order

    private func readByOrder(_ samples: [LogSample]) -> PodMatch {
        var m = PodMatch(pod: "", clientCount: 0, usedSampleOrder: true, classification: .noServerData)
        let values = samples.map(\.activeConnections)
        if values.count == 1 {
            m.baseline = 0
            m.baselineAssumed = true
            m.hold = values[0]
            m.peak = values[0]
        } else {
            m.baseline = values[0]
            let later = values.dropFirst()
            let top = later.max()!
            let lastTop = later.lastIndex(of: top)!
            m.hold = top
            m.peak = max(top, values[0])
            if lastTop < values.count - 1 { m.afterClose = values.last }
        }
        m.delta = m.hold! - m.baseline!
        return m
    }
}
