/// The compact form of a report's share over time, shared by the table, Markdown and JUnit renderers: each pod's
/// percent of the open connections at up to `columns` evenly spaced samples, client view and (when present) server
/// view. Only for runs with events or a scale-out section: an ordinary run's spread is the pod table.
enum ShareText {
    /// A time row, then one row per pod (and its server row); empty without events and scale-out, or without data.
    static func lines(_ report: Report, columns: Int = 8) -> [String] {
        guard report.events != nil || report.scaleOut != nil, let s = report.shareOverTime, s.samples.count >= 2 else { return [] }
        let picked = ShareOverTimeAnalysis.thinned(s.samples, to: columns)
        let server = picked.contains { $0.server != nil }
        func cell(_ shares: [String: Double]?, open: Int?, _ pod: String) -> String {
            guard let shares, let open, open > 0 else { return "-".leftPadded(6) }
            return ReportText.fixed(shares[pod] ?? 0, 0).leftPadded(6)
        }
        var out = ["t (s)      " + picked.map { ReportText.fixed($0.t, 1).leftPadded(6) }.joined()]
        for pod in s.pods {
            out.append(
                pod.prefix(10).padding(toLength: 11, withPad: " ", startingAt: 0) + picked.map { cell($0.client, open: $0.clientOpen, pod) }.joined())
            if server {
                out.append("  server   " + picked.map { cell($0.server, open: $0.serverOpen, pod) }.joined())
            }
        }
        return out
    }
}
