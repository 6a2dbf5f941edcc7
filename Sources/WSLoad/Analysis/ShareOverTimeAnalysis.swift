/// Computes a run's ``PodShareTimeline`` from its timeline; called by ``Analyzer`` only. Pure.
enum ShareOverTimeAnalysis {
    /// The share timeline, or nil when the timeline has fewer than two ramp/hold samples.
    ///
    /// - Parameters:
    ///   - timeline: samples with per-pod counts already named as the report names pods.
    ///   - pods: the report's pods, in its order (the chart's colour order).
    static func evaluate(timeline: [TimelinePoint]?, pods: [String]) -> PodShareTimeline? {
        let points = (timeline ?? []).filter { $0.phase == "ramp" || $0.phase == "hold" }.sorted { $0.t < $1.t }
        guard points.count >= 2 else { return nil }
        let picked = thinned(points, to: PodShareTimeline.maxSamples)
        var order = pods
        let extra = Set(picked.flatMap { Array($0.perPod.keys) + Array(($0.serverPerPod ?? [:]).keys) }).subtracting(pods)
        // A pod only the timeline names (none should be, "?" aside) is drawn after the report's pods, "?" last.
        order += extra.filter { $0 != "?" }.sorted() + (extra.contains("?") ? ["?"] : [])
        let samples = picked.map { p -> PodShareTimeline.Sample in
            let (clientOpen, client) = shares(p.perPod)
            var sample = PodShareTimeline.Sample(t: p.t, phase: p.phase, clientOpen: clientOpen, client: client)
            if let server = p.serverPerPod, !server.isEmpty {
                let (open, share) = shares(server.mapValues { max(0, $0) })
                sample.serverOpen = open
                sample.server = share
            }
            return sample
        }
        return PodShareTimeline(pods: order, sampledFrom: points.count, samples: samples)
    }

    /// The total of `counts` and each key's percent of it, rounded to 0.01 (empty when the total is 0).
    static func shares(_ counts: [String: Int]) -> (Int, [String: Double]) {
        let total = counts.values.reduce(0, +)
        guard total > 0 else { return (0, [:]) }
        return (total, counts.filter { $0.value > 0 }.mapValues { (Double($0) / Double(total) * 10_000).rounded() / 100 })
    }

    /// At most `limit` of `points`, evenly spaced by index, the first and the last always kept.
    static func thinned<T>(_ points: [T], to limit: Int) -> [T] {
        guard points.count > limit, limit >= 2 else { return points }
        let span = Double(points.count - 1) / Double(limit - 1)
        return (0..<limit).map { points[Int((Double($0) * span).rounded())] }
    }
}
