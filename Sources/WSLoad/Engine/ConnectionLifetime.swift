import Foundation

/// `clients.lifetime`: how long an established connection lives before its client closes it (close code 1000)
/// and opens it again, as real clients and servers with a maximum connection age do.
///
/// Draws are reproducible: the age of a connection's `n`-th life is a pure function of the connection's global
/// index (`client * connections_per_client + conn`, the same in a worker or shard as in one process) and `n`.
public struct ConnectionLifetime: Sendable, Codable, Equatable {
    /// How ages are spread around ``age``.
    public enum Distribution: String, Sendable, Codable, CaseIterable {
        /// Every life lasts `age` (± jitter).
        case fixed
        /// Exponentially distributed lives with mean `age` (± jitter), like independent disconnects.
        case exponential
    }

    /// The (mean) age in seconds; > 0.
    public var age: Double
    /// Fraction 0…1 of each drawn age added or removed uniformly: the age lies in [a·(1−jitter), a·(1+jitter)].
    public var jitter: Double
    /// Fixed or exponential.
    public var distribution: Distribution
    /// Seconds between the close and the reopen.
    public var reopenDelay: Double

    /// Seconds kept free before the hold ends: a life whose end plus `reopenDelay` falls closer to the hold's end
    /// than this is not ended, so a reopen is not still under way when the hold ends.
    public static let holdEndGuard = 0.25

    /// A lifetime.
    public init(age: Double, jitter: Double = 0, distribution: Distribution = .fixed, reopenDelay: Double = 0) {
        self.age = age; self.jitter = jitter; self.distribution = distribution; self.reopenDelay = reopenDelay
    }

    /// The age in seconds of life number `life` (0: the first open) of the connection with global index `index`.
    public func draw(index: Int, life: Int) -> Double {
        var rng = SeededRandom(seed: Self.seed(index: index, life: life))
        var a = age
        if distribution == .exponential {
            // Inversion: −mean·ln(1−u), u in [0, 1).
            a = -age * log(1 - rng.nextUnit())
        }
        if jitter > 0 { a *= 1 + jitter * (2 * rng.nextUnit() - 1) }
        return max(0, a)
    }

    /// Whether a life of `age` seconds starting now may end within the hold: `remaining` is the time left of the
    /// hold (during the ramp, the whole hold).
    public func endsWithinHold(age: Double, remaining: Double) -> Bool {
        age + reopenDelay + Self.holdEndGuard < remaining
    }

    private static func seed(index: Int, life: Int) -> UInt64 {
        // Distinct for every (index, life) below 2^40 × 2^24; SplitMix64 mixes neighbouring seeds well.
        (UInt64(truncatingIfNeeded: index) << 24) ^ UInt64(truncatingIfNeeded: life) ^ 0x6C69_6665_7469_6D65
    }
}
