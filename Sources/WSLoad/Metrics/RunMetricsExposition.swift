import Histogram
import Prometheus

/// The metrics of a running `wsload run` (`--metrics-listen`) in a swift-prometheus registry, built afresh from
/// one ``EngineLiveMetrics`` per scrape, so pods that appear mid-run get their series and nothing is kept between
/// scrapes.
///
/// Exported: `wsload_run_connections_open{pod}` (gauge), `wsload_run_connections_failed_total{pod}` and
/// `wsload_run_connections_dropped_total{pod}` (counters), `wsload_run_connections_planned` (gauge),
/// `wsload_run_connections_attempted_total` and `wsload_run_connections_established_total` (counters),
/// `wsload_run_handshake_duration_seconds{phase}` (histogram of `tcp_connect`, `tls` and `upgrade`: time to the
/// 101), `wsload_run_phase{phase}` (1 for the current phase of `before`, `ramp`, `hold`, `close`, `done`).
public enum RunMetricsExposition {
    /// Histogram bucket bounds in seconds (1 ms to 10 s).
    public static let buckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
    /// The phases `wsload_run_phase` lists.
    public static let phases = ["before", "ramp", "hold", "close", "done"]

    /// The exposition of `metrics` (nil: the run has not started) in `format`, `run` labelling every series.
    public static func render(_ metrics: EngineLiveMetrics?, run: String, format: MetricsExposition) -> String {
        let registry = PrometheusCollectorRegistry()
        let base = [("run", run)]
        // An empty unit is left out of the metric name.
        func descriptor(_ name: String, _ unit: String? = nil, _ help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(namespace: "wsload", subsystem: "run", metricName: name, unitName: unit ?? "", helpText: help)
        }
        let m = metrics ?? EngineLiveMetrics(phase: .ramp, planned: 0, attempted: 0, established: 0)
        registry.makeGauge(descriptor: descriptor("connections", "planned", "Connections the run plans to open."), labels: base)
            .set(Int64(m.planned))
        registry.makeCounter(descriptor: descriptor("connections_attempted", "total", "Connection attempts started."), labels: base)
            .increment(by: Int64(m.attempted))
        registry.makeCounter(descriptor: descriptor("connections_established", "total", "WebSocket handshakes completed (101)."), labels: base)
            .increment(by: Int64(m.established))
        for (pod, n) in m.openPerPod.sorted(by: { $0.key < $1.key }) {
            registry.makeGauge(
                descriptor: descriptor("connections", "open", "Open connections per pod, as wsload attributes them."),
                labels: base + [("pod", pod)]
            ).set(Int64(n))
        }
        for (pod, n) in m.failedPerPod.sorted(by: { $0.key < $1.key }) {
            registry.makeCounter(
                descriptor: descriptor("connections_failed", "total", "Attempts that failed before the 101, per pod (unknown: no pod answered)."),
                labels: base + [("pod", pod)]
            ).increment(by: Int64(n))
        }
        for (pod, n) in m.droppedPerPod.sorted(by: { $0.key < $1.key }) {
            registry.makeCounter(
                descriptor: descriptor("connections_dropped", "total", "Connections lost after the 101 and not re-established, per pod."),
                labels: base + [("pod", pod)]
            ).increment(by: Int64(n))
        }
        for name in ["tcp-connect", "tls", "upgrade"] {
            guard let h = m.handshakes[name], h.totalCount > 0 else { continue }
            let histogram = registry.makeValueHistogram(
                descriptor: descriptor("handshake_duration", "seconds", "Handshake phase durations: tcp_connect, tls, upgrade (time to the 101)."),
                labels: base + [("phase", name.replacingOccurrences(of: "-", with: "_"))], buckets: buckets)
            // One observation per recorded bucket value and count: the scrape's cost, not the hot path's.
            for v in h.recordedValues() {
                let seconds = Double(v.value) / 1e6
                for _ in 0..<v.count { histogram.record(seconds) }
            }
        }
        let current = metrics == nil ? "before" : m.phase.rawValue
        for p in phases {
            registry.makeGauge(
                descriptor: descriptor("phase", nil, "1 for the run's current phase, 0 for the others."),
                labels: base + [("phase", p)]
            ).set(Int64(p == current ? 1 : 0))
        }
        return format.render(registry)
    }
}
