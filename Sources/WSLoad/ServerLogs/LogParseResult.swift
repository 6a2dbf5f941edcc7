/// The outcome of parsing a whole log text: samples plus a count of unrecognised lines.
public struct LogParseResult: Sendable, Codable, Equatable {
    /// Every recognised sample, in input order.
    public var samples: [LogSample]
    /// Number of non-blank lines that carried no active-connection count.
    public var garbageLines: Int
    /// Number of lines read (including blank and garbage lines).
    public var totalLines: Int

    /// Creates a result.
    public init(samples: [LogSample] = [], garbageLines: Int = 0, totalLines: Int = 0) {
        self.samples = samples
        self.garbageLines = garbageLines
        self.totalLines = totalLines
    }

    /// Groups samples per pod, sorted by pod name; samples without a pod go to `unattributedPod`.
    public func series(unattributedPod: String = "unknown") -> [LogSampleSeries] {
        var byPod: [String: [LogSample]] = [:]
        var order: [String] = []
        for sample in samples {
            let pod = sample.pod ?? unattributedPod
            if byPod[pod] == nil { order.append(pod) }
            byPod[pod, default: []].append(sample)
        }
        return order.sorted(by: PodNameOrder.areInIncreasingOrder)
            .map { LogSampleSeries(pod: $0, samples: byPod[$0]!) }
    }

    /// Appends another result (e.g. a second pod's log), renumbering nothing.
    public mutating func merge(_ other: LogParseResult) {
        samples += other.samples
        garbageLines += other.garbageLines
        totalLines += other.totalLines
    }
}
