/// The report section comparing the pods' own metrics (Prometheus or their `/metrics`) with wsload's counts:
/// the same per-pod rows and classifications as the server-log match, computed by ``LogMatcher`` in
/// ``Analyzer/analyse(_:)`` from ``ReportRawData/serverMetrics``.
public struct MetricsMatch: Sendable, Codable, Equatable {
    /// Where the values came from.
    public var source: String
    /// The declared scrape interval, in seconds.
    public var scrapeIntervalSeconds: Double
    /// One row per pod (rows sorted naturally by pod).
    public var pods: [PodMatch]
    /// What the reader should know about these rows (a hold shorter than two scrape intervals, no fresh sample after close).
    public var notes: [String]
    /// Why no value could be read at all (nil: some were read).
    public var unreadable: String?

    /// Creates a section.
    public init(source: String, scrapeIntervalSeconds: Double, pods: [PodMatch], notes: [String] = [], unreadable: String? = nil) {
        self.source = source; self.scrapeIntervalSeconds = scrapeIntervalSeconds; self.pods = pods; self.notes = notes; self.unreadable = unreadable
    }

    /// The section for `data` against wsload's per-pod `counts`: every pod that has clients, is known, or has readings.
    static func evaluate(_ data: ServerMetricsData, window: RunWindow, counts: [String: Int], knownPods: Set<String>) -> MetricsMatch {
        let interval = data.scrapeIntervalSeconds
        let rows = data.readable ? LogMatcher().match(series: data.series, window: window, clientCounts: counts, knownPods: knownPods) : []
        var notes: [String] = []
        let hold = window.holdEnd.timeIntervalSince(window.holdStart)
        if hold < 2 * interval {
            notes.append(
                "The hold (\(ReportText.fixed(hold, 1)) s) is shorter than twice the scrape interval (\(ReportText.fixed(interval, 1)) s): the hold sample may be missing or from the ramp."
            )
        }
        let stale = rows.filter { $0.sampleCount > 0 && $0.afterClose == nil }.map(\.pod)
        if !stale.isEmpty {
            notes.append(
                "No metrics sample newer than the end of close for \(stale.joined(separator: ", ")) within the wait: their return to the baseline is not verified."
            )
        }
        if data.straddling > 0 {
            notes.append(
                "\(data.straddling) reading\(data.straddling == 1 ? " was" : "s were") left out because \(data.straddling == 1 ? "its" : "their") data could belong to two run phases."
            )
        }
        if data.readable, !data.problems.isEmpty {
            notes.append("Read problems: " + data.problems.prefix(3).joined(separator: "; ") + (data.problems.count > 3 ? "; …" : ""))
        }
        let unreadable = data.readable ? nil : (data.problems.first ?? "no reading was obtained")
        return MetricsMatch(source: data.source, scrapeIntervalSeconds: interval, pods: rows, notes: notes, unreadable: unreadable)
    }
}
