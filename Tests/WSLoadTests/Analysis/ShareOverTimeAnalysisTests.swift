import Foundation
import Testing

@testable import WSLoad

/// The share timeline (`shareOverTime`), through ``Analyzer``, with every value worked out by hand from the definition
/// in docs/report.md: a pod's percent of the connections open at a ramp/hold sample, rounded to 0.01.
@Suite struct ShareOverTimeAnalysisTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    static func report(held: [String: Int], points: [TimelinePoint], events: [EventRecord]? = nil) -> Report {
        var raw = ReportRawData(result: EngineResult.empty(at: start), context: ReportContext(target: "ws://h/"))
        raw.heldPerPod = held
        raw.window = RunWindow(
            runStart: start, holdStart: start.addingTimeInterval(1), holdEnd: start.addingTimeInterval(10),
            closeEnd: start.addingTimeInterval(11))
        raw.events = events
        let n = held.values.reduce(0, +)
        var input = AnalysisInput(
            raw: raw, totals: RunTotals(attempted: n, established: n, failed: 0, held: n, dropped: 0, failures: []),
            podCountsByClient: [:], run: RunMetadata(profile: "p", target: "ws://h/", startedAt: start, endedAt: start.addingTimeInterval(11)))
        input.timeline = points
        return Analyzer.analyse(input)
    }

    static func point(_ t: Double, _ phase: String, _ pods: [String: Int], server: [String: Int]? = nil) -> TimelinePoint {
        TimelinePoint(
            t: t, phase: phase, open: pods.values.reduce(0, +), established: 0, failed: 0, dropped: 0, reconnects: 0, perPod: pods,
            serverPerPod: server)
    }

    @Test func sharesPerSampleClientAndServerView() throws {
        // t=0: nothing open (no shares). t=1: a 1, b 2 of 3 → 33.33 / 66.67 (0.01 rounding). t=2: a 1, b 1, unattributed 2
        // of 4 → 25 / 25 / 50; the pods' own values a 3, b 1 → 75 / 25. Close samples are not part of it.
        let r = Self.report(
            held: ["a": 1, "b": 1, "?": 2],
            points: [
                Self.point(0, "ramp", [:]), Self.point(1, "hold", ["a": 1, "b": 2], server: [:]),
                Self.point(2, "hold", ["a": 1, "b": 1, "?": 2], server: ["a": 3, "b": 1]), Self.point(3, "close", ["a": 1]),
            ])
        let s = try #require(r.shareOverTime)
        #expect(s.pods == ["a", "b", "?"])  // the report's pods, then unattributed
        #expect(s.sampledFrom == 3)
        #expect(s.samples.map(\.t) == [0, 1, 2])
        #expect(s.samples[0].clientOpen == 0 && s.samples[0].client.isEmpty && s.samples[0].server == nil)
        #expect(s.samples[1].clientOpen == 3 && s.samples[1].client == ["a": 33.33, "b": 66.67])
        #expect(s.samples[1].serverOpen == nil && s.samples[1].server == nil)  // no pod had logged a value yet
        #expect(s.samples[2].client == ["a": 25, "b": 25, "?": 50])
        #expect(s.samples[2].serverOpen == 4 && s.samples[2].server == ["a": 75, "b": 25])
        #expect(s.hasServerView)
        let back = try Report.decode(json: Data(ReportFormat.json.render(r).utf8))
        #expect(back.shareOverTime == s)
    }

    @Test func aPodWithNothingIsLeftOutOfTheSample() throws {
        let r = Self.report(held: ["a": 2, "b": 0], points: [Self.point(0, "ramp", ["a": 1]), Self.point(1, "hold", ["a": 2, "b": 0])])
        let s = try #require(r.shareOverTime)
        #expect(s.pods == ["a", "b"])
        #expect(s.samples.map(\.client) == [["a": 100], ["a": 100]])
        #expect(!s.hasServerView)
    }

    @Test func longTimelinesAreThinnedEvenlyKeepingBothEnds() throws {
        // 239 ramp/hold samples (t = 0…238) thinned to 120: index i·238/119 = 2i, so t = 0, 2, 4, …, 238.
        let points = (0..<239).map { Self.point(Double($0), $0 < 10 ? "ramp" : "hold", ["a": 1 + $0 % 3, "b": 1]) }
        let s = try #require(Self.report(held: ["a": 1, "b": 1], points: points).shareOverTime)
        #expect(s.sampledFrom == 239 && s.samples.count == 120 && PodShareTimeline.maxSamples == 120)
        #expect(s.samples.map(\.t) == (0..<120).map { Double(2 * $0) })
        // t=238: a has 1 + 238 % 3 = 2 of 3.
        #expect(s.samples.last?.client == ["a": 66.67, "b": 33.33])
        // 120 or fewer are kept as they are.
        let short = try #require(Self.report(held: ["a": 1], points: Array(points.prefix(120))).shareOverTime)
        #expect(short.samples.count == 120 && short.samples.map(\.t) == (0..<120).map(Double.init))
    }

    @Test func fewerThanTwoRampOrHoldSamplesGiveNoSection() {
        #expect(Self.report(held: ["a": 1], points: [Self.point(1, "hold", ["a": 1]), Self.point(2, "close", [:])]).shareOverTime == nil)
        #expect(Self.report(held: ["a": 1], points: []).shareOverTime == nil)
    }

    @Test func theCompactTextFormIsShownOnlyWithEventsOrScaleOut() throws {
        let points = [
            Self.point(0, "ramp", ["a": 1]), Self.point(1, "hold", ["a": 2, "b": 2]),
            Self.point(2, "hold", ["a": 1, "b": 3], server: ["a": 1, "b": 3]),
        ]
        // Without an event, and b already held a connection in the ramp: no scale-out either.
        let plain = Self.report(held: ["a": 1, "b": 3], points: [Self.point(0, "ramp", ["a": 1, "b": 1])] + points.dropFirst())
        #expect(plain.events == nil && plain.scaleOut == nil)
        #expect(ShareText.lines(plain).isEmpty)
        #expect(!ReportFormat.table.render(plain).contains("Share of open connections"))
        let event = EventRecord(
            name: "scale", at: 1, command: "scale", outcome: .succeeded, startedAt: 1, duration: 0.1, status: "exit status 0", exitStatus: 0)
        let r = Self.report(held: ["a": 1, "b": 3], points: points, events: [event])
        // a: 100, 50, 25 %; b: 0, 50, 75 %; the server view only at t=2.
        #expect(
            ShareText.lines(r) == [
                "t (s)         0.0   1.0   2.0",
                "a             100    50    25",
                "  server        -     -    25",
                "b               0    50    75",
                "  server        -     -    75",
            ])
        #expect(ReportFormat.table.render(r).contains("Share of open connections over time (%)\n  t (s)         0.0   1.0   2.0\n"))
        #expect(ReportFormat.markdown.render(r).contains("**Share of open connections over time (%)**\n\n```\nt (s)"))
        #expect(ReportFormat.junit.render(r).contains("share of open connections over time (%):\nt (s)"))
    }
}
