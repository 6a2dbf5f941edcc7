/// The server-metrics match section as plain cells and lines, shared by the table, Markdown, HTML and JUnit renderers.
enum MetricsMatchText {
    /// `Server metrics: <source>, scrape interval N s`.
    static func title(_ m: MetricsMatch) -> String {
        "Server metrics: \(m.source), scrape interval \(ReportText.fixed(m.scrapeIntervalSeconds, 1)) s"
    }

    /// Column headers of ``rows(_:)``.
    static let headers = ["POD", "WSLOAD", "BASELINE", "HOLD", "Δ", "AFTER CLOSE", "MATCH"]

    /// One row per pod: pod, wsload's count, baseline, hold, delta, after close, classification.
    static func rows(_ m: MetricsMatch) -> [[String]] {
        func v(_ x: Int?) -> String { x.map(String.init) ?? "–" }
        return m.pods.map { p in
            [
                p.pod, String(p.clientCount), v(p.baseline) + (p.baselineAssumed ? "?" : ""), v(p.hold) + (p.holdCarriedForward ? "*" : ""),
                ReportText.signed(p.delta), v(p.afterClose), p.classification.label + (p.otherTraffic.map { " (\(ReportText.signed($0)))" } ?? ""),
            ]
        }
    }

    /// The section's notes, the reason it is unreadable first.
    static func lines(_ m: MetricsMatch) -> [String] {
        (m.unreadable.map { ["metrics could not be read: \($0)"] } ?? []) + m.notes
    }

    /// The whole section as text lines for JUnit's `system-out`.
    static func plain(_ m: MetricsMatch) -> [String] {
        [title(m)] + rows(m).map { r in "\(r[0]): wsload \(r[1]), baseline \(r[2]), hold \(r[3]), Δ \(r[4]), after close \(r[5]): \(r[6])" }
            + lines(m)
    }
}
