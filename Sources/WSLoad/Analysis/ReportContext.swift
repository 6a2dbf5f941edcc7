import Foundation

/// Everything besides the engine's result that the report of a live run needs.
public struct ReportContext: Sendable, Codable, Equatable {
    /// Profile name, if any.
    public var profileName: String?
    /// The target URL (redacted when shown).
    public var target: String
    /// Pods known from discovery or the static list, with weights.
    public var knownPods: [String: Double]
    /// Expected weights per pod (nil: equal over the pods seen).
    public var weights: [String: Double]?
    /// Server-side log samples per pod (empty: no logs configured).
    public var serverLogs: [LogSampleSeries]
    /// Whether server logs were configured (an empty series then means "no data").
    public var serverLogsConfigured: Bool
    /// What was read from the pods' own metrics (nil: no `server_metrics` configured).
    public var serverMetrics: ServerMetricsData? = nil
    /// Cookie policy of the run.
    public var cookiePolicy: CookiePolicy
    /// Whether the target reaches a single pod (port-forward or pod address).
    public var singlePodTarget: String?
    /// Gate thresholds.
    public var thresholds: GateThresholds
    /// Notes to carry into the report.
    public var notes: [String]
    /// Warnings to carry into the report (plan warnings are added from the result).
    public var warnings: [String]
    /// For `wss://` runs: what the certificate was verified against, or that verification was off.
    public var tls: TLSVerificationSummary? = nil
    /// What became of the run's timed events (`events:`), in profile order.
    public var events: [EventRecord] = []

    /// Creates a context.
    public init(
        profileName: String? = nil, target: String, knownPods: [String: Double] = [:], weights: [String: Double]? = nil,
        serverLogs: [LogSampleSeries] = [], serverLogsConfigured: Bool = false, cookiePolicy: CookiePolicy = .none,
        singlePodTarget: String? = nil, thresholds: GateThresholds = GateThresholds(), notes: [String] = [], warnings: [String] = []
    ) {
        self.profileName = profileName; self.target = target; self.knownPods = knownPods; self.weights = weights
        self.serverLogs = serverLogs; self.serverLogsConfigured = serverLogsConfigured; self.cookiePolicy = cookiePolicy
        self.singlePodTarget = singlePodTarget; self.thresholds = thresholds; self.notes = notes; self.warnings = warnings
    }
}
