import Foundation

/// Random placement of n independent units over k pods with fixed shares: the multinomial distribution a
/// healthy random balancer produces, and the max-skew deviation the gate measures on each outcome.
///
/// The deviation of pod i with count c out of n is (c·Σw − n·wᵢ) / (n·wᵢ) × 100 — the same expression
/// ``DistributionStatistics`` uses — so "the gate fails" here is exactly the gate's own comparison.
public struct Multinomial: Sendable {
    /// Relative weights of the pods (all > 0).
    public let weights: [Double]
    /// Expected shares wᵢ / Σw.
    public let shares: [Double]
    private let weightSum: Double

    /// A model over pods with `weights` (non-positive or non-finite weights are not allowed: leave such pods out).
    public init(weights: [Double]) {
        precondition(!weights.isEmpty && weights.allSatisfy { $0 > 0 && $0.isFinite }, "weights must be positive")
        self.weights = weights
        let sum = weights.reduce(0, +)
        weightSum = sum
        shares = weights.map { $0 / sum }
    }

    /// k equal pods.
    public init(pods: Int) { self.init(weights: Array(repeating: 1, count: pods)) }

    /// Number of pods.
    public var pods: Int { weights.count }

    /// |deviation| in percent of pod `i` holding `count` of `n` units.
    public func deviationPercent(pod i: Int, count: Int, of n: Int) -> Double {
        let scaled = Double(n) * weights[i]
        return abs((Double(count) * weightSum - scaled) / scaled * 100)
    }

    /// log P(counts) = log n! + Σ (cᵢ log pᵢ − log cᵢ!).
    public func logProbability(_ counts: [Int]) -> Double {
        let n = counts.reduce(0, +)
        var s = logFactorial(n)
        for (i, c) in counts.enumerated() { s += Double(c) * log(shares[i]) - logFactorial(c) }
        return s
    }

    /// The number of outcomes, C(n + k − 1, k − 1), as a double (∞ beyond the double range).
    public static func compositionCount(units n: Int, pods k: Int) -> Double {
        guard k > 1 else { return 1 }
        return exp(logFactorial(n + k - 1) - logFactorial(k - 1) - logFactorial(n)).rounded()
    }

    /// Calls `visit(counts, logProbability)` for every outcome of n units (every composition of n into k parts).
    public func enumerate(units n: Int, _ visit: ([Int], Double) -> Void) {
        let k = pods
        let logShares = shares.map { log($0) }
        // term[i][c] = c·log pᵢ − log c!
        let term = (0..<k).map { i in (0...n).map { c in Double(c) * logShares[i] - logFactorial(c) } }
        let base = logFactorial(n)
        var counts = Array(repeating: 0, count: k)
        func place(_ i: Int, _ remaining: Int, _ acc: Double) {
            if i == k - 1 {
                counts[i] = remaining
                visit(counts, base + acc + term[i][remaining])
                return
            }
            for c in 0...remaining {
                counts[i] = c
                place(i + 1, remaining - c, acc + term[i][c])
            }
        }
        place(0, n, 0)
    }

    /// One random outcome of n units: conditional binomials, pod by pod.
    public func sample(units n: Int, _ rng: inout SeededRandom) -> [Int] {
        var counts = Array(repeating: 0, count: pods)
        var remaining = n
        var mass = 1.0
        for i in 0..<(pods - 1) where remaining > 0 {
            let c = rng.binomial(remaining, min(1, shares[i] / mass))
            counts[i] = c
            remaining -= c
            mass -= shares[i]
        }
        counts[pods - 1] += remaining
        return counts
    }

    /// The counts of pod `i` the gate passes at n units (deviation ≤ `maxSkewPercent`), or nil when none does.
    public func passingCounts(pod i: Int, units n: Int, maxSkewPercent s: Double) -> ClosedRange<Int>? {
        let e = Double(n) * shares[i]
        // Start just outside the real boundaries e·(1 ± s/100) (clamped, so a huge s cannot overflow), then step in.
        var lo = Int(max(0, min(Double(n), (e * (1 - s / 100)).rounded(.down) - 2)))
        var hi = Int(max(0, min(Double(n), (e * (1 + s / 100)).rounded(.up) + 2)))
        while lo <= n, deviationPercent(pod: i, count: lo, of: n) > s { lo += 1 }
        while hi >= 0, deviationPercent(pod: i, count: hi, of: n) > s { hi -= 1 }
        return lo <= hi ? lo...hi : nil
    }

