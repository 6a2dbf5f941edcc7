/// Server-log readings for one pod during a run, compared with wsload's own count.
public struct PodMatch: Sendable, Codable, Equatable {
    /// The pod name.
    public var pod: String
    /// Connections wsload attributed to this pod during hold.
    public var clientCount: Int
    /// Server count before the run (last reading at or before `runStart`).
    public var baseline: Int?
    /// True when no reading preceded the run and the baseline was assumed to be 0.
    public var baselineAssumed: Bool
    /// Server count during hold (last reading within [holdStart, holdEnd]).
    public var hold: Int?
    /// True when no reading fell inside the hold window and the value in effect at `holdStart` was used.
    public var holdCarriedForward: Bool
    /// Highest server count seen during the run (including the baseline).
    public var peak: Int?
    /// Last reading after `closeEnd`, if any.
    public var afterClose: Int?
    /// `hold − baseline` (or `hold` when `counterRestarted`): the connections the server gained during the run.
    public var delta: Int?
    /// True when samples had no timestamps and the order-based rules were used.
    public var usedSampleOrder: Bool
    /// Number of samples considered for this pod.
    public var sampleCount: Int
    /// The verdict for this pod.
    public var classification: MatchClassification
    /// What ordered the readings (nil in reports made before this existed: `usedSampleOrder` tells).
    public var basis: MatchBasis?
    /// Where the baseline came from (nil in reports made before this existed).
    public var baselineSource: BaselineSource?
    /// The coarsest precision among the pod's timestamps when readings were ordered by time (nil: exact or none).
    public var timestampPrecision: LogTimestampPrecision?
    /// True when the pod's count fell to 0 during the run after a baseline above 0 (a restarted pod, or every
    /// earlier connection gone): `delta` is then counted from 0.
    public var counterRestarted: Bool?
    /// Connections of other clients: `delta − clientCount` when classified ``MatchClassification/otherTraffic``
    /// (positive: others connected during the run; negative: others left).
    public var otherTraffic: Int?

    /// Creates a pod match.
    public init(
        pod: String, clientCount: Int, baseline: Int? = nil, baselineAssumed: Bool = false,
        hold: Int? = nil, holdCarriedForward: Bool = false, peak: Int? = nil, afterClose: Int? = nil,
        delta: Int? = nil, usedSampleOrder: Bool = false, sampleCount: Int = 0,
        classification: MatchClassification
    ) {
        self.pod = pod
        self.clientCount = clientCount
        self.baseline = baseline
        self.baselineAssumed = baselineAssumed
        self.hold = hold
        self.holdCarriedForward = holdCarriedForward
        self.peak = peak
        self.afterClose = afterClose
        self.delta = delta
        self.usedSampleOrder = usedSampleOrder
        self.sampleCount = sampleCount
        self.classification = classification
    }

    /// True when the server returned to its baseline after close; nil when unknown.
    public var returnedToBaseline: Bool? {
        guard let afterClose, let baseline else { return nil }
        return afterClose == baseline
    }
}
