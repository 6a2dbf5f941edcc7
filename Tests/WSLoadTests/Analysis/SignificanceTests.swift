import Foundation
import Testing

@testable import WSLoad

/// The skew gate's statistics against values worked out by hand from the definitions (or, for the 24/3 cases,
/// by a separate enumeration in Python of all C(26, 2) = 325 outcomes, not by this code).
@Suite struct SignificanceTests {
    private func near(_ a: Double?, _ b: Double, _ tolerance: Double = 1e-9) -> Bool {
        guard let a else { return false }
        return abs(a - b) <= tolerance
    }

    // MARK: Fairness

    @Test func jainIsOneWhenEvenAndOneOverKOnOnePod() throws {
        let even = try #require(SkewSignificance.evaluate(unit: "connection", counts: [10, 10, 10], weights: [1, 1, 1], maxSkewPercent: nil))
        #expect(near(even.jainIndex, 1))
        #expect(near(even.maxOverMean, 1) && near(even.minOverMean, 1) && near(even.coefficientOfVariation, 0))
        let one = try #require(SkewSignificance.evaluate(unit: "connection", counts: [30, 0, 0], weights: [1, 1, 1], maxSkewPercent: nil))
        #expect(near(one.jainIndex, 1.0 / 3))
        #expect(near(one.maxOverMean, 3) && near(one.minOverMean, 0))
    }

    @Test func fairnessOfTwentyTenZero() throws {
        // mean 10: max/mean 2, min/mean 0; ratios (2, 1, 0): σ = √(2/3); Jain = 30² / (3·500) = 0.6.
        let s = try #require(SkewSignificance.evaluate(unit: "connection", counts: [20, 10, 0], weights: [1, 1, 1], maxSkewPercent: nil))
        #expect(near(s.maxOverMean, 2) && near(s.minOverMean, 0))
        #expect(near(s.coefficientOfVariation, (2.0 / 3).squareRoot()))
        #expect(near(s.jainIndex, 0.6))
    }

    @Test func jainIsWeightedByTheExpectedShares() throws {
        // 30/10 against weights 3:1 is exactly as expected: xᵢ = countᵢ / shareᵢ = 40, 40.
        let s = try #require(SkewSignificance.evaluate(unit: "connection", counts: [30, 10], weights: [3, 1], maxSkewPercent: nil))
        #expect(near(s.jainIndex, 1) && near(s.maxOverMean, 1) && near(s.minOverMean, 1))
        // 20/20 against 3:1: x = 20/0.75, 20/0.25 = 26.67, 80 → (106.67)² / (2·(711.1 + 6400)) = 0.8.
        let t = try #require(SkewSignificance.evaluate(unit: "connection", counts: [20, 20], weights: [3, 1], maxSkewPercent: nil))
        #expect(near(t.jainIndex, 0.8))
        #expect(near(t.maxOverMean, 2) && near(t.minOverMean, 20.0 / 30))
    }

    // MARK: Exact multinomial, N = 3 over 3 pods (27 equally likely placements)

    @Test func threeUnitsOverThreePodsByHand() throws {
        // Outcomes: (1,1,1)×6 placements, (2,1,0)-type 6 outcomes × 3 placements, (3,0,0)-type 3 outcomes × 1.
        // Max deviation: 0 % w.p. 6/27, 100 % w.p. 18/27, 200 % w.p. 3/27.
        let s = try #require(SkewSignificance.evaluate(unit: "connection", counts: [2, 1, 0], weights: [1, 1, 1], maxSkewPercent: 50))
        #expect(s.method == "exact" && s.samples == nil)
        #expect(near(s.pValue, 21.0 / 27))  // outcomes no more likely than 3/27: 3·1/27 + 6·3/27
        #expect(s.observedMaxDeviationPercent == 100)
        #expect(s.randomMaxDeviationMedianPercent == 100)  // CDF 6/27 at 0, 24/27 at 100
        #expect(s.randomMaxDeviationP95Percent == 200)  // 24/27 = 0.889 < 0.95
        #expect(near(s.falseFailProbability, 21.0 / 27))  // any deviation above 50 %: all but (1,1,1)
        #expect(s.tooSmallForGate)
        let corner = try #require(SkewSignificance.evaluate(unit: "connection", counts: [3, 0, 0], weights: [1, 1, 1], maxSkewPercent: 100))
        #expect(near(corner.pValue, 3.0 / 27))
        #expect(near(corner.falseFailProbability, 3.0 / 27))  // only the 200 % outcomes exceed 100 %
        let even = try #require(SkewSignificance.evaluate(unit: "connection", counts: [1, 1, 1], weights: [1, 1, 1], maxSkewPercent: nil))
        #expect(near(even.pValue, 1))
        #expect(even.falseFailProbability == nil && !even.tooSmallForGate)
    }

