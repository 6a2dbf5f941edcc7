extension Profile {
    /// `server_metrics:` — the pods' own active-connection gauge, read through a Prometheus server's HTTP API
    /// (`prometheus` with `query` or `metric`) or scraped from each pod's `/metrics` (`scrape` or `scrape_urls`
    /// with `metric`), matched against wsload's counts like the server logs.
    public struct ServerMetricsSection: Sendable, Equatable, Codable {
        /// Base URL of the Prometheus server, e.g. `http://prometheus.monitoring:9090`.
        public var prometheus: String? = nil
        /// PromQL giving one series per pod, e.g. `sum by (pod) (ws_active_connections)`.
        public var query: String? = nil
        /// The gauge's name, optionally with a selector (`ws_active_connections{job="ws"}`): summed per `pod_label`
        /// through Prometheus, read as is from a pod's `/metrics`.
        public var metric: String? = nil
        /// The label naming the pod in Prometheus results.
        public var podLabel: String = "pod"
        /// Per-pod `/metrics` URL template; placeholders `{pod}` and `{ip}` (from `pods.static`).
        public var scrape: String? = nil
        /// Pod name → `/metrics` URL, for pods that a template cannot name.
        public var scrapeUrls: [String: String] = [:]
        /// How often the pods are scraped (by Prometheus, or by wsload with `scrape`).
        public var scrapeInterval: ProfileDuration = ProfileDuration(seconds: 15)
        /// Longest wait after close for a sample newer than close (default: twice the scrape interval plus 1 s).
        public var wait: ProfileDuration? = nil
        /// Defaults.
        public init() {}

        /// Whether a metrics source is configured.
        public var isConfigured: Bool { prometheus != nil || scrape != nil || !scrapeUrls.isEmpty }
        /// The wait in seconds.
        public var waitSeconds: Double { wait?.seconds ?? 2 * scrapeInterval.seconds + 1 }
    }
}