    /// Multiply-adds ``passProbability(units:maxSkewPercent:)`` needs at this size (its cost).
    public func passProbabilityCost(units n: Int, maxSkewPercent s: Double) -> Double {
        var partial = 1.0, cost = 0.0
        for i in 0..<pods {
            let w = Double(window(pod: i, units: n, maxSkewPercent: s).map(\.count) ?? 0)
            cost += i == pods - 1 ? w : partial * w
            partial += w
        }
        return cost
    }

    /// The counts of pod i worth carrying: the passing range cut to λ ± (9√λ + 10), λ = n·pᵢ (the mass
    /// outside is below 1e-15).
    private func window(pod i: Int, units n: Int, maxSkewPercent s: Double) -> ClosedRange<Int>? {
        guard let pass = passingCounts(pod: i, units: n, maxSkewPercent: s) else { return nil }
        let lambda = Double(n) * shares[i]
        let spread = 9 * lambda.squareRoot() + 10
        let lo = max(pass.lowerBound, Int((lambda - spread).rounded(.down)))
        let hi = min(pass.upperBound, Int((lambda + spread).rounded(.up)))
        return lo <= hi ? lo...hi : nil
    }

    /// The exact probability that the gate passes `max_skew` = `s` at n units: every pod inside its passing
    /// range. Computed as independent Poisson(n·pᵢ) counts conditioned on their sum being n: the truncated
    /// Poisson probabilities are convolved pod by pod and read at n, divided by P(Poisson(n) = n).
    public func passProbability(units n: Int, maxSkewPercent s: Double) -> Double {
        guard n > 0 else { return 1 }
        // When every pod's passing range holds its whole λ ± (9√λ + 10) window, the gate fails only beyond nine
        // standard deviations somewhere: below 1e-15, reported as 0 without the convolution.
        if (0..<pods).allSatisfy({ i in
            guard let pass = passingCounts(pod: i, units: n, maxSkewPercent: s) else { return false }
            let lambda = Double(n) * shares[i], spread = 9 * lambda.squareRoot() + 10
            return Double(pass.lowerBound) <= max(0, lambda - spread) && Double(pass.upperBound) >= min(Double(n), lambda + spread)
        }) {
            return 1
        }
        var acc: [Double] = [1]
        var offset = 0
        for i in 0..<pods {
            guard let range = window(pod: i, units: n, maxSkewPercent: s) else { return 0 }
            let lambda = Double(n) * shares[i]
            let logLambda = log(lambda)
            let f = range.map { c in exp(Double(c) * logLambda - lambda - logFactorial(c)) }
            if i == pods - 1 {
                // Only the coefficient at n is needed: a dot product.
                var total = 0.0
                for (j, c) in range.enumerated() {
                    let idx = n - c - offset
                    if idx >= 0 && idx < acc.count { total += acc[idx] * f[j] }
                }
                let logPoissonAtN = Double(n) * log(Double(n)) - Double(n) - logFactorial(n)
                return max(0, min(1, total / exp(logPoissonAtN)))
            }
            var next = Array(repeating: 0.0, count: acc.count + f.count - 1)
            next.withUnsafeMutableBufferPointer { out in
                acc.withUnsafeBufferPointer { a in
                    f.withUnsafeBufferPointer { b in
                        for x in 0..<a.count where a[x] != 0 {
                            let ax = a[x]
                            for y in 0..<b.count { out[x + y] += ax * b[y] }
                        }
                    }
                }
            }
            acc = next
            offset += range.lowerBound
        }
        return 1
    }
}

/// log n! (via the log-gamma function).
@inline(__always) func logFactorial(_ n: Int) -> Double {
    let value: Double = lgamma(Double(n) + 1)
    return value
}