    // MARK: The issue's case: 24 connections, 3 pods, max_skew 50 %

    @Test func twentyFourOverThreeAtFiftyPercent() throws {
        // A pod fails when |c − 8| > 4, i.e. c ≤ 3 or c ≥ 13; P(any pod) = 0.119705851 (enumeration of the 325 outcomes).
        let s = try #require(SkewSignificance.evaluate(unit: "connection", counts: [12, 8, 4], weights: [1, 1, 1], maxSkewPercent: 50))
        #expect(near(s.falseFailProbability, 0.11970585120892392, 1e-9))
        #expect(s.falseFailMethod == "exact")
        #expect(s.tooSmallForGate)
        #expect(near(s.pValue, 0.14814247798694574, 1e-9))  // exact multinomial test of (12, 8, 4)
        #expect(s.randomMaxDeviationMedianPercent == 37.5)  // 3 of 8
        #expect(s.randomMaxDeviationP95Percent == 62.5)  // 5 of 8
        #expect(s.observedMaxDeviationPercent == 50)
        let warning = try #require(s.warning)
        #expect(warning.contains("12.0%") && warning.contains("wsload plan --pods 3 --max-skew 50 --false-fail 0.05"))
    }

    // MARK: The exact pass probability (convolution) by hand

    @Test func passProbabilityTwoPodsByHand() {
        // n = 10, 2 pods, 20 %: passes when c ∈ {4, 5, 6}: (210 + 252 + 210) / 1024.
        let m = Multinomial(pods: 2)
        #expect(near(1 - m.passProbability(units: 10, maxSkewPercent: 20), 352.0 / 1024, 1e-12))
        // n = 4, weights 3:1, 50 %: pod 0 passes 2…4, pod 1 only 1, so only (3, 1): 4·(3/4)³·(1/4) = 108/256.
        let w = Multinomial(weights: [3, 1])
        #expect(near(w.passProbability(units: 4, maxSkewPercent: 50), 108.0 / 256, 1e-12))
        #expect(w.passingCounts(pod: 0, units: 4, maxSkewPercent: 50) == 2...4)
        #expect(w.passingCounts(pod: 1, units: 4, maxSkewPercent: 50) == 1...1)
        // A huge max_skew passes everything (and must not overflow).
        #expect(Multinomial(pods: 3).passingCounts(pod: 0, units: 24, maxSkewPercent: 1e300) == 0...24)
        #expect(Multinomial(pods: 3).passProbability(units: 24, maxSkewPercent: 1e300) == 1)
        // The gate's own boundary: exactly 50 % passes (12 of 24 against 8).
        #expect(Multinomial(pods: 3).passingCounts(pod: 0, units: 24, maxSkewPercent: 50) == 4...12)
    }

    @Test func passProbabilityMatchesEnumeration() {
        // Two independent routes to the same number: sum over enumerated outcomes vs the Poisson convolution.
        let m = Multinomial(weights: [2, 1, 1, 1])
        for n in [1, 7, 20, 33] {
            var pass = 0.0
            m.enumerate(units: n) { c, logP in
                if (0..<4).allSatisfy({ m.deviationPercent(pod: $0, count: c[$0], of: n) <= 30 }) { pass += exp(logP) }
            }
            #expect(abs(pass - m.passProbability(units: n, maxSkewPercent: 30)) < 1e-10, "n = \(n)")
        }
    }

    // MARK: Monte Carlo beyond the exact limit

    @Test func binomialSamplerHasTheRightMoments() {
        var rng = SeededRandom(seed: 1)
        let draws = (0..<20_000).map { _ in Double(rng.binomial(1_000, 0.3)) }
        let mean = draws.reduce(0, +) / Double(draws.count)
        let variance = draws.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(draws.count - 1)
        #expect(abs(mean - 300) < 0.5)  // SE of the mean √210/√20000 ≈ 0.10
        #expect(abs(variance - 210) < 10)  // n·p·(1−p) = 210, SE ≈ 2.1
    }

