/// Plain-text lines describing a run's resilience section, shared by the table and Markdown renderers.
enum ResilienceText {
    /// One line per fact; empty when the report has no resilience section.
    static func lines(_ report: Report) -> [String] {
        guard let r = report.resilience else { return [] }
        var out: [String] = []
        let causes = r.dropCauses.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
        out.append("\(r.droppedConnections) connections dropped during the run (\(causes)); \(r.lost) not back when the hold ended")
        if r.reconnectAttempts > 0 {
            var line = "\(r.reconnects) reconnects in \(r.reconnectAttempts) attempts"
            if let p50 = r.disruptionP50Ms, let p99 = r.disruptionP99Ms, let max = r.disruptionMaxMs {
                line += "; disruption p50 \(ReportText.fixed(p50, 1)) ms, p99 \(ReportText.fixed(p99, 1)) ms, max \(ReportText.fixed(max, 1)) ms"
            }
            out.append(line)
        }
        if !r.moves.isEmpty {
            out.append("moved: " + r.moves.map { "\($0.from) → \($0.to) ×\($0.count)" }.joined(separator: ", "))
        }
        if r.halfOpenDetections > 0 {
            out.append(
                "\(r.halfOpenDetections) half-open connections detected by the pong deadline"
                    + (r.halfOpenMaxSilenceMs.map { " (silent for at most \(ReportText.fixed($0 / 1000, 1)) s)" } ?? ""))
        }
        if let idle = r.idleTimeout { out.append("idle timeout: ≈\(ReportText.fixed(idle.ageSeconds, 1)) s (\(idle.connections) connections)") }
        return out
    }

    /// A compact per-pod timeline: one line per pod with counts at up to `columns` evenly spaced samples.
    static func timeline(_ report: Report, columns: Int = 12) -> [String] {
        guard let points = report.timeline, points.count >= 2 else { return [] }
        let step = max(1, points.count / columns)
        let picked =
            Swift.stride(from: 0, to: points.count, by: step).map { points[$0] } + (points.count % step == 1 ? [] : [points[points.count - 1]])
        let pods = Set(picked.flatMap { $0.perPod.keys }).union(picked.flatMap { ($0.serverPerPod ?? [:]).keys }).sorted()
        guard !pods.isEmpty else { return [] }
        var out = ["t (s)      " + picked.map { ReportText.fixed($0.t, 0).leftPadded(6) }.joined()]
        if let events = EventText.timelineRow(report, times: picked.map(\.t)) { out.append(events) }
        for pod in pods {
            out.append(
                pod.prefix(10).padding(toLength: 11, withPad: " ", startingAt: 0) + picked.map { String($0.perPod[pod] ?? 0).leftPadded(6) }.joined())
            if picked.contains(where: { $0.serverPerPod != nil }) {
                out.append("  server   " + picked.map { ($0.serverPerPod?[pod]).map(String.init)?.leftPadded(6) ?? "     -" }.joined())
            }
        }
        return out
    }
}

extension String {
    /// Right-aligns the string in `width` columns.
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
