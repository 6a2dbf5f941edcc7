/// Plain-text lines for a report's scale-out section, shared by the table, Markdown, HTML and JUnit renderers.
enum ScaleOutText {
    /// The explanation, then the new pods' share at up to `columns` evenly spaced samples; empty without a section.
    static func lines(_ report: Report, columns: Int = 12) -> [String] {
        guard let s = report.scaleOut else { return [] }
        var out = [s.explanation]
        if !s.newPods.isEmpty, !s.shareOverTime.isEmpty {
            let step = max(1, (s.shareOverTime.count + columns - 1) / columns)
            var picked = Swift.stride(from: 0, to: s.shareOverTime.count, by: step).map { s.shareOverTime[$0] }
            if picked.last != s.shareOverTime.last, let last = s.shareOverTime.last { picked.append(last) }
            out.append(
                "new pods' share over time: "
                    + picked.map { "\(ReportText.fixed($0.t, 1)) s \(ReportText.fixed($0.percent, 0)) %" }
                    .joined(separator: ", "))
        }
        return out
    }
}

extension Report {
    /// The scale-out section as the table shows it (explanation, then the new pods' share over time); empty without one.
    public var scaleOutLines: [String] { ScaleOutText.lines(self) }
}
