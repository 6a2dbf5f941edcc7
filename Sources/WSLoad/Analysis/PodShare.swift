/// One pod's line in the distribution statistics.
public struct PodShare: Sendable, Codable, Equatable {
    /// The pod name.
    public var pod: String
    /// Connections attributed to the pod.
    public var count: Int
    /// count / total (0 when the total is 0).
    public var share: Double
    /// The pod's weight / the sum of weights.
    public var expectedShare: Double
    /// total × expectedShare.
    public var expectedCount: Double
    /// (count − expectedCount) / expectedCount × 100; nil when nothing was expected.
    public var deviationPercent: Double?

    /// Creates a pod share.
    public init(
        pod: String, count: Int, share: Double, expectedShare: Double, expectedCount: Double,
        deviationPercent: Double?
    ) {
        self.pod = pod
        self.count = count
        self.share = share
        self.expectedShare = expectedShare
        self.expectedCount = expectedCount
        self.deviationPercent = deviationPercent
    }
}
