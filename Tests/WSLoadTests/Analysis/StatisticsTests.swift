import Foundation
import Testing

@testable import WSLoad

@Suite struct StatisticsTests {
    private func close(_ a: Double?, _ b: Double, _ tolerance: Double = 1e-4) -> Bool {
        guard let a else { return false }
        return abs(a - b) <= tolerance * max(1, abs(b))
    }

    @Test func evenSplit() {
        let s = DistributionStatistics(counts: ["ws-0": 10, "ws-1": 10])
        #expect(s.chiSquare == 0)
        #expect(s.pValue == 1)
        #expect(s.maxDeviationPercent == 0)
        #expect(s.maxMinRatio == 1)
        #expect(s.coefficientOfVariation == 0)
        #expect(s.podsHit == 2)
        #expect(s.mean == 10)
        #expect(s.pods.map(\.share) == [0.5, 0.5])
    }

    @Test func allOnOnePod() {
        let s = DistributionStatistics(counts: ["ws-0": 20, "ws-1": 0])
        #expect(s.chiSquare == 20)
        #expect(s.degreesOfFreedom == 1)
        #expect(abs(s.pValue! - 7.744216e-6) < 1e-10)
        #expect(s.maxMinRatio == nil)
        #expect(s.minIsZero)
        #expect(s.podsNotHit == ["ws-1"])
        #expect(s.maxDeviationPercent == 100)
        #expect(s.coefficientOfVariation == 1)
    }

    @Test func twelveEight() {
        let s = DistributionStatistics(counts: ["a": 12, "b": 8])
        #expect(close(s.chiSquare, 0.8, 1e-12))
        #expect(close(s.pValue, 0.371093, 1e-5))
        #expect(close(s.maxDeviationPercent, 20, 1e-12))
        #expect(close(s.maxMinRatio, 1.5, 1e-12))
        #expect(close(s.coefficientOfVariation, 0.2, 1e-12))
    }

    @Test func threePods() {
        let s = DistributionStatistics(counts: ["ws-0": 5, "ws-1": 5, "ws-2": 10])
        #expect(close(s.chiSquare, 2.5, 1e-12))
        #expect(s.degreesOfFreedom == 2)
        #expect(close(s.pValue, 0.286505, 1e-5))
        #expect(close(s.maxDeviationPercent, 50, 1e-9))
        #expect(close(s.maxMinRatio, 2, 1e-12))
        #expect(close(s.mean, 20.0 / 3, 1e-12))
    }

    @Test func weightsChangeExpectation() {
        let s = DistributionStatistics(counts: ["a": 30, "b": 10], weights: ["a": 3, "b": 1])
        #expect(s.chiSquare == 0)
        #expect(s.pods.map(\.expectedShare) == [0.75, 0.25])
        #expect(s.pods.map(\.expectedCount) == [30, 10])
        #expect(s.maxDeviationPercent == 0)
    }

    @Test func weightedPodWithoutConnectionsIsNotHit() {
        let s = DistributionStatistics(counts: ["a": 10], weights: ["a": 1, "b": 1])
        #expect(s.podCount == 2)
        #expect(s.podsNotHit == ["b"])
        #expect(s.chiSquare == 10)
    }

    @Test func unexpectedPodDisablesChiSquare() {
        let s = DistributionStatistics(counts: ["a": 10, "b": 2], weights: ["a": 1])
        #expect(s.unexpectedPods == ["b"])
        #expect(s.chiSquare == nil)
        #expect(s.pValue == nil)
    }

    @Test func emptyAndSinglePod() {
        let empty = DistributionStatistics(counts: [:])
        #expect(empty.podCount == 0 && empty.mean == 0 && empty.chiSquare == nil && empty.maxMinRatio == nil)
        #expect(!empty.minIsZero)
        let zero = DistributionStatistics(counts: ["a": 0, "b": 0])
        #expect(zero.coefficientOfVariation == nil && zero.pValue == nil)
        let one = DistributionStatistics(counts: ["a": 5])
        #expect(one.chiSquare == nil && one.degreesOfFreedom == 0 && one.maxMinRatio == 1)
    }

    @Test func naturalPodOrder() {
        let s = DistributionStatistics(counts: ["ws-10": 1, "ws-2": 1, "ws-1": 1])
        #expect(s.pods.map(\.pod) == ["ws-1", "ws-2", "ws-10"])
    }

    @Test(arguments: [
        // (a, x, Q(a, x)) from closed forms: Q(1, x) = e^-x, Q(0.5, x) = erfc(√x), Q(2, x) = (1 + x)e^-x.
        (1.0, 0.5, exp(-0.5)), (1.0, 30.0, exp(-30.0)), (0.5, 0.4, erfc(0.4.squareRoot())),
        (0.5, 10.0, erfc(10.0.squareRoot())), (2.0, 1.5, 2.5 * exp(-1.5)), (2.0, 8.0, 9 * exp(-8.0)),
        (5.0, 0.0, 1.0),
    ])
    func incompleteGammaAgainstClosedForms(a: Double, x: Double, q: Double) {
        let value = ChiSquare.regularizedUpperGamma(a, x)
        #expect(abs(value - q) <= 1e-12 + 1e-9 * q)
        #expect(abs(ChiSquare.regularizedLowerGamma(a, x) + value - 1) < 1e-12)
    }

    @Test func chiSquareTableValues() {
        // Critical values at p = 0.05 for df 1, 5 and 10.
        #expect(abs(ChiSquare.pValue(statistic: 3.841459, degreesOfFreedom: 1) - 0.05) < 1e-6)
        #expect(abs(ChiSquare.pValue(statistic: 11.070498, degreesOfFreedom: 5) - 0.05) < 1e-6)
        #expect(abs(ChiSquare.pValue(statistic: 18.307038, degreesOfFreedom: 10) - 0.05) < 1e-6)
    }

    @Test func statisticsEncodeWithoutInfinity() throws {
        let s = DistributionStatistics(counts: ["a": 3, "b": 0])
        let json = String(decoding: try JSONEncoder().encode(s), as: UTF8.self)
        #expect(!json.contains("maxMinRatio"))
        #expect(json.contains("\"minIsZero\":true"))
        #expect(try JSONDecoder().decode(DistributionStatistics.self, from: Data(json.utf8)) == s)
    }
}
