/// Reads one gauge from a pod's own `/metrics` (the direct-scrape source): GET the exposition, parse it, take the
/// first sample named `metric` whose labels include `labels`.
public struct PodMetricsScrape: Sendable, Equatable {
    /// The pod's metrics URL, e.g. `http://10.1.2.3:8080/metrics`.
    public var url: String
    /// The sample name, e.g. `ws_active_connections`.
    public var metric: String
    /// Labels the sample must carry (empty: the first sample of that name).
    public var labels: [String: String]

    /// Creates a scrape.
    public init(url: String, metric: String, labels: [String: String] = [:]) {
        self.url = url; self.metric = metric; self.labels = labels
    }

    /// Why a scrape gave no value.
    public struct Failure: Error, CustomStringConvertible, Sendable, Equatable {
        /// The URL scraped.
        public var url: String
        /// What went wrong.
        public var message: String
        /// `scrape URL: message`.
        public var description: String { "scrape \(url): \(message)" }
    }

    /// The gauge's value now.
    public func read(timeout: Double = 5) throws(Failure) -> Double {
        let response: HTTPGet.Response
        let accept = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"
        do { response = try HTTPGet.get(url, headers: [("Accept", accept)], timeout: timeout) } catch {
            throw Failure(url: url, message: error.message)
        }
        guard response.status == 200 else { throw Failure(url: url, message: "HTTP \(response.status)") }
        return try value(in: response.text)
    }

    /// The gauge's value in an exposition text.
    public func value(in text: String) throws(Failure) -> Double {
        let samples: [MetricsTextSample]
        do { samples = try MetricsTextParser.parse(text) } catch { throw Failure(url: url, message: "\(error)") }
        if let v = MetricsTextParser.value(of: metric, matching: labels, in: samples) { return v }
        let selector =
            metric + (labels.isEmpty ? "" : "{" + labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }.joined(separator: ",") + "}")
        let named = samples.filter { $0.name == metric }.count
        throw Failure(
            url: url,
            message: named > 0
                ? "no \(selector) among the \(named) \(metric) samples"
                : "no sample named \(metric) (\(samples.count) samples of other metrics)")
    }
}
