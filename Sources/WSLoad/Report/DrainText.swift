/// Plain-text lines for a report's drain section, shared by the table, Markdown, HTML and JUnit renderers.
enum DrainText {
    /// The explanation, the waves and the reconnect rate at up to `columns` samples; empty without a section.
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
        let busy = d.rates.filter { $0.reconnectsPerSecond > 0 || $0.dropsPerSecond > 0 }
        if !busy.isEmpty {
            let step = max(1, (busy.count + columns - 1) / columns)
            let picked = Swift.stride(from: 0, to: busy.count, by: step).map { busy[$0] }
            out.append(
                "drops/reconnects per second: "
                    + picked.map {
                        "\(ReportText.fixed($0.t, 1)) s \(ReportText.fixed($0.dropsPerSecond, 0))/\(ReportText.fixed($0.reconnectsPerSecond, 0))"
                    }.joined(separator: ", "))
        }
        return out
    }
}
