import Foundation

/// How evenly connections spread over pods, against expected weights (equal by default).
///
/// With counts cᵢ over k pods, total N, weights wᵢ and expected counts eᵢ = N·wᵢ/Σw:
/// - mean = N / k;
/// - maxDeviationPercent = maxᵢ |cᵢ − eᵢ| / eᵢ × 100 (pods with eᵢ = 0 are left out);
/// - maxMinRatio = max cᵢ / min cᵢ, nil with `minIsZero` when a pod got nothing;
/// - coefficientOfVariation = σ / mean with the population σ = √(Σ(cᵢ − mean)² / k);
/// - chiSquare = Σ (cᵢ − eᵢ)² / eᵢ with k − 1 degrees of freedom, pValue = Q((k−1)/2, χ²/2).
/// Every value is finite, so the JSON never needs a non-standard number.
public struct DistributionStatistics: Sendable, Codable, Equatable {
    /// Per-pod rows, sorted naturally by pod name.
    public var pods: [PodShare]
    /// Total connections over all pods.
    public var total: Int
    /// Number of pods with at least one connection.
    public var podsHit: Int
    /// Pods that got no connection although they were expected to.
    public var podsNotHit: [String]
    /// Pods that got connections although their expected share is 0.
    public var unexpectedPods: [String]
    /// Mean count per pod (total / pod count); 0 with no pods.
    public var mean: Double
    /// Largest |count − expected| / expected × 100 over the pods.
    public var maxDeviationPercent: Double
    /// Largest count / smallest count; nil when the smallest is 0 (see `minIsZero`) or there are no pods.
    public var maxMinRatio: Double?
    /// True when some pod has a count of 0, making the max/min ratio infinite.
    public var minIsZero: Bool
    /// Population standard deviation / mean; nil when the mean is 0.
    public var coefficientOfVariation: Double?
    /// Pearson's chi-square statistic against the expected counts; nil without data or with one pod.
    public var chiSquare: Double?
    /// k − 1 over the pods with a non-zero expected count.
    public var degreesOfFreedom: Int
    /// Probability of a chi-square at least this large if connections were spread as expected.
    public var pValue: Double?

    /// Computes statistics for `counts`; `weights` (nil = equal) name each pod's relative expected share.
    ///
    /// Pods appear if they are in `counts` or `weights`. With explicit weights, a pod missing from them has
    /// weight 0; negative or non-finite weights count as 0. If every weight is 0, weights are equal.
    public init(counts: [String: Int], weights: [String: Double]? = nil) {
        let names = PodNameOrder.sorted(Set(counts.keys).union(weights.map { Array($0.keys) } ?? []))
        let w = Self.sanitizedWeights(names: names, weights: weights)
        let c = names.map { max(0, counts[$0] ?? 0) }
        let total = c.reduce(0, +)
        let weightSum = w.reduce(0, +)
        let k = names.count

        var rows: [PodShare] = []
        var maxDev = 0.0
        var chi = 0.0
        var df = -1
        for i in 0..<k {
            let expectedShare = weightSum > 0 ? w[i] / weightSum : 0
            let e = Double(total) * expectedShare
            // (c − e) / e with e = N·w/Σw, rearranged to (c·Σw − N·w) / (N·w) so integer inputs stay exact.
            let scaledExpected = Double(total) * w[i]
            let dev: Double? = e > 0 ? (Double(c[i]) * weightSum - scaledExpected) / scaledExpected * 100 : nil
            if let dev { maxDev = max(maxDev, abs(dev)) }
            if w[i] > 0 {
                df += 1
                if e > 0 { chi += (Double(c[i]) - e) * (Double(c[i]) - e) / e }
            }
            rows.append(
                PodShare(
                    pod: names[i], count: c[i], share: total > 0 ? Double(c[i]) / Double(total) : 0,
                    expectedShare: expectedShare, expectedCount: e, deviationPercent: dev))
        }
        pods = rows
        self.total = total
        podsHit = c.filter { $0 > 0 }.count
        podsNotHit = (0..<k).filter { c[$0] == 0 && w[$0] > 0 }.map { names[$0] }
        unexpectedPods = (0..<k).filter { c[$0] > 0 && w[$0] == 0 }.map { names[$0] }
        let mean = k > 0 ? Double(total) / Double(k) : 0
        self.mean = mean
        maxDeviationPercent = maxDev
        let minCount = c.min() ?? 0
        minIsZero = k > 0 && minCount == 0
        maxMinRatio = k > 0 && minCount > 0 ? Double(c.max()!) / Double(minCount) : nil
        if mean > 0 {
            let variance = c.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(k)
            coefficientOfVariation = variance.squareRoot() / mean
        } else {
            coefficientOfVariation = nil
        }
        degreesOfFreedom = max(0, df)
        if total > 0, df >= 1, unexpectedPods.isEmpty {
            chiSquare = chi
            pValue = ChiSquare.pValue(statistic: chi, degreesOfFreedom: df)
        } else {
            chiSquare = nil
            pValue = nil
        }
    }

    /// The weight of each of `names` as the statistics use it: 1 each without `weights`; else the given weight,
    /// 0 when missing, negative or non-finite; equal weights when every weight is 0.
    static func sanitizedWeights(names: [String], weights: [String: Double]?) -> [Double] {
        var w = names.map { name -> Double in
            guard let weights else { return 1 }
            let v = weights[name] ?? 0
            return v.isFinite && v > 0 ? v : 0
        }
        if !w.isEmpty, w.allSatisfy({ $0 == 0 }) { w = names.map { _ in 1 } }
        return w
    }

    /// Number of pods considered.
    public var podCount: Int { pods.count }

    /// The connection count of a pod, 0 when unknown.
    public func count(of pod: String) -> Int { pods.first { $0.pod == pod }?.count ?? 0 }
}