    @Test func monteCarloIsSeededAndAgreesWithTheExactFalseFail() throws {
        // 7 pods, 700 units: C(706, 6) outcomes ≫ the exact limit.
        let counts = [110, 100, 100, 100, 100, 100, 90]
        let a = try #require(
            SkewSignificance.evaluate(unit: "connection", counts: counts, weights: Array(repeating: 1, count: 7), maxSkewPercent: 20))
        let b = try #require(
            SkewSignificance.evaluate(unit: "connection", counts: counts, weights: Array(repeating: 1, count: 7), maxSkewPercent: 20))
        #expect(a == b)
        #expect(a.method == "monte-carlo" && a.samples == SkewSignificance.monteCarloSamples && a.seed == SkewSignificance.monteCarloSeed)
        #expect(a.falseFailMethod == "exact")
        // Bonferroni/normal sanity bound: each pod binomial(700, 1/7), σ = √(700·(1/7)·(6/7)) = 9.26; 20 % = 20 units = 2.16σ;
        // P(one pod outside) ≈ 0.031 (with continuity 20.5/9.26 = 2.21σ → 0.027), and the union over 7 is below 7× that.
        let ff = try #require(a.falseFailProbability)
        #expect(ff > 0.10 && ff < 0.22)
        // The Monte Carlo deviations estimate the same probability: the fraction of samples above 20 %.
        var rng = SeededRandom(seed: 99)
        let m = Multinomial(pods: 7)
        var above = 0
        for _ in 0..<4_000 {
            let c = m.sample(units: 700, &rng)
            if (0..<7).contains(where: { m.deviationPercent(pod: $0, count: c[$0], of: 700) > 20 }) { above += 1 }
        }
        let estimate = Double(above) / 4_000
        #expect(abs(estimate - ff) < 4 * (ff * (1 - ff) / 4_000).squareRoot())
        // 110 vs 100: a spread well inside random placement.
        #expect(a.pValue > 0.5)
    }

    @Test func costAtOneHundredThousandConnectionsOverSevenPods() throws {
        let counts = [14_400, 14_300, 14_250, 14_280, 14_290, 14_240, 14_240]
        let start = Date()
        let s = try #require(SkewSignificance.evaluate(unit: "connection", counts: counts, weights: Array(repeating: 1, count: 7), maxSkewPercent: 5))
        let seconds = Date().timeIntervalSince(start)
        print("significance at 100 000 connections / 7 pods: \(seconds) s (\(s.method), false-fail \(s.falseFailMethod ?? "-"))")
        #expect(s.method == "monte-carlo")
        #expect(seconds < 10)
        // 5 % of 14 285.7 = 714 units = 6.0σ (σ = 111.6): a healthy balancer essentially never fails.
        #expect(try #require(s.falseFailProbability) < 1e-6)
    }

    // MARK: Placement unit

    @Test func pinnedClientsAreTheUnits() throws {
        // 6 clients × 4 connections, each client on one pod: 3 clients on ws-0, 2 on ws-1, 1 on ws-2.
        var byClient: [String: [String: Int]] = [:]
        for (i, pod) in ["ws-0", "ws-0", "ws-0", "ws-1", "ws-1", "ws-2"].enumerated() { byClient["client-\(i)"] = [pod: 4] }
        let pinning = ClientPlacement.group(podCountsByClient: byClient)
        let stats = DistributionStatistics(counts: ["ws-0": 12, "ws-1": 8, "ws-2": 4])
        let s = try #require(SkewSignificance.evaluate(statistics: stats, weights: nil, placements: pinning, maxSkewPercent: 50))
        #expect(s.unit == "client" && s.units == 6 && s.connections == 24)
        #expect(s.warning?.contains("--connections-per-client 4") == true)
        #expect(s.unitsPerPod == [.init(pod: "ws-0", count: 3), .init(pod: "ws-1", count: 2), .init(pod: "ws-2", count: 1)])
        // 6 clients over 3 pods, e = 2: pass only when every pod has 1…3 clients: (2,2,2) 90 placements and the
        // 6 permutations of (3,2,1) with 60 each → (90 + 360) / 729; false-fail = 279/729.
        #expect(near(s.falseFailProbability, 279.0 / 729, 1e-12))
        // Fairness stays on the connections: 12/8/4 against 8 each.
        #expect(near(s.maxOverMean, 1.5) && near(s.minOverMean, 0.5))
        // One unpinned client makes the connections the units again.
        byClient["client-5"] = ["ws-2": 2, "ws-0": 2]
        let mixed = try #require(
            SkewSignificance.evaluate(
                statistics: stats, weights: nil, placements: ClientPlacement.group(podCountsByClient: byClient),
                maxSkewPercent: 50))
        #expect(mixed.unit == "connection" && mixed.units == 24 && mixed.unitsPerPod == nil)
    }

    @Test func fewerThanTwoExpectedPodsHasNoSection() {
        #expect(
            SkewSignificance.evaluate(statistics: DistributionStatistics(counts: ["a": 5]), weights: nil, placements: [], maxSkewPercent: 10) == nil)
        #expect(
            SkewSignificance.evaluate(statistics: DistributionStatistics(counts: ["a": 0, "b": 0]), weights: nil, placements: [], maxSkewPercent: 10)
                == nil)
        // A pod with weight 0 is left out; connections on it are impossible under the expected shares: p = 0.
        let s = SkewSignificance.evaluate(
            statistics: DistributionStatistics(counts: ["a": 5, "b": 5, "c": 1], weights: ["a": 1, "b": 1]),
            weights: ["a": 1, "b": 1], placements: [], maxSkewPercent: nil)
        #expect(s?.pods == 2 && s?.units == 10 && s?.pValue == 0)
    }

    // MARK: Through the analysis and every renderer

    /// A live-run report of `pods[i]` connections on ws-i, `perClient` connections per client (each client on one pod).
    static func report(_ pods: [Int], perClient: Int = 1, maxSkew: Double = 50) -> Report {
        let start = Date(timeIntervalSince1970: 1_795_608_000)
        var records: [ConnectionRecord] = []
        var client = 0
        for (p, count) in pods.enumerated() {
            for j in 0..<count {
                var r = ConnectionRecord(index: records.count, client: client, conn: j % perClient)
                r.status = .held
                r.local = "127.0.0.\(2 + records.count % 200):\(40_000 + records.count)"
                r.pod = "ws-\(p)"; r.podSource = .header
                records.append(r)
                if j % perClient == perClient - 1 { client += 1 }
            }
        }
        var held: [String: Int] = [:]
        for r in records { held[r.pod!, default: 0] += 1 }
        let result = EngineResult(
            records: records, startedAt: start, holdStartedAt: start.addingTimeInterval(1),
            holdEndedAt: start.addingTimeInterval(5), endedAt: start.addingTimeInterval(6), histograms: [:],
            heldPerPod: held, warnings: [], interrupted: false, distinctCookieValues: 0)
        return ReportBuilder.build(
            result: result,
            context: ReportContext(
                target: "ws://127.0.0.1:9/ws",
                knownPods: ["ws-0": 1, "ws-1": 1, "ws-2": 1],
                thresholds: GateThresholds(maxSkewPercent: maxSkew)))
    }

    @Test func theIssuesCaseInTheReportAndEveryFormat() throws {
        let r = Self.report([12, 8, 4])
        let s = try #require(r.significance)
        #expect(s.unit == "connection" && s.units == 24)
        #expect(near(s.falseFailProbability, 0.11970585120892392, 1e-9))
        #expect(r.gate.passed)  // 4 of 8 is exactly 50 %: the gate passes, and says what that is worth
        #expect(r.warnings.contains { $0.contains("too small for its gate") && $0.contains("12.0%") })
        let line = "max_skew 50%: a healthy random balancer fails it with probability 12.0% at this size (exact) — too small for the gate"
        #expect(TableRenderer.render(r).contains(line))
        #expect(MarkdownRenderer.render(r).contains("- " + line))
        #expect(HTMLRenderer.render(r).contains("<li>" + line + "</li>"))
        #expect(HTMLRenderer.render(r).contains("<tr><th>Jain fairness index</th><td>0.857</td></tr>"))  // 24² / (3·(144 + 64 + 16)) = 576/672
        let junit = JUnitRenderer.render(r)
        #expect(junit.contains("<property name=\"significance.falseFailProbability\" value=\"0.1197\"/>"))
        #expect(junit.contains("<property name=\"significance.pValue\" value=\"0.1481\"/>"))
        let decoded = try Report.decode(json: Data(JSONRenderer.render(r).utf8))
        #expect(decoded.significance == s)
    }

    @Test func pinnedClientsInTheReportAndOlderReportsStillDecode() throws {
        // 12 clients × 2 connections: 6 clients on ws-0, 4 on ws-1, 2 on ws-2 → the units are the 12 clients.
        let r = Self.report([12, 8, 4], perClient: 2)
        let s = try #require(r.significance)
        #expect(s.unit == "client" && s.units == 12 && s.connections == 24)
        #expect(TableRenderer.render(r).contains("placement unit: client"))
        // 12 clients, e = 4, pass 2…6 each: 1 − Σ 12!/(a!b!c!)/3¹² over a, b, c ∈ 2…6 = 0.267151 (Python), against
        // 0.1197 for 24 independent connections.
        #expect(near(s.falseFailProbability, 0.2671510101779878, 1e-9))
        // A report written before the section existed decodes with it absent.
        var object = try #require(try JSONSerialization.jsonObject(with: Data(JSONRenderer.render(r).utf8)) as? [String: Any])
        object.removeValue(forKey: "significance")
        let old = try Report.decode(json: JSONSerialization.data(withJSONObject: object))
        #expect(old.significance == nil)
        #expect(!TableRenderer.render(old).contains("fairness:"))
        // Re-analysing it (match-logs) computes the section again.
        #expect(Analyzer.analyse(AnalysisInput(report: old)).significance == s)
    }

    @Test func aLargeEvenRunHasNoWarning() throws {
        let r = Self.report([200, 200, 200])
        let s = try #require(r.significance)
        #expect(try #require(s.falseFailProbability) < 1e-12 && !s.tooSmallForGate)  // 50 % = 100 connections ≈ 8.7σ (σ = 11.5)
        #expect(!r.warnings.contains { $0.contains("too small") })
    }

    // MARK: plan

    @Test func planForThreePodsFiftyPercentFivePercent() throws {
        // False-fail by size (exact enumeration in Python): 40 → 4.61 %, 41 → 5.25 %, 42 → 3.53 %, 43 → 5.76 %, then
        // 44…49 → 4.09, 4.43, 3.06, 3.50, 2.35, 3.81 %: from 44 on within 5 %; 40 is the smallest size within it.
        let plan = try SkewPlan.compute(pods: 3, maxSkewPercent: 50, falseFail: 0.05)
        #expect(plan.units == 44)
        #expect(plan.smallestUnits == 40)
        let at = Dictionary(uniqueKeysWithValues: plan.curve.map { ($0.units, $0.falseFail) })
        #expect(near(at[43], 0.0576, 5e-5) && near(at[44], 0.0409, 5e-5) && near(at[40], 0.0461, 5e-5))
        #expect(plan.text.contains("needs 44 connections"))
        let clients = try SkewPlan.compute(pods: 3, maxSkewPercent: 50, falseFail: 0.05, connectionsPerClient: 4)
        #expect(clients.units == 44 && clients.connections == 176)
        #expect(clients.text.contains("needs 44 clients (176 connections)"))
    }

    @Test func exactFalseFailAtSevenPodsAgreesWithAnIndependentSimulation() {
        // numpy: 400 000 multinomial(4334, 1/7 × 7) draws, fraction with a max deviation above 10 %: 0.0478 (SE 0.00034).
        let ff = 1 - Multinomial(pods: 7).passProbability(units: 4_334, maxSkewPercent: 10)
        #expect(abs(ff - 0.0478) < 0.0015)
    }

    @Test func planTwoPodsByHand() throws {
        // 2 pods, 100 % skew: only 0/n or n/0 fails (dev 100 % is allowed), and neither exceeds 100 % → 0 from n = 1.
        // 2 pods, 50 %, 10 %: n = 2 fails with (2,0),(0,2) = 1/2; n = 4 passes 1…3: fails 2/16 = 12.5 %; n = 6 passes 2…4 (|c−3| ≤ 1.5)
        // fails 2·(1 + 6)/64 = 21.9 %; so sizes are jagged — the answer must have every next 2k = 4 sizes ≤ 10 %.
        let loose = try SkewPlan.compute(pods: 2, maxSkewPercent: 100, falseFail: 0.01)
        #expect(loose.units == 1)
        let plan = try SkewPlan.compute(pods: 2, maxSkewPercent: 50, falseFail: 0.10)
        let at = Dictionary(uniqueKeysWithValues: plan.curve.map { ($0.units, $0.falseFail) })
        for n in plan.units..<plan.units + 4 {
            let m = Multinomial(pods: 2)
            #expect(1 - m.passProbability(units: n, maxSkewPercent: 50) <= 0.10)
        }
        if let v = at[4] { #expect(near(v, 2.0 / 16, 1e-12)) }
        if let v = at[6] { #expect(near(v, 14.0 / 64, 1e-12)) }
    }

    @Test func planRejectsNonsense() {
        #expect(throws: SkewPlan.PlanError.self) { try SkewPlan.compute(pods: 1, maxSkewPercent: 50, falseFail: 0.05) }
        #expect(throws: SkewPlan.PlanError.self) { try SkewPlan.compute(pods: 3, maxSkewPercent: 50, falseFail: 1.5) }
        #expect(throws: SkewPlan.PlanError.self) { try SkewPlan.compute(pods: 3, maxSkewPercent: 50, falseFail: 0.05, weights: [1, 2]) }
    }
}
