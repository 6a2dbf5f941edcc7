/// Computes a run's ``DrainSummary`` from its timeline, events and ``ResilienceSummary``; called by ``Analyzer``
/// only. Pure.
enum DrainAnalysis {
    /// A timeline sample reduced to what rates need.
    struct Sample: Equatable {
        var t: Double
        var dropped: Int
        var reconnects: Int
    }

    /// Most rate points kept in a report.
    static let maxRatePoints = 240

    /// The summary, or nil when nothing dropped.
    ///
    /// - Parameters:
    ///   - timeline: samples (only ramp and hold count: a connection closing after the hold is not a drop).
    ///   - events: the run's event records; only those that succeeded open a wave.
    ///   - resilience: per-connection drop figures, pods already named as the report names them.
    ///   - holdEnd: seconds since the run start.
    static func evaluate(timeline: [TimelinePoint]?, events: [EventRecord]?, resilience: ResilienceSummary?, holdEnd: Double) -> DrainSummary? {
        guard let resilience else { return nil }
        // The run starts with nothing dropped: a virtual sample at 0 anchors the first interval.
        let samples =
            [Sample(t: 0, dropped: 0, reconnects: 0)]
            + (timeline ?? []).filter { $0.phase == "ramp" || $0.phase == "hold" }.sorted { $0.t < $1.t }
            .map { Sample(t: $0.t, dropped: $0.dropped, reconnects: $0.reconnects) }
        let perPod = resilience.droppedPerPod ?? [:]
        let dropped = perPod.isEmpty ? resilience.droppedConnections : perPod.values.reduce(0, +)
        let (peak, peakAt) = peakRate(samples, in: 0...Double.infinity)

        let ran = (events ?? []).filter { $0.outcome.isSuccess && $0.startedAt != nil }.sorted { $0.startedAt! < $1.startedAt! }
        var bounds: [(String?, Double)] = ran.map { ($0.name, $0.startedAt!) }
        if bounds.first.map({ $0.1 > 0 && value(samples, at: $0.1).dropped > 0 }) ?? true { bounds.insert((nil, 0), at: 0) }
        var waves: [DrainSummary.Wave] = []
        for (i, (name, from)) in bounds.enumerated() {
            let to = i + 1 < bounds.count ? bounds[i + 1].1 : max(from, holdEnd)
            let wave = self.wave(samples, event: name, from: from, to: to)
            // An event's window always shows (it answers "what did the event do"); an event-less one only with drops.
            if name != nil || wave.dropped > 0 { waves.append(wave) }
        }

        var landed: [String: Int] = [:]
        var returned = 0
        for m in resilience.moves {
            landed[m.to, default: 0] += m.count
            if m.from == m.to { returned += m.count }
        }
        var summary = DrainSummary(
            droppedPerPod: perPod, dropped: dropped, reconnected: resilience.reconnects, lost: resilience.lost,
            peakReconnectsPerSecond: peak, peakAt: peakAt, rates: rates(samples), waves: waves, landedPerPod: landed,
            returnedToSamePod: returned, disruptionP50Ms: resilience.disruptionP50Ms, disruptionP99Ms: resilience.disruptionP99Ms,
            explanation: "")
        summary.explanation = explain(summary)
        return summary
    }

    /// The latest sample at or before `t` (the virtual start sample when none).
    static func value(_ samples: [Sample], at t: Double) -> Sample {
        samples.last { $0.t <= t } ?? samples[0]
    }

    /// The most reconnects completed within one second among the samples whose time lies in `range`, and when:
    /// for sample i, (R_i − R_j) / max(1, t_i − t_j) with j the latest sample at least 1 s before i.
    static func peakRate(_ samples: [Sample], in range: ClosedRange<Double>) -> (Double, Double?) {
        var best = 0.0
        var at: Double?
        var j = 0
        for i in samples.indices.dropFirst() {
            while j + 1 < i && samples[j + 1].t <= samples[i].t - 1 { j += 1 }
            guard range.contains(samples[i].t), samples[i].t > range.lowerBound || range.lowerBound == 0 else { continue }
            let rate = Double(samples[i].reconnects - samples[j].reconnects) / max(1, samples[i].t - samples[j].t)
            if rate > best { best = rate; at = samples[i].t }
        }
        return ((best * 1000).rounded() / 1000, at)
    }

