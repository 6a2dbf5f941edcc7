/// Plain-text lines for a report's drain section, shared by the table, Markdown, HTML and JUnit renderers.
enum DrainText {
    /// The explanation, the waves and the drops and reconnects of up to `columns` busy intervals; empty without a section.
    static func lines(_ report: Report, columns: Int = 12) -> [String] {
        guard let d = report.drain else { return [] }
        var out = [d.explanation]
        for w in d.waves where w.dropped > 0 || w.reconnected > 0 {
            let when =
                w.event.map { "after \($0) (\(ReportText.seconds(w.from))–\(ReportText.seconds(w.to)))" }
                ?? "\(ReportText.seconds(w.from))–\(ReportText.seconds(w.to)), no event"
            var line = "\(when): \(w.dropped) dropped, \(w.reconnected) reconnected, peak \(ReportText.fixed(w.peakReconnectsPerSecond, 1))/s"
            if let t = w.reconnect90Seconds { line += ", 90 % within \(ReportText.seconds(t))" }
            out.append(line)
        }
        // Counts per interval (rate × the interval's length; the first point ends the quiet interval before the first drop).
        var counts: [(t: Double, drops: Int, reconnects: Int)] = []
        for (a, b) in zip(d.rates, d.rates.dropFirst()) {
            let dt = b.t - a.t
            let c = (b.t, Int((b.dropsPerSecond * dt).rounded()), Int((b.reconnectsPerSecond * dt).rounded()))
            if c.1 > 0 || c.2 > 0 { counts.append(c) }
        }
        if !counts.isEmpty {
            let step = max(1, (counts.count + columns - 1) / columns)
            let picked = Swift.stride(from: 0, to: counts.count, by: step).map { counts[$0] }
            out.append(
                "dropped/reconnected by interval end: "
                    + picked.map { "\(ReportText.fixed($0.t, 2)) s \($0.drops)/\($0.reconnects)" }.joined(separator: ", ")
                    + (step > 1 ? " (every \(step)th interval)" : ""))
        }
        return out
    }
}
