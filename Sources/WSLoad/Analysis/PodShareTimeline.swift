/// Each pod's share of the open connections over the run's ramp and hold, client view and (when the pods' own log
/// values were followed) server view, at up to ``maxSamples`` timeline samples.
///
/// Made by ``ShareOverTimeAnalysis`` from the report's `timeline`; the SVG/HTML share-over-time chart and the
/// compact text form are drawn from it.
public struct PodShareTimeline: Sendable, Codable, Equatable {
    /// One sampled moment.
    public struct Sample: Sendable, Codable, Equatable {
        /// Seconds since the run start (a timeline sample's `t`).
        public var t: Double
        /// `ramp` or `hold`.
        public var phase: String
        /// Connections open at `t`, client side (the sum of the timeline point's `perPod`, unattributed included).
        public var clientOpen: Int
        /// Percent of `clientOpen` per pod that held any, rounded to 0.01 (a pod left out held none; empty when nothing
        /// was open).
        public var client: [String: Double]
        /// The sum of the pods' own values at `t` (nil: no pod had logged a value yet, or logs were not followed).
        public var serverOpen: Int?
        /// Percent of `serverOpen` per pod whose value was above 0, rounded to 0.01 (nil with `serverOpen`; empty when
        /// it is 0).
        public var server: [String: Double]?

        /// Creates a sample.
        public init(t: Double, phase: String, clientOpen: Int, client: [String: Double], serverOpen: Int? = nil, server: [String: Double]? = nil) {
            self.t = t; self.phase = phase; self.clientOpen = clientOpen; self.client = client; self.serverOpen = serverOpen
            self.server = server
        }
    }

    /// Samples kept at most: more ramp/hold timeline points are thinned to this many, evenly spaced by index, the
    /// first and the last always kept.
    public static let maxSamples = 120

    /// The pods in drawing order: the report's pods, then `?` (unattributed) when it held connections.
    public var pods: [String]
    /// Ramp/hold timeline points the samples were picked from (more than `samples.count` when thinned).
    public var sampledFrom: Int
    /// The samples, in time order.
    public var samples: [Sample]

    /// Creates a share timeline.
    public init(pods: [String], sampledFrom: Int, samples: [Sample]) {
        self.pods = pods; self.sampledFrom = sampledFrom; self.samples = samples
    }

    /// Whether any sample has a server view.
    public var hasServerView: Bool { samples.contains { $0.server != nil } }
}
