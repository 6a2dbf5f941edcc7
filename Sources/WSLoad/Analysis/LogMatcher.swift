/// Compares per-pod server-log readings with wsload's own per-pod connection counts.
///
/// Timestamped series (every sample has a time):
/// - baseline: last reading at or before `runStart`; when the first reading is later, 0 (`baselineAssumed`).
/// - hold: last reading within [`holdStart`, `holdEnd`]; when none, the value in effect at `holdStart`
///   (`holdCarriedForward`), which suits servers that only log on change.
/// - peak: the maximum of the baseline and every reading within [`runStart`, `closeEnd`].
/// - afterClose: last reading at or after `closeEnd`, if any.
///
/// Series with any untimestamped sample fall back to order (`usedSampleOrder`):
/// - one sample: baseline assumed 0, hold = that sample, no after-close reading;
/// - otherwise baseline = first sample, hold = peak = the maximum of the later samples (the plateau),
///   afterClose = the last sample when it comes after the last occurrence of that maximum.
///
/// Classification, first rule that applies: `podNotDiscovered` (clients but no series, and the pod is
/// neither discovered nor is any log known) → `noServerData` (no series, or no hold reading) →
/// `serverHasMore` / `serverHasFewer` (delta − clients beyond `tolerance`) → `notReturnedToBaseline`
/// (afterClose ≠ baseline) → `matched`.
public struct LogMatcher: Sendable {
    /// Allowed |delta − client count| still counted as a match.
    public var tolerance: Int

    /// Creates a matcher.
    public init(tolerance: Int = 0) {
        self.tolerance = tolerance
    }

    /// Matches every pod named by the series, the client counts or `knownPods`; rows sorted naturally by pod.
    public func match(series: [LogSampleSeries], window: RunWindow, clientCounts: [String: Int],
                      knownPods: Set<String> = []) -> [PodMatch] {
        var byPod: [String: [LogSample]] = [:]
        for s in series { byPod[s.pod, default: []] += s.samples }
        let pods = Set(byPod.keys).union(clientCounts.keys).union(knownPods)
        let anyServerKnowledge = !byPod.isEmpty || !knownPods.isEmpty
        return PodNameOrder.sorted(pods).map { pod in
            let clients = clientCounts[pod] ?? 0
            guard let samples = byPod[pod], !samples.isEmpty else {
                let unknown = clients > 0 && anyServerKnowledge && !knownPods.contains(pod)
                return PodMatch(pod: pod, clientCount: clients,
                                classification: unknown ? .podNotDiscovered : .noServerData)
            }
            return match(pod: pod, series: LogSampleSeries(pod: pod, samples: samples), window: window,
                         clientCount: clients)
        }
    }

    /// Matches one pod's series against its client count.
    public func match(pod: String, series: LogSampleSeries, window: RunWindow, clientCount: Int) -> PodMatch {
        var m = series.isFullyTimestamped
            ? readByTime(series.ordered, window: window)
            : readByOrder(series.samples)
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
        if let after = m.afterClose, let base = m.baseline, after != base { return .notReturnedToBaseline }
        return .matched
    }

    private func readByTime(_ samples: [LogSample], window: RunWindow) -> PodMatch {
        var m = PodMatch(pod: "", clientCount: 0, classification: .noServerData)
        let before = samples.last { $0.timestamp! <= window.runStart }
        m.baseline = before?.activeConnections ?? 0
        m.baselineAssumed = before == nil
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
        if let hold = m.hold { m.delta = hold - m.baseline! }
        return m
    }

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
