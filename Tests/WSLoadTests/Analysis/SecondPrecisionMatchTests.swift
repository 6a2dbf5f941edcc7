import Foundation
import Testing

@testable import WSLoad

/// 2026-12-02T04:25:10Z.
private let t0 = Date(timeIntervalSince1970: 1_796_185_510)

/// A window whose phases begin inside the same seconds as the lines they produce: ramp 04:25:11.300–.700,
/// hold until 04:25:13.600, close done 04:25:13.900.
private let window = RunWindow(
    runStart: t0.addingTimeInterval(1.3), holdStart: t0.addingTimeInterval(1.7),
    holdEnd: t0.addingTimeInterval(3.6), closeEnd: t0.addingTimeInterval(3.9))

/// One pod's log of a 10-connection ramp, hold and close, stamped to the second as env_logger / Go / epoch do.
private func podLog(_ stampOf: (Int) -> String, _ line: (String, Int) -> String) -> String {
    var lines = [line(stampOf(0), 0)]  // pod start, 04:25:10
    for n in 1...10 { lines.append(line(stampOf(1), n)) }  // the ramp, all in 04:25:11
    for n in stride(from: 9, through: 0, by: -1) { lines.append(line(stampOf(3), n)) }  // the close, 04:25:13
    return lines.joined(separator: "\n")
}

private func rfc3339(_ s: Int) -> String { "2026-12-02T04:25:1\(s)Z" }

