/// What a run read from the pods' own metrics, kept in the report's raw data so that every re-analysis
/// (merge, `match-logs`) matches it again. The series are the same kind the log matcher reads: one reading per
/// pod and poll, stamped with the run phase its data surely belongs to (``LogSample/phase``).
public struct ServerMetricsData: Sendable, Codable, Equatable {
    /// Where the values came from, for the report (`Prometheus http://…: sum by (pod) (…)`, `scrape of 3 pods' /metrics`).
    public var source: String
    /// The scrape interval the profile declared, in seconds: how old a value read through Prometheus may be.
    public var scrapeIntervalSeconds: Double
    /// Per-pod readings.
    public var series: [LogSampleSeries]
    /// Read errors, each once with how often it happened.
    public var problems: [String]
    /// Readings discarded because their data could come from two phases (e.g. a scrape that may predate the hold).
    public var straddling: Int

    /// Creates the data.
    public init(source: String, scrapeIntervalSeconds: Double, series: [LogSampleSeries], problems: [String] = [], straddling: Int = 0) {
        self.source = source; self.scrapeIntervalSeconds = scrapeIntervalSeconds; self.series = series
        self.problems = problems; self.straddling = straddling
    }

    /// True when at least one reading was obtained.
    public var readable: Bool { series.contains { !$0.samples.isEmpty } }
}
