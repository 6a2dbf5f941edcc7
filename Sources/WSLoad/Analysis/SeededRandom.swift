import Foundation

/// A small reproducible random generator (SplitMix64) for the Monte Carlo estimates of the analysis: the same
/// seed gives the same sequence on every platform, so a report re-analysed later gives the same figures.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator started at `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits (SplitMix64, Steele, Lea & Flood 2014).
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform double in [0, 1) with 53 random bits.
    public mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// A binomial(n, p) draw by inversion searched outward from the mode ("chop-down from the mode"): exact up
    /// to rounding, about 1.6·√(n·p·(1−p)) steps per draw.
    public mutating func binomial(_ n: Int, _ p: Double) -> Int {
        if n <= 0 || p <= 0 { return 0 }
        if p >= 1 { return n }
        let q = 1 - p
        let mode = min(n, Int((Double(n + 1) * p).rounded(.down)))
        let logMode =
            logFactorial(n) - logFactorial(mode) - logFactorial(n - mode)
            + Double(mode) * log(p) + Double(n - mode) * log(q)
        let pMode = exp(logMode)
        var u = nextUnit() - pMode
        if u <= 0 { return mode }
        let ratio = p / q
        var lo = mode, hi = mode, pLo = pMode, pHi = pMode
        while lo > 0 || hi < n {
            if hi < n {
                pHi *= Double(n - hi) / Double(hi + 1) * ratio
                hi += 1
                u -= pHi
                if u <= 0 { return hi }
            }
            if lo > 0 {
                pLo *= Double(lo) / Double(n - lo + 1) / ratio
                lo -= 1
                u -= pLo
                if u <= 0 { return lo }
            }
        }
        return mode  // only rounding leaves mass unassigned
    }
}
