import Foundation
import Testing

@testable import WSLoad

private let t0 = Date(timeIntervalSince1970: 1_795_608_000)
private let window = RunWindow(
    runStart: t0.addingTimeInterval(10), holdStart: t0.addingTimeInterval(20),
    holdEnd: t0.addingTimeInterval(40), closeEnd: t0.addingTimeInterval(50))

/// A timestamped series from (seconds after t0, count) pairs.
private func series(_ pod: String, _ points: [(Double, Int)]) -> LogSampleSeries {
    LogSampleSeries(
        pod: pod,
        samples: points.enumerated().map { i, p in
            LogSample(pod: pod, timestamp: t0.addingTimeInterval(p.0), activeConnections: p.1, line: i + 1)
        })
}

/// An untimestamped series.
private func ordered(_ pod: String, _ counts: [Int]) -> LogSampleSeries {
    LogSampleSeries(
        pod: pod,
        samples: counts.enumerated().map {
            LogSample(pod: pod, timestamp: nil, activeConnections: $1, line: $0 + 1)
        })
}

@Suite struct AnalysisMatcherTests {
    let matcher = LogMatcher()

    @Test func matchedWithReturnToBaseline() throws {
        let rows = matcher.match(
            series: [series("ws-0", [(0, 2), (15, 7), (30, 12), (45, 5), (55, 2)])],
            window: window, clientCounts: ["ws-0": 10])
        let m = try #require(rows.first)
        #expect(m.baseline == 2)
        #expect(!m.baselineAssumed)
        #expect(m.hold == 12)
        #expect(m.peak == 12)
        #expect(m.afterClose == 2)
        #expect(m.delta == 10)
        #expect(m.returnedToBaseline == true)
        #expect(m.classification == .matched)
    }

    @Test(arguments: [
        (13, MatchClassification.serverHasMore),
        (9, MatchClassification.serverHasFewer),
        (10, MatchClassification.matched),
    ])
    func countComparison(hold: Int, expected: MatchClassification) {
        let rows = matcher.match(
            series: [series("ws-0", [(5, 0), (30, hold)])], window: window,
            clientCounts: ["ws-0": 10])
        #expect(rows[0].classification == expected)
    }

    @Test func toleranceAllowsSmallDifferences() {
        let rows = LogMatcher(tolerance: 1).match(
            series: [series("ws-0", [(5, 0), (30, 11)])], window: window,
            clientCounts: ["ws-0": 10])
        #expect(rows[0].classification == .matched)
    }

    @Test func notReturnedToBaseline() {
        let rows = matcher.match(
            series: [series("ws-0", [(5, 0), (30, 10), (60, 3)])], window: window,
            clientCounts: ["ws-0": 10])
        #expect(rows[0].classification == .notReturnedToBaseline)
        #expect(rows[0].afterClose == 3)
    }

    @Test func baselineAssumedZeroWhenFirstSampleIsLate() {
        let rows = matcher.match(series: [series("ws-0", [(25, 10)])], window: window, clientCounts: ["ws-0": 10])
        #expect(rows[0].baseline == 0)
        #expect(rows[0].baselineAssumed)
        #expect(rows[0].classification == .matched)
    }

    @Test func holdCarriedForwardForChangeOnlyLogs() {
        let rows = matcher.match(
            series: [series("ws-0", [(5, 1), (15, 11)])], window: window,
            clientCounts: ["ws-0": 10])
        #expect(rows[0].hold == 11)
        #expect(rows[0].holdCarriedForward)
        #expect(rows[0].classification == .matched)
    }

    @Test func noServerDataAndUndiscoveredPods() {
        let rows = matcher.match(
            series: [series("ws-0", [(5, 0), (30, 5)]), series("ws-late", [(45, 3)])],
            window: window,
            clientCounts: ["ws-0": 5, "ws-1": 5, "ghost": 3, "ws-late": 0],
            knownPods: ["ws-0", "ws-1"])
        let byPod = Dictionary(uniqueKeysWithValues: rows.map { ($0.pod, $0) })
        #expect(rows.map(\.pod) == ["ghost", "ws-0", "ws-1", "ws-late"])
        #expect(byPod["ws-0"]?.classification == .matched)
        #expect(byPod["ws-1"]?.classification == .noServerData)
        #expect(byPod["ghost"]?.classification == .podNotDiscovered)
        #expect(byPod["ws-late"]?.classification == .noServerData)  // only a reading after hold
    }

    @Test func withoutAnyServerKnowledgeEveryPodIsNoServerData() {
        let rows = matcher.match(series: [], window: window, clientCounts: ["ws-0": 5])
        #expect(rows.map(\.classification) == [.noServerData])
    }

    @Test func aDecrementLoggedAtTheHoldEndIsNotTheHoldReading() throws {
        // Closing starts at holdEnd; a pod that logs its first decrement in that same millisecond still held 10.
        let m = try #require(
            matcher.match(
                series: [series("ws-0", [(0, 0), (25, 10), (40, 9), (41, 0)])],
                window: window, clientCounts: ["ws-0": 10]
            ).first)
        #expect(m.hold == 10)
        #expect(m.afterClose == 0)
        #expect(m.classification == .matched)
    }

    @Test func noLineAfterTheHoldLeavesTheReturnUnknown() throws {
        let m = try #require(
            matcher.match(
                series: [series("ws-0", [(0, 0), (25, 10)])], window: window,
                clientCounts: ["ws-0": 10]
            ).first)
        #expect(m.delta == 10)
        #expect(m.afterClose == nil)
        #expect(m.returnedToBaseline == nil)
    }

    @Test func orderFallbackWithoutTimestamps() {
        let rows = matcher.match(
            series: [ordered("ws-0", [1, 4, 8, 11, 11, 6, 1])], window: window,
            clientCounts: ["ws-0": 10])
        let m = rows[0]
        #expect(m.usedSampleOrder)
        #expect(m.baseline == 1)
        #expect(m.hold == 11)
        #expect(m.peak == 11)
        #expect(m.afterClose == 1)
        #expect(m.classification == .matched)
    }

    @Test func orderFallbackStillHolding() {
        let m = matcher.match(series: [ordered("ws-0", [0, 5, 10])], window: window, clientCounts: ["ws-0": 10])[0]
        #expect(m.afterClose == nil)
        #expect(m.classification == .matched)
        let single = matcher.match(series: [ordered("ws-0", [7])], window: window, clientCounts: ["ws-0": 10])[0]
        #expect(single.baselineAssumed)
        #expect(single.classification == .serverHasFewer)
    }
}
