import Dispatch
import Foundation

/// One pod's active-connection value from a metrics source, with the interval its data surely comes from.
public struct ServerMetricsReading: Sendable, Equatable {
    /// The pod.
    public var pod: String
    /// The value.
    public var value: Int
    /// The earliest moment the value may describe (a Prometheus value can be up to one scrape interval old).
    public var from: Date
    /// The latest moment it may describe (when it was read).
    public var to: Date

    /// Creates a reading.
    public init(pod: String, value: Int, from: Date, to: Date) { self.pod = pod; self.value = value; self.from = from; self.to = to }
}

/// Where per-pod active-connection values come from: a Prometheus server's API or the pods' own `/metrics`.
public protocol ServerMetricsSource: Sendable {
    /// For the report and errors.
    var description: String { get }
    /// Every pod's value now, and the problems met (one unreachable pod does not hide the others).
    func read() -> (readings: [ServerMetricsReading], problems: [String])
}

/// Per-pod values from a Prometheus instant query such as `sum by (pod) (ws_active_connections)`.
///
/// A value Prometheus answers with at time T comes from a scrape in (T − interval − ingest delay, T]. With a
/// `timestampQuery` (``init(client:query:podLabel:timestampQuery:scrapeInterval:)``; built from `metric`, e.g.
/// `min by (pod) (timestamp(ws_active_connections))`) the oldest scrape time per pod is read instead.
public struct PrometheusMetricsSource: ServerMetricsSource {
    /// The API client.
    public var client: PrometheusAPIClient
    /// The PromQL giving one series per pod.
    public var query: String
    /// The label naming the pod in the result.
    public var podLabel: String
    /// PromQL giving the oldest sample time per pod (nil: one scrape interval plus a margin is assumed).
    public var timestampQuery: String?
    /// The scrape interval, in seconds.
    public var scrapeInterval: Double

    /// Creates a source.
    public init(client: PrometheusAPIClient, query: String, podLabel: String = "pod", timestampQuery: String? = nil, scrapeInterval: Double) {
        self.client = client; self.query = query; self.podLabel = podLabel; self.timestampQuery = timestampQuery; self.scrapeInterval = scrapeInterval
    }

    /// The query and timestamp query for `metric` (optionally with a `{…}` selector), summed per `podLabel`.
    public static func queries(metric: String, podLabel: String) -> (query: String, timestamp: String) {
        ("sum by (\(podLabel)) (\(metric))", "min by (\(podLabel)) (timestamp(\(metric)))")
    }

    /// How old a value may be when no timestamp query tells: the interval, plus half a second for ingestion.
    var assumedAge: Double { scrapeInterval + 0.5 }

    /// `Prometheus URL: query`.
    public var description: String { "Prometheus \(Redaction.redactURL(client.baseURL)): \(query)" }

    /// Reads every pod's value now. Prometheus's clock may differ from this machine's: the offset is taken from the
    /// evaluation time the answer carries (the middle of the request on this clock minus the server's), and the
    /// scrape times are shifted by it.
    public func read() -> (readings: [ServerMetricsReading], problems: [String]) {
        let sent = Date()
        let series: [PrometheusSeries]
        do { series = try client.instantVector(query) } catch { return ([], [error.description]) }
        let now = Date()
        let middle = sent.addingTimeInterval(now.timeIntervalSince(sent) / 2)
        let offset = series.first?.samples.first.map { middle.timeIntervalSince($0.time) } ?? 0
        var oldest: [String: Date] = [:]
        var problems: [String] = []
        if let timestampQuery {
            do {
                for s in try client.instantVector(timestampQuery) {
                    if let pod = s.labels[podLabel], let v = s.samples.first?.value, v.isFinite {
                        oldest[pod] = Date(timeIntervalSince1970: v + offset)
                    }
                }
            } catch { problems.append(error.description) }
        }
        var readings: [ServerMetricsReading] = []
        for s in series {
            guard let pod = s.labels[podLabel] else {
                problems.append(
                    "\(description): a series has no \(podLabel) label (labels: \(s.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")))"
                )
                continue
            }
            guard let v = s.samples.first?.value, v.isFinite else { continue }
            readings.append(
                ServerMetricsReading(pod: pod, value: Int(v.rounded()), from: min(oldest[pod] ?? now.addingTimeInterval(-assumedAge), now), to: now))
        }
        return (readings, problems)
    }
}

/// Per-pod values scraped from each pod's own `/metrics` (no Prometheus in between): each value is current when read.
public struct ScrapeMetricsSource: ServerMetricsSource {
    /// One scrape per pod.
    public var targets: [String: PodMetricsScrape]
    /// Seconds per GET.
    public var timeout: Double

    /// Creates a source.
    public init(targets: [String: PodMetricsScrape], timeout: Double = 2) { self.targets = targets; self.timeout = timeout }

    /// `scrape of N pods' /metrics (metric)`.
    public var description: String {
        let metrics = Set(targets.values.map(\.metric)).sorted().joined(separator: ", ")
        return "scrape of \(targets.count) pod\(targets.count == 1 ? "" : "s")' /metrics (\(metrics))"
    }

    /// Scrapes every pod at once.
    public func read() -> (readings: [ServerMetricsReading], problems: [String]) {
        let pods = targets.keys.sorted()
        let results = Locked<[Int: Result<ServerMetricsReading, PodMetricsScrape.Failure>]>([:])
        DispatchQueue.concurrentPerform(iterations: pods.count) { i in
            let pod = pods[i], scrape = targets[pod]!
            let start = Date()
            let r: Result<ServerMetricsReading, PodMetricsScrape.Failure> = Result { () throws(PodMetricsScrape.Failure) in
                try scrape.read(timeout: timeout)
            }
            .flatMap { v in
                v.isFinite
                    ? .success(ServerMetricsReading(pod: pod, value: Int(v.rounded()), from: start, to: Date()))
                    : .failure(PodMetricsScrape.Failure(url: scrape.url, message: "the value is \(v)"))
            }
            results.withLock { $0[i] = r }
        }
        var readings: [ServerMetricsReading] = [], problems: [String] = []
        for (_, r) in results.withLock({ $0 }).sorted(by: { $0.key < $1.key }) {
            switch r {
            case .success(let reading): readings.append(reading)
            case .failure(let f): problems.append(f.description)
            }
        }
        return (readings, problems)
    }
}
