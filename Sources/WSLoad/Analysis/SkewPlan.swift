import Foundation

/// How many placement units (clients, or connections) a run needs so that a healthy random balancer fails its
/// `max_skew` gate with probability at most a given rate (`wsload plan`).
///
/// The false-fail probability at n units is exact (``Multinomial/passProbability(units:maxSkewPercent:)``). It
/// is not monotone in n — at 3 pods and 50 %, n = 40 gives 4.6 % but n = 41 gives 5.3 % — so the plan gives
/// two sizes: ``units``, from which every size checked (the next 2k) stays within the rate, and
/// ``smallestUnits``, the smallest size found within it.
public struct SkewPlan: Sendable, Equatable {
    /// One point of the false-fail curve.
    public struct Point: Sendable, Equatable {
        /// Placement units.
        public var units: Int
        /// Connections (units × connections per client).
        public var connections: Int
        /// Probability that a healthy random balancer fails the gate at this size.
        public var falseFail: Double
    }

    /// Pods the units are placed over.
    public var pods: Int
    /// The gate's max skew in percent.
    public var maxSkewPercent: Double
    /// The acceptable false-fail probability.
    public var falseFailRate: Double
    /// Connections each client opens (a client is the unit when its connections are pinned together).
    public var connectionsPerClient: Int
    /// Units from which every checked size stays within the rate (the recommendation).
    public var units: Int
    /// The smallest size found whose false-fail probability is within the rate.
    public var smallestUnits: Int
    /// The curve around the answer.
    public var curve: [Point]

    /// Connections the recommended size means.
    public var connections: Int { units * connectionsPerClient }

    /// Largest size the plan searches.
    public static let searchLimit = 10_000_000

    /// Errors of a plan request, for humans.
    public struct PlanError: Error, CustomStringConvertible, Equatable {
        /// What is wrong.
        public var description: String
    }

    /// The plan for `pods` pods (or `weights`, one per pod), `maxSkewPercent` and `falseFail`.
    public static func compute(
        pods: Int, maxSkewPercent: Double, falseFail: Double, weights: [Double]? = nil,
        connectionsPerClient: Int = 1
    ) throws -> SkewPlan {
        guard pods >= 2 else { throw PlanError(description: "--pods must be at least 2 (got \(pods))") }
        guard maxSkewPercent > 0, maxSkewPercent.isFinite else {
            throw PlanError(description: "--max-skew must be a positive percentage (got \(maxSkewPercent))")
        }
        guard falseFail > 0, falseFail < 1 else {
            throw PlanError(description: "--false-fail must be a probability between 0 and 1, e.g. 0.05 (got \(falseFail))")
        }
        guard connectionsPerClient >= 1 else {
            throw PlanError(description: "--connections-per-client must be at least 1 (got \(connectionsPerClient))")
        }
        if let weights {
            guard weights.count == pods else {
                throw PlanError(description: "--weights has \(weights.count) values but --pods is \(pods)")
            }
            guard weights.allSatisfy({ $0 > 0 && $0.isFinite }) else {
                throw PlanError(description: "--weights must all be positive numbers")
            }
        }
        let model = Multinomial(weights: weights ?? Array(repeating: 1, count: pods))
        var cache: [Int: Double] = [:]
        func ff(_ n: Int) -> Double {
            if let v = cache[n] { return v }
            let v = max(0, 1 - model.passProbability(units: n, maxSkewPercent: maxSkewPercent))
            cache[n] = v
            return v
        }
        let window = 2 * pods
        // Every size in [n, n + window) within the rate.
        func settled(_ n: Int) -> Bool { (n..<n + window).allSatisfy { ff($0) <= falseFail } }
        var hi = pods
        while !settled(hi) {
            guard hi < searchLimit else {
                throw PlanError(description: "no run size up to \(searchLimit) units keeps the false-fail probability within \(falseFail)")
            }
            hi *= 2
        }
        var lo = max(1, hi / 2)
        if lo == hi { lo = 1 }
        // Bisect for the first settled size, treating "settled" as monotone (its window smooths the jags).
        while lo < hi {
            let mid = (lo + hi) / 2
            if settled(mid) { hi = mid } else { lo = mid + 1 }
        }
        let units = hi
        var smallest = units
        for n in stride(from: units - 1, through: max(1, units - 4 * pods), by: -1) where ff(n) <= falseFail { smallest = n }
        let from = max(1, smallest - pods), to = units + pods
        let step = max(1, (to - from) / 24)
        var sizes = Array(stride(from: from, through: to, by: step))
        for n in [smallest, units] where !sizes.contains(n) { sizes.append(n) }
        sizes.sort()
        let curve = sizes.map { Point(units: $0, connections: $0 * connectionsPerClient, falseFail: ff($0)) }
        return SkewPlan(
            pods: pods, maxSkewPercent: maxSkewPercent, falseFailRate: falseFail,
            connectionsPerClient: connectionsPerClient, units: units, smallestUnits: smallest, curve: curve)
    }

    /// The plan as text: the answer, then the curve.
    public var text: String {
        let unitWord = connectionsPerClient > 1 ? "clients" : "connections"
        var out: [String] = []
        out.append(
            "\(pods) pods, max_skew \(SignificanceText.number(maxSkewPercent))%, acceptable false-fail \(ReportText.fixed(falseFailRate * 100, 2))%"
                + (connectionsPerClient > 1 ? ", \(connectionsPerClient) connections per client (pinned: clients are the placement units)" : ""))
        out.append(
            "needs \(units) \(unitWord)" + (connectionsPerClient > 1 ? " (\(connections) connections)" : "")
                + ": from there on every size checked fails a healthy random balancer at most \(ReportText.fixed(falseFailRate * 100, 2))% of the time"
        )
        if smallestUnits < units {
            out.append("the smallest size within the rate is \(smallestUnits); sizes between are not all within it (the curve is jagged)")
        }
        out.append("")
        let perClient = connectionsPerClient > 1
        var table = TextTable(
            headers: [unitWord.uppercased()] + (perClient ? ["CONNECTIONS"] : []) + ["FALSE-FAIL", ""],
            alignments: [.right] + (perClient ? [.right] : []) + [.right, .left])
        for p in curve {
            let mark = p.units == units ? "← needed" : p.units == smallestUnits ? "← smallest within" : ""
            table.rows.append(
                [String(p.units)] + (perClient ? [String(p.connections)] : [])
                    + [ReportText.fixed(p.falseFail * 100, 2) + "%", mark])
        }
        out += table.lines(indent: "")
        return out.joined(separator: "\n") + "\n"
    }
}
