import Prometheus

/// The metrics `wsload serve` exports on `GET /metrics`, kept in a swift-prometheus registry.
///
/// Cost: nothing is recorded per connection. The server already counts under its table lock; a scrape copies
/// those counts into the registry (``update(_:)``) and renders it, serialised by the registry's own lock
/// use plus `scrapeLock`, so two concurrent scrapes never interleave a counter's reset and increment.
final class PodServerMetrics: Sendable {
    /// The exported metric names.
    enum Name {
        static let active = "wsload_serve_active_connections"
        static let accepted = "wsload_serve_accepted_connections_total"
        static let rejected = "wsload_serve_rejected_connections_total"
        static let closed = "wsload_serve_closed_connections_total"
    }

    let registry = PrometheusCollectorRegistry()
    private let active: Gauge
    private let accepted: Counter
    private let rejected: Counter
    private let closed: Counter
    private let scrapeLock = Locked(())

    init(pod: String) {
        let labels = [("pod", pod)]
        active = registry.makeGauge(
            descriptor: MetricNameDescriptor(
                namespace: "wsload", subsystem: "serve", metricName: "active", unitName: "connections",
                helpText: "Open WebSocket connections on this pod."), labels: labels)
        accepted = registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "wsload", subsystem: "serve", metricName: "accepted_connections", unitName: "total",
                helpText: "WebSocket upgrades accepted since start."), labels: labels)
        rejected = registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "wsload", subsystem: "serve", metricName: "rejected_connections", unitName: "total",
                helpText: "WebSocket upgrades refused with 503 at the capacity limit since start."), labels: labels)
        closed = registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "wsload", subsystem: "serve", metricName: "closed_connections", unitName: "total",
                helpText: "Accepted WebSocket connections that have ended since start."), labels: labels)
    }

    /// Copies `counts` into the registry and renders it in `format`.
    func render(_ counts: PodServerCounts, format: MetricsExposition) -> String {
        scrapeLock.withLock { _ in
            active.set(Int64(counts.active))
            for (counter, value) in [(accepted, counts.accepted), (rejected, counts.rejected), (closed, counts.closed)] {
                counter.reset()
                counter.increment(by: Int64(value))
            }
            return format.render(registry)
        }
    }
}
