import Foundation

/// Makes the ``ServerMetricsFeed`` a profile's `server_metrics:` section describes (nil when it has none): the one
/// place the section becomes a source, for the live run.
public enum ServerMetricsFeedFactory {
    /// Why a section cannot become a feed (validation catches most of these first).
    public struct Failure: Error, CustomStringConvertible, Sendable {
        /// What is wrong.
        public var description: String
    }

    /// The feed for `profile.serverMetrics`, scraping `pods` (known pod names) with the `scrape` template.
    public static func make(profile: Profile, pods: [String]) throws(Failure) -> ServerMetricsFeed? {
        let section = profile.serverMetrics
        guard section.isConfigured else { return nil }
        let interval = section.scrapeInterval.seconds
        let source: any ServerMetricsSource
        if let base = section.prometheus {
            let client = PrometheusAPIClient(baseURL: base, timeout: max(2, min(10, interval)))
            if let query = section.query {
                source = PrometheusMetricsSource(client: client, query: query, podLabel: section.podLabel, scrapeInterval: interval)
            } else if let metric = section.metric {
                let q = PrometheusMetricsSource.queries(metric: metric, podLabel: section.podLabel)
                source = PrometheusMetricsSource(
                    client: client, query: q.query, podLabel: section.podLabel, timestampQuery: q.timestamp,
                    scrapeInterval: interval)
            } else {
                throw Failure(description: "server_metrics.prometheus needs query or metric")
            }
        } else {
            guard let metric = section.metric else { throw Failure(description: "server_metrics needs metric to scrape") }
            let selector: MetricsSelector
            do { selector = try MetricsSelector(metric) } catch { throw Failure(description: "server_metrics.metric: \(error)") }
            var urls = section.scrapeUrls
            if let template = section.scrape {
                let ips = Dictionary(profile.pods.staticPods.map { ($0.name, $0.ip ?? "") }, uniquingKeysWith: { a, _ in a })
                for pod in pods where urls[pod] == nil {
                    urls[pod] = template.replacingOccurrences(of: "{pod}", with: pod).replacingOccurrences(of: "{ip}", with: ips[pod] ?? "")
                }
            }
            guard !urls.isEmpty else {
                throw Failure(description: "server_metrics.scrape: no pods to scrape (list pods.static or configure discovery)")
            }
            let targets = urls.mapValues { PodMetricsScrape(url: $0, metric: selector.name, labels: selector.labels) }
            source = ScrapeMetricsSource(targets: targets, timeout: max(1, min(5, interval)))
        }
        return ServerMetricsFeed(source: source, interval: interval, wait: section.waitSeconds)
    }
}
