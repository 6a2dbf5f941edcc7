import Foundation

/// How much the spread — and the `max_skew` verdict on it — is worth at this run's size: fairness figures,
/// the probability of a spread this uneven under random placement, the band of max deviation random placement
/// gives, and the gate's false-fail probability (report section `significance`).
///
/// The probabilities treat the run as n independent placement units spread at random with the expected shares
/// (a healthy random balancer, e.g. kube-proxy in iptables mode). The unit is a connection, or a client when
/// every client's connections were pinned to one pod (cookie or address affinity): then the clients are the
/// independent draws and the per-pod client counts are tested. Methods: exact enumeration of every outcome up
/// to ``exactOutcomeLimit`` outcomes, else ``monteCarloSamples`` seeded samples (``monteCarloSeed``); the
/// false-fail probability is exact at any size (a convolution) unless that would take more than
/// ``convolutionBudget`` multiply-adds, then it is the Monte Carlo estimate.
public struct SkewSignificance: Sendable, Codable, Equatable {
    /// Enumerate every outcome up to this many (C(n + k − 1, k − 1)).
    public static let exactOutcomeLimit = 100_000.0
    /// Monte Carlo samples beyond the exact limit.
    public static let monteCarloSamples = 10_000
    /// The Monte Carlo seed (fixed, so the same input gives the same report).
    public static let monteCarloSeed: UInt64 = 15
    /// Multiply-adds the exact false-fail convolution may take.
    public static let convolutionBudget = 40_000_000.0
    /// A false-fail probability above this makes the run too small for its gate (a warning).
    public static let tooSmallLevel = 0.05

    /// The placement unit: `connection`, or `client` when every client's connections landed on one pod.
    public var unit: String
    /// Placement units tested (n).
    public var units: Int
    /// Connections the units hold (equal to `units` when the unit is a connection).
    public var connections: Int
    /// Units per pod when the unit is a client (nil for connections: the pod rows hold them).
    public var unitsPerPod: [ClientPinning.PodCount]?
    /// Largest count / expected count (max/mean with equal weights), over pods expected to get connections.
    public var maxOverMean: Double?
    /// Smallest count / expected count (min/mean with equal weights).
    public var minOverMean: Double?
    /// Coefficient of variation of count / expected count (σ/mean of the counts with equal weights).
    public var coefficientOfVariation: Double?
    /// Jain's fairness index (Σxᵢ)² / (k·Σxᵢ²) with xᵢ = countᵢ / expected shareᵢ: 1 is perfectly even, 1/k all on one pod.
    public var jainIndex: Double?
    /// `exact` (every outcome enumerated) or `monte-carlo`.
    public var method: String
    /// Monte Carlo samples (nil when exact).
    public var samples: Int?
    /// Monte Carlo seed (nil when exact).
    public var seed: UInt64?
    /// Pods the units were placed over (those with a positive expected share).
    public var pods: Int
    /// Max deviation of the units from their expected counts, in percent.
    public var observedMaxDeviationPercent: Double
    /// Probability under random placement of an outcome no more likely than the observed one (exact multinomial
    /// test; Monte Carlo: (1 + hits) / (1 + samples)).
    public var pValue: Double
    /// Median max deviation (percent) random placement gives at this size.
    public var randomMaxDeviationMedianPercent: Double
    /// 95th percentile of the max deviation random placement gives: 95 % of healthy runs stay within it.
    public var randomMaxDeviationP95Percent: Double
    /// The configured `max_skew` (nil when not configured).
    public var maxSkewPercent: Double?
    /// Probability that a healthy random balancer fails `max_skew` at this size (nil without `max_skew`).
    public var falseFailProbability: Double?
    /// How the false-fail probability was computed: `exact` or `monte-carlo`.
    public var falseFailMethod: String?
    /// True when the false-fail probability is above ``tooSmallLevel``.
    public var tooSmallForGate: Bool

    /// The warning a too-small run gets, or nil.
    public var warning: String? {
        guard tooSmallForGate, let ff = falseFailProbability, let s = maxSkewPercent else { return nil }
        let unitWord = unit == "client" ? "clients" : "connections"
        return "The run is too small for its gate: at \(units) \(unitWord) over \(pods) pods a healthy random balancer fails "
            + "max_skew \(SignificanceText.number(s))% with probability \(ReportText.fixed(ff * 100, 1))% "
            + "(above \(ReportText.fixed(Self.tooSmallLevel * 100, 0))%); `wsload plan --pods \(pods) --max-skew \(SignificanceText.number(s)) "
            + "--false-fail \(Self.tooSmallLevel)"
            + (unit == "client" ? " --connections-per-client \(max(1, Int((Double(connections) / Double(units)).rounded())))" : "")
            + "` says how many \(unitWord) it needs."
    }

