/// Where a pod's baseline (its count before the run) came from.
public enum BaselineSource: String, Sendable, Codable, Equatable, CaseIterable {
    /// The last reading wsload read before its first connection attempt.
    case readBeforeRun
    /// The last reading found by the bounded backwards search of the pod's earlier log (the followed log
    /// printed nothing before the run: a pod that logs only on change and spoke long ago).
    case earlierLog
    /// The last reading stamped before the run started (by its timestamp and precision).
    case timestamp
    /// The first of several readings in the run start's second (stamps too coarse to order them).
    case sameSecond
    /// No reading preceded the run: 0 was assumed.
    case assumedZero
}
