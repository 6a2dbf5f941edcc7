import Foundation

/// Capped exponential backoff with jitter, shared by connection reconnects and port-forward restarts.
///
/// The delay before attempt `n` (0-based) is `base = min(maxBackoff, initialBackoff × 2ⁿ)`, of which the
/// fraction `jitter` is randomised: the delay lies in `[base × (1 − jitter), base]`, so retry storms spread out.
public protocol CappedBackoff {
    /// Delay before the first attempt, in seconds.
    var initialBackoff: Double { get }
    /// Cap on the delay, in seconds.
    var maxBackoff: Double { get }
    /// Fraction (0…1) of each delay that is randomised.
    var jitter: Double { get }
}

extension CappedBackoff {
    /// The un-randomised delay before attempt `attempt` (0-based).
    public func base(attempt: Int) -> Double {
        min(maxBackoff, initialBackoff * pow(2, Double(min(max(attempt, 0), 40))))
    }

    /// The shortest possible delay before attempt `attempt`.
    public func minimumDelay(attempt: Int) -> Double { base(attempt: attempt) * (1 - clampedJitter) }

    /// The delay before attempt `attempt`; `random` in `0..<1`.
    public func delay(attempt: Int, random: Double = Double.random(in: 0..<1)) -> Double {
        let b = base(attempt: attempt)
        return b * (1 - clampedJitter) + b * clampedJitter * min(max(random, 0), 1)
    }

    private var clampedJitter: Double { min(max(jitter, 0), 1) }
}