    /// The figures for per-pod `counts` against `weights` (index-aligned, weights > 0), or nil with fewer than
    /// two pods or no units. `connectionCounts` drives the fairness figures (the counts themselves when nil).
    public static func evaluate(
        unit: String, counts: [Int], weights: [Double], connectionCounts: [Int]? = nil,
        unexpectedUnits: Int = 0, maxSkewPercent: Double?
    ) -> SkewSignificance? {
        let n = counts.reduce(0, +)
        guard weights.count >= 2, weights.count == counts.count, n > 0 else { return nil }
        let model = Multinomial(weights: weights)
        let k = model.pods

        // Fairness of the connections: xᵢ = countᵢ / shareᵢ.
        let fairness = connectionCounts ?? counts
        let total = Double(fairness.reduce(0, +))
        var maxOverMean: Double?, minOverMean: Double?, cv: Double?, jain: Double?
        if total > 0 {
            let ratios = (0..<k).map { Double(fairness[$0]) / (total * model.shares[$0]) }
            maxOverMean = ratios.max(); minOverMean = ratios.min()
            let mean = ratios.reduce(0, +) / Double(k)
            cv = (ratios.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(k)).squareRoot() / mean
            let x = (0..<k).map { Double(fairness[$0]) / model.shares[$0] }
            let sum = x.reduce(0, +), sumSq = x.reduce(0) { $0 + $1 * $1 }
            jain = sum * sum / (Double(k) * sumSq)
        }

        let observedDev = (0..<k).map { model.deviationPercent(pod: $0, count: counts[$0], of: n) }.max() ?? 0
        let observedLog = model.logProbability(counts)
        let tolerance = 1e-7 * max(1, abs(observedLog))
        var draws: [(dev: Double, p: Double)] = []
        var pValue = 0.0
        var method = "exact", samples: Int?, seed: UInt64?
        if Multinomial.compositionCount(units: n, pods: k) <= exactOutcomeLimit {
            model.enumerate(units: n) { c, logP in
                let p = exp(logP)
                if logP <= observedLog + tolerance { pValue += p }
                var d = 0.0
                for i in 0..<k { d = max(d, model.deviationPercent(pod: i, count: c[i], of: n)) }
                draws.append((d, p))
            }
            pValue = min(1, pValue)
        } else {
            method = "monte-carlo"; samples = monteCarloSamples; seed = monteCarloSeed
            var rng = SeededRandom(seed: monteCarloSeed)
            var hits = 0
            let w = 1 / Double(monteCarloSamples)
            for _ in 0..<monteCarloSamples {
                let c = model.sample(units: n, &rng)
                if model.logProbability(c) <= observedLog + tolerance { hits += 1 }
                var d = 0.0
                for i in 0..<k { d = max(d, model.deviationPercent(pod: i, count: c[i], of: n)) }
                draws.append((d, w))
            }
            pValue = Double(1 + hits) / Double(1 + monteCarloSamples)
        }
        if unexpectedUnits > 0 { pValue = 0 }  // impossible under the expected shares
        draws.sort { $0.dev < $1.dev }
        func quantile(_ q: Double) -> Double {
            var cumulative = 0.0
            for d in draws {
                cumulative += d.p
                if cumulative >= q - 1e-12 { return d.dev }
            }
            return draws.last?.dev ?? 0
        }

        var falseFail: Double?, falseFailMethod: String?
        if let s = maxSkewPercent {
            if model.passProbabilityCost(units: n, maxSkewPercent: s) <= convolutionBudget {
                falseFail = max(0, 1 - model.passProbability(units: n, maxSkewPercent: s))
                falseFailMethod = "exact"
            } else {
                falseFail = draws.reduce(0) { $0 + ($1.dev > s ? $1.p : 0) }
                falseFailMethod = method
            }
        }
        return SkewSignificance(
            unit: unit, units: n, connections: connectionCounts?.reduce(0, +) ?? n, unitsPerPod: nil, maxOverMean: maxOverMean,
            minOverMean: minOverMean,
            coefficientOfVariation: cv, jainIndex: jain, method: method, samples: samples, seed: seed,
            pods: k, observedMaxDeviationPercent: observedDev, pValue: pValue,
            randomMaxDeviationMedianPercent: quantile(0.5), randomMaxDeviationP95Percent: quantile(0.95),
            maxSkewPercent: maxSkewPercent, falseFailProbability: falseFail, falseFailMethod: falseFailMethod,
            tooSmallForGate: (falseFail ?? 0) > tooSmallLevel)
    }

    /// The section of a report: units are clients when every client with two or more connections kept them on
    /// one pod, else connections. Pods with an expected share of 0 are left out of the placement.
    static func evaluate(
        statistics: DistributionStatistics, weights: [String: Double]?, placements: [ClientPlacement],
        maxSkewPercent: Double?
    ) -> SkewSignificance? {
        let expected = statistics.pods.filter { $0.expectedShare > 0 }
        let names = expected.map(\.pod)
        let w = DistributionStatistics.sanitizedWeights(names: statistics.pods.map(\.pod), weights: weights)
        let weightOf = Dictionary(uniqueKeysWithValues: zip(statistics.pods.map(\.pod), w))
        let positive = names.map { weightOf[$0] ?? 0 }
        guard positive.count >= 2, positive.allSatisfy({ $0 > 0 }) else { return nil }
        let connections = expected.map(\.count)
        let unexpectedConnections = statistics.pods.filter { $0.expectedShare == 0 }.reduce(0) { $0 + $1.count }
        let attributed = placements.filter { $0.connectionsPerClient > 0 }
        let clientUnits = !attributed.isEmpty && attributed.allSatisfy(\.pinned) && attributed.contains { $0.connectionsPerClient >= 2 }
        if clientUnits {
            var perPod: [String: Int] = [:]
            for p in attributed { if let pod = p.pod { perPod[pod, default: 0] += p.clients } }
            let counts = names.map { perPod[$0] ?? 0 }
            let unexpected = perPod.filter { !names.contains($0.key) }.values.reduce(0, +)
            guard
                var s = evaluate(
                    unit: "client", counts: counts, weights: positive, connectionCounts: connections,
                    unexpectedUnits: unexpected, maxSkewPercent: maxSkewPercent)
            else { return nil }
            s.unitsPerPod = PodNameOrder.sorted(perPod.keys).map { ClientPinning.PodCount(pod: $0, count: perPod[$0]!) }
            return s
        }
        return evaluate(
            unit: "connection", counts: connections, weights: positive, unexpectedUnits: unexpectedConnections,
            maxSkewPercent: maxSkewPercent)
    }
}
