/// What a drain, rollout or lost pod did to the run's connections: which pods they dropped from, how fast they
/// came back (reconnects per second, the peak and the shape of each wave), how long each was down, and where
/// the moved connections landed.
///
/// Rates come from the run's timeline (cumulative `dropped` and `reconnects` at each sample), so their
/// resolution is `timeline.interval`; per-connection figures (drops per pod, disruption, moves) come from
/// ``ResilienceSummary``.
public struct DrainSummary: Sendable, Codable, Equatable {
    /// One interval of the timeline between two samples, in the drain's span.
    public struct RatePoint: Sendable, Codable, Equatable {
        /// End of the interval, seconds since the run start.
        public var t: Double
        /// Connections that dropped in the interval, per second.
        public var dropsPerSecond: Double
        /// Reconnects that completed in the interval, per second.
        public var reconnectsPerSecond: Double
        /// Creates a point.
        public init(t: Double, dropsPerSecond: Double, reconnectsPerSecond: Double) {
            self.t = t; self.dropsPerSecond = dropsPerSecond; self.reconnectsPerSecond = reconnectsPerSecond
        }
    }

    /// The drops and reconnects between one event's start and the next event's (or the hold's end); before
    /// the first event, or in a run without events, the wave has no event.
    public struct Wave: Sendable, Codable, Equatable {
        /// The event that opened the window (nil: no event, e.g. a pod killed from outside the run).
        public var event: String?
        /// Start of the window, seconds since the run start (the event's start, or 0).
        public var from: Double
        /// End of the window, seconds since the run start.
        public var to: Double
        /// Connections that dropped in the window.
        public var dropped: Int
        /// Reconnects that completed in the window.
        public var reconnected: Int
        /// The most reconnects completed within one second in the window (see ``DrainSummary/peakReconnectsPerSecond``).
        public var peakReconnectsPerSecond: Double
        /// Seconds from the first drop in the window until 90 % of its reconnects had completed (nil: none reconnected).
        public var reconnect90Seconds: Double?
        /// Creates a wave.
        public init(
            event: String?, from: Double, to: Double, dropped: Int, reconnected: Int, peakReconnectsPerSecond: Double,
            reconnect90Seconds: Double?
        ) {
            self.event = event; self.from = from; self.to = to; self.dropped = dropped; self.reconnected = reconnected
            self.peakReconnectsPerSecond = peakReconnectsPerSecond; self.reconnect90Seconds = reconnect90Seconds
        }
    }

    /// Drops by the pod the connection was on (every drop counts), as the report names pods.
    public var droppedPerPod: [String: Int]
    /// All drops, and the successful reconnects, during ramp and hold.
    public var dropped: Int, reconnected: Int
    /// Connections that dropped and were not open again when the hold ended.
    public var lost: Int
    /// The most reconnects completed within one second: for each timeline sample, the reconnects since the
    /// latest sample at least 1 s earlier, divided by that span (at least 1 s); the largest over the run.
    public var peakReconnectsPerSecond: Double
    /// The sample at which the peak was reached, seconds since the run start (nil: no reconnect).
    public var peakAt: Double?
    /// Per-interval drop and reconnect rates from just before the first drop to the last reconnect
    /// (at most 240 points: adjacent intervals are merged beyond that).
    public var rates: [RatePoint]
    /// One wave per event that succeeded (plus one for drops before the first event).
    public var waves: [Wave]
    /// Reconnected connections by the pod they landed on.
    public var landedPerPod: [String: Int]
    /// Reconnects that landed on the pod they had dropped from.
    public var returnedToSamePod: Int
    /// Drop-to-reopen time per reconnect, milliseconds (from ``ResilienceSummary``).
    public var disruptionP50Ms: Double?, disruptionP99Ms: Double?
    /// What the evidence shows, in words.
    public var explanation: String

    /// Creates a summary.
    public init(
        droppedPerPod: [String: Int], dropped: Int, reconnected: Int, lost: Int, peakReconnectsPerSecond: Double,
        peakAt: Double?, rates: [RatePoint], waves: [Wave], landedPerPod: [String: Int], returnedToSamePod: Int,
        disruptionP50Ms: Double?, disruptionP99Ms: Double?, explanation: String
    ) {
        self.droppedPerPod = droppedPerPod; self.dropped = dropped; self.reconnected = reconnected; self.lost = lost
        self.peakReconnectsPerSecond = peakReconnectsPerSecond; self.peakAt = peakAt; self.rates = rates; self.waves = waves
        self.landedPerPod = landedPerPod; self.returnedToSamePod = returnedToSamePod
        self.disruptionP50Ms = disruptionP50Ms; self.disruptionP99Ms = disruptionP99Ms; self.explanation = explanation
    }
}