/// Issue 13, case 1: one-second stamps must not turn the ramp into the baseline and the close into the hold.
@Suite struct SecondPrecisionMatchTests {
    @Test(arguments: ["rfc3339-seconds", "env_logger", "go", "json-epoch"])
    func savedSecondPrecisionLogsMatch(style: String) throws {
        let text: String
        switch style {
        case "rfc3339-seconds": text = podLog(rfc3339) { "\($0) INFO Active connections: \($1)" }
        case "env_logger": text = podLog(rfc3339) { "[\($0) INFO app] Active connections: \($1)" }
        case "go": text = podLog({ "2026/12/02 04:25:1\($0)" }, { "\($0) Active connections: \($1)" })
        default: text = podLog({ String(1_796_185_510 + $0) }, { #"{"ts": \#($0), "active_connections": \#($1)}"# })
        }
        let parsed = try ActiveConnectionsParser(referenceDate: t0).parse(text, pod: "ws-0")
        let rows = LogMatcher().match(series: parsed.series(), window: window, clientCounts: ["ws-0": 10])
        let m = try #require(rows.first)
        #expect(m.baseline == 0, "\(style)")
        #expect(m.hold == 10, "\(style)")
        #expect(m.delta == 10, "\(style)")
        #expect(m.afterClose == 0, "\(style)")
        #expect(m.classification == .matched, "\(style): \(m)")
    }

    @Test func aPodStartedInTheRunsFirstSecondTakesTheLowestReadingAsBaseline() throws {
        // No line before 04:25:11: the start line shares the ramp's second.
        let text =
            (0...4).map { "2026-12-02T04:25:11Z Active connections: \($0)" }.joined(separator: "\n")
            + "\n2026-12-02T04:25:13Z Active connections: 0"
        let parsed = try ActiveConnectionsParser(referenceDate: t0).parse(text, pod: "ws-0")
        let m = try #require(LogMatcher().match(series: parsed.series(), window: window, clientCounts: ["ws-0": 4]).first)
        #expect(m.baseline == 0)
        #expect(m.baselineSource == .sameSecond)
        #expect(m.delta == 4)
        #expect(m.classification == .matched)
    }

    @Test func periodicLinesAsWellAsOnChangeLines() throws {
        // A pod that also logs its count twice a second: periodic 0s before the run, the ramp, periodic 10s
        // through the hold (some in the hold end's second), then the close in that same second.
        var lines = ["2026-12-02T04:25:10Z Active connections: 0", "2026-12-02T04:25:10Z Active connections: 0"]
        lines += (1...10).map { "2026-12-02T04:25:11Z Active connections: \($0)" }
        lines += [
            "2026-12-02T04:25:12Z Active connections: 10", "2026-12-02T04:25:12Z Active connections: 10",
            "2026-12-02T04:25:13Z Active connections: 10",
        ]
        lines += stride(from: 9, through: 0, by: -1).map { "2026-12-02T04:25:13Z Active connections: \($0)" }
        lines.append("2026-12-02T04:25:14Z Active connections: 0")
        let parsed = try ActiveConnectionsParser(referenceDate: t0).parse(lines.joined(separator: "\n"), pod: "ws-0")
        let m = try #require(LogMatcher().match(series: parsed.series(), window: window, clientCounts: ["ws-0": 10]).first)
        #expect(m.baseline == 0 && m.hold == 10 && m.afterClose == 0 && m.peak == 10)
        #expect(m.timestampPrecision == .seconds && m.basis == .timestamps)
        #expect(m.classification == .matched)
    }

    @Test func aDropDuringTheHoldStillShows() throws {
        // 10 up, one lost at 04:25:12 (during the hold), closing the other 9 in 04:25:13.
        var lines = ["2026-12-02T04:25:10Z Active connections: 0"]
        lines += (1...10).map { "2026-12-02T04:25:11Z Active connections: \($0)" }
        lines.append("2026-12-02T04:25:12Z Active connections: 9")
        lines += stride(from: 8, through: 0, by: -1).map { "2026-12-02T04:25:13Z Active connections: \($0)" }
        let parsed = try ActiveConnectionsParser(referenceDate: t0).parse(lines.joined(separator: "\n"), pod: "ws-0")
        let m = try #require(LogMatcher().match(series: parsed.series(), window: window, clientCounts: ["ws-0": 10]).first)
        #expect(m.hold == 9)
        #expect(m.classification == .serverHasFewer)
    }
}

/// Readings followed live: the phase each arrived in orders them exactly.
@Suite struct ArrivalOrderMatchTests {
    /// All stamped in the same second (the point of the exercise), each with the phase it arrived in.
    private func live(_ points: [(LogArrivalPhase, Int)]) -> LogSampleSeries {
        LogSampleSeries(
            pod: "ws-0",
            samples: points.enumerated().map { i, p in
                LogSample(pod: "ws-0", timestamp: t0, activeConnections: p.1, line: i + 1, precision: .seconds, phase: p.0)
            })
    }

    @Test func baselineHoldAndReturnComeFromTheirPhases() throws {
        let s = live([(.before, 2), (.ramp, 3), (.ramp, 4), (.hold, 5), (.hold, 5), (.close, 3), (.after, 2)])
        let m = LogMatcher().match(pod: "ws-0", series: s, window: window, clientCount: 3)
        #expect(m.basis == .arrivalOrder)
        #expect(m.baseline == 2 && m.baselineSource == .readBeforeRun)
        #expect(m.hold == 5 && !m.holdCarriedForward)
        #expect(m.peak == 5)
        #expect(m.afterClose == 2)
        #expect(m.delta == 3)
        #expect(m.classification == .matched)
    }

    @Test func rampLinesArrivingLateDuringTheHoldStillCount() throws {
        // An on-change pod: the last ramp line arrives after the hold began; nothing else during the hold.
        let s = live([(.before, 0), (.ramp, 1), (.hold, 2), (.close, 1), (.close, 0)])
        let m = LogMatcher().match(pod: "ws-0", series: s, window: window, clientCount: 2)
        #expect(m.hold == 2 && m.delta == 2 && m.classification == .matched)
    }

    @Test func holdCarriedForwardWhenNothingArrivedDuringTheHold() throws {
        let s = live([(.before, 0), (.ramp, 1), (.ramp, 2), (.close, 0)])
        let m = LogMatcher().match(pod: "ws-0", series: s, window: window, clientCount: 2)
        #expect(m.hold == 2 && m.holdCarriedForward && m.classification == .matched)
    }

    @Test func noReadingBeforeTheRunAssumesZeroAndSaysSo() throws {
        let m = LogMatcher().match(pod: "ws-0", series: live([(.ramp, 38), (.hold, 38)]), window: window, clientCount: 1)
        #expect(m.baselineAssumed && m.baselineSource == .assumedZero)
        #expect(m.classification == .serverHasMore)
    }

    @Test func theBackwardsSearchGivesTheBaselineOfAPodThatSpokeLongAgo() throws {
        // `--since-time` printed nothing before the run; the search found "37" in the earlier log.
        let s = live([(.history, 36), (.history, 37), (.ramp, 38), (.hold, 38), (.close, 37)])
        let m = LogMatcher().match(pod: "ws-0", series: s, window: window, clientCount: 1)
        #expect(m.baseline == 37 && m.baselineSource == .earlierLog && !m.baselineAssumed)
        #expect(m.delta == 1 && m.classification == .matched)
    }

    @Test func aCounterThatRestartsAtZeroIsCountedFromZero() throws {
        // 5 other connections, then the pod restarts during the ramp; wsload's 3 reconnect to the new process.
        let s = live([(.before, 5), (.ramp, 6), (.ramp, 0), (.ramp, 1), (.ramp, 2), (.hold, 3), (.close, 0)])
        let m = LogMatcher().match(pod: "ws-0", series: s, window: window, clientCount: 3)
        #expect(m.counterRestarted == true)
        #expect(m.delta == 3)
        #expect(m.classification == .matched)
    }
}

/// The other-traffic rule, both sides.
@Suite struct OtherTrafficTests {
    private func live(_ pod: String, _ points: [(LogArrivalPhase, Int)]) -> LogSampleSeries {
        LogSampleSeries(
            pod: pod,
            samples: points.enumerated().map { i, p in
                LogSample(pod: pod, timestamp: t0, activeConnections: p.1, line: i + 1, phase: p.0)
            })
    }

    @Test func othersWhoStayAfterWsloadLeftAreOtherTraffic() throws {
        // wsload: 10 on ws-0; another client opened 4 during the run and still holds them after close.
        let rows = LogMatcher().match(
            series: [
                live("ws-0", [(.before, 0), (.ramp, 10), (.hold, 14), (.close, 4), (.after, 4)]),
                live("ws-1", [(.before, 0), (.hold, 10), (.after, 0)]),
            ],
            window: window, clientCounts: ["ws-0": 10, "ws-1": 10])
        #expect(rows[0].classification == .otherTraffic)
        #expect(rows[0].otherTraffic == 4)
        #expect(rows[0].classification.isMatch)
        #expect(rows[1].classification == .matched)
    }

    @Test func othersWhoLeftDuringTheRunAreNegativeOtherTraffic() throws {
        let rows = LogMatcher().match(
            series: [live("ws-0", [(.before, 6), (.ramp, 11), (.hold, 13), (.after, 3)])],
            window: window, clientCounts: ["ws-0": 10])
        #expect(rows[0].classification == .otherTraffic)
        #expect(rows[0].otherTraffic == -3)
    }

    @Test func anExcessThatLeftWithWsloadsConnectionsStaysAMismatch() throws {
        // 12 on the pod during the hold, wsload says 10, and after close the pod is back at 0: those 2 came and
        // went with wsload's own connections (e.g. upgrades wsload gave up on that the server kept).
        let rows = LogMatcher().match(
            series: [live("ws-0", [(.before, 0), (.hold, 12), (.after, 0)])],
            window: window, clientCounts: ["ws-0": 10])
        #expect(rows[0].classification == .serverHasMore)
        #expect(rows[0].otherTraffic == nil)
    }

    @Test func anExcessOffsetByAnotherPodsDeficitStaysAMismatch() throws {
        // ws-0 has 2 more, ws-1 2 fewer: wsload's attribution may be wrong; other traffic must not hide it.
        let rows = LogMatcher().match(
            series: [
                live("ws-0", [(.before, 0), (.hold, 12), (.after, 2)]),
                live("ws-1", [(.before, 0), (.hold, 8), (.after, 0)]),
            ],
            window: window, clientCounts: ["ws-0": 10, "ws-1": 10])
        #expect(rows[0].classification == .serverHasMore)
        #expect(rows[1].classification == .serverHasFewer)
    }
}
