import Foundation

/// The ordered "active connections" readings of one pod.
public struct LogSampleSeries: Sendable, Codable, Equatable {
    /// The pod these samples belong to.
    public var pod: String
    /// Samples in input order (use `ordered` for timestamp order).
    public var samples: [LogSample]

    /// Creates a series.
    public init(pod: String, samples: [LogSample]) {
        self.pod = pod
        self.samples = samples
    }

    /// True when every sample carries a timestamp (so time-window rules apply).
    public var isFullyTimestamped: Bool {
        !samples.isEmpty && samples.allSatisfy { $0.timestamp != nil }
    }

    /// Samples sorted by timestamp (stable, by line number on ties); input order when any timestamp is missing.
    public var ordered: [LogSample] {
        guard isFullyTimestamped else { return samples }
        return samples.enumerated().sorted { a, b in
            let ta = a.element.timestamp!, tb = b.element.timestamp!
            return ta != tb ? ta < tb : a.offset < b.offset
        }.map(\.element)
    }
}