    /// The drops and reconnects of the window (from, to].
    static func wave(_ samples: [Sample], event: String?, from: Double, to: Double) -> DrainSummary.Wave {
        let start = value(samples, at: from)
        let end = value(samples, at: to)
        let dropped = end.dropped - start.dropped
        let reconnected = end.reconnects - start.reconnects
        let inWindow = samples.filter { $0.t > from && $0.t <= to }
        let (peak, _) = peakRate(samples, in: from...max(from, to))
        var ninety: Double?
        if reconnected > 0 {
            // The drops happened after the sample before the first one that shows them.
            let firstDrop = inWindow.firstIndex { $0.dropped > start.dropped }
            let dropStart = firstDrop.map { i in i == 0 ? from : max(from, inWindow[i - 1].t) } ?? from
            let goal = Int((0.9 * Double(reconnected)).rounded(.up))
            if let done = inWindow.first(where: { $0.reconnects - start.reconnects >= goal }) {
                ninety = ((done.t - dropStart) * 1000).rounded() / 1000
            }
        }
        return DrainSummary.Wave(
            event: event, from: from, to: to, dropped: dropped, reconnected: reconnected, peakReconnectsPerSecond: peak,
            reconnect90Seconds: ninety)
    }

    /// Per-interval rates from the interval before the first drop to the interval after the last reconnect,
    /// merged to at most ``maxRatePoints`` points.
    static func rates(_ samples: [Sample]) -> [DrainSummary.RatePoint] {
        guard samples.count > 1 else { return [] }
        let changes = samples.indices.dropFirst().filter {
            samples[$0].dropped != samples[$0 - 1].dropped || samples[$0].reconnects != samples[$0 - 1].reconnects
        }
        guard let first = changes.first, let last = changes.last else { return [] }
        let lo = max(1, first - 1)
        let hi = min(samples.count - 1, last + 1)
        let intervals = hi - lo + 1
        let step = max(1, (intervals + maxRatePoints - 1) / maxRatePoints)
        var out: [DrainSummary.RatePoint] = []
        var i = lo
        while i <= hi {
            let end = min(hi, i + step - 1)
            let a = samples[i - 1]
            let b = samples[end]
            let dt = max(1e-9, b.t - a.t)
            func r(_ x: Int) -> Double { (Double(x) / dt * 1000).rounded() / 1000 }
            out.append(.init(t: b.t, dropsPerSecond: r(b.dropped - a.dropped), reconnectsPerSecond: r(b.reconnects - a.reconnects)))
            i = end + 1
        }
        return out
    }

    /// "ws-0 ×20, ws-1 ×3" with the largest first.
    static func podList(_ counts: [String: Int]) -> String {
        counts.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
    }

    static func explain(_ s: DrainSummary) -> String {
        var text = "\(Plural.of(s.dropped, "connection")) dropped during the run"
        if !s.droppedPerPod.isEmpty { text += " (from \(podList(s.droppedPerPod)))" }
        let eventWaves = s.waves.filter { $0.event != nil && $0.dropped > 0 }
        if !eventWaves.isEmpty {
            text += "; " + eventWaves.map { "\($0.dropped) after \($0.event!) at \(ReportText.seconds($0.from))" }.joined(separator: ", ")
        }
        text += "."
        if s.reconnected == 0 {
            text += " None reconnected (no reconnect: policy, or its attempts were spent): \(s.lost) lost."
            return text
        }
        text += " \(s.reconnected) reconnected"
        let main = s.waves.filter { $0.reconnected > 0 }.max { $0.reconnected < $1.reconnected }
        if let w = main, let t = w.reconnect90Seconds { text += ", 90 % of them within \(ReportText.seconds(t))" }
        text += ", at up to \(ReportText.fixed(s.peakReconnectsPerSecond, 0))/s"
        if let w = main, w.reconnected >= 10, w.peakReconnectsPerSecond >= 0.5 * Double(w.reconnected) {
            text += " — a reconnect herd: half or more came back within one second (reconnect.jitter and max_backoff spread it)"
        }
        text += "."
        if !s.landedPerPod.isEmpty {
            text += " They landed on \(podList(s.landedPerPod))"
            if s.returnedToSamePod > 0 {
                text += "; \(s.returnedToSamePod) came back to the pod they had dropped from (affinity, or that pod was still accepting)"
            } else {
                text += "; none came back to the pod it had dropped from"
            }
            text += "."
        }
        if let p50 = s.disruptionP50Ms, let p99 = s.disruptionP99Ms {
            text += " Disruption per connection p50 \(ReportText.fixed(p50, 0)) ms, p99 \(ReportText.fixed(p99, 0)) ms."
        }
        text += s.lost == 0 ? " None lost." : " \(s.lost) lost (not open again when the hold ended)."
        return text
    }
}
