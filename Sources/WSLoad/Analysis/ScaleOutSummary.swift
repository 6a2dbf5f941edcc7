/// What a scale-out did to the spread: which pods are new, the share of held connections they reached at the end
/// and over time, and how long after the last event the spread was within `max_skew` again.
///
/// "New pods" are the pods (seen by the client, or known from the static list, discovery or the logs when the run
/// had an event) that held no connection at any timeline sample before the reference time — the first event's
/// start, or the end of the ramp when the run had no event — while other pods did.
public struct ScaleOutSummary: Sendable, Codable, Equatable {
    /// One sample of the new pods' share.
    public struct SharePoint: Sendable, Codable, Equatable {
        /// Seconds since the run start (a timeline sample).
        public var t: Double
        /// Percent of the connections open at `t` that the new pods held.
        public var percent: Double
        /// Creates a point.
        public init(t: Double, percent: Double) { self.t = t; self.percent = percent }
    }

    /// The reference time, seconds since the run start: the first event's start, or the ramp's end.
    public var since: Double
    /// The event measured from (nil: the ramp's end).
    public var sinceEvent: String?
    /// The new pods, sorted.
    public var newPods: [String]
    /// Connections the new pods held when the hold ended, and all held then.
    public var heldByNewPods: Int, held: Int
    /// `heldByNewPods / held` in percent (nil when nothing was held).
    public var newPodSharePercent: Double?
    /// The new pods' fair share in percent: their expected weight over all pods' (nil without new pods).
    public var fairSharePercent: Double?
    /// The new pods' share at each timeline sample from `since` to the end of the hold.
    public var shareOverTime: [SharePoint]
    /// Start of the last event that ran, seconds since the run start (nil: none ran).
    public var lastEventAt: Double?
    /// The `max_skew` the spread is judged against (nil: none set, time to fair not measured).
    public var maxSkewPercent: Double?
    /// Seconds from the last event until the spread was within `max_skew` and stayed so until the hold ended
    /// (nil: not measured, or never within the run — see ``fairWithinRun``).
    public var timeToFairSeconds: Double?
    /// Whether the spread was within `max_skew` again before the hold ended (nil: not measured).
    public var fairWithinRun: Bool?
    /// What the evidence shows, in words.
    public var explanation: String

    /// Creates a summary.
    public init(
        since: Double, sinceEvent: String?, newPods: [String], heldByNewPods: Int, held: Int, newPodSharePercent: Double?,
        fairSharePercent: Double?, shareOverTime: [SharePoint], lastEventAt: Double?, maxSkewPercent: Double?,
        timeToFairSeconds: Double?, fairWithinRun: Bool?, explanation: String
    ) {
        self.since = since; self.sinceEvent = sinceEvent; self.newPods = newPods; self.heldByNewPods = heldByNewPods; self.held = held
        self.newPodSharePercent = newPodSharePercent; self.fairSharePercent = fairSharePercent; self.shareOverTime = shareOverTime
        self.lastEventAt = lastEventAt; self.maxSkewPercent = maxSkewPercent; self.timeToFairSeconds = timeToFairSeconds
        self.fairWithinRun = fairWithinRun; self.explanation = explanation
    }
}
