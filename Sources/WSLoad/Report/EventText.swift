/// Plain-text lines for a report's timed events, shared by the table, Markdown, HTML and JUnit renderers.
enum EventText {
    /// One line per event, in profile order; empty when the run had none.
    static func lines(_ report: Report) -> [String] {
        (report.events ?? []).map(\.summary)
    }

    /// The timeline row marking each event under the first sampled column at or after its start (`^1`, `^2`: the
    /// event's number in ``lines(_:)``), aligned with ``ResilienceText/timeline(_:columns:)``'s columns at `times`.
    static func timelineRow(_ report: Report, times: [Double]) -> String? {
        let events = (report.events ?? []).enumerated().compactMap { i, e in e.startedAt.map { (i + 1, $0) } }
        guard !events.isEmpty, !times.isEmpty else { return nil }
        var marks = Array(repeating: "", count: times.count)
        for (n, start) in events {
            let column = times.firstIndex { $0 >= start } ?? times.count - 1
            marks[column] += (marks[column].isEmpty ? "^" : ",") + String(n)
        }
        return "events     " + marks.map { $0.leftPadded(6) }.joined()
    }
}
