import Foundation
import Testing

@testable import WSLoad

/// The scale-out section, through ``Analyzer`` (the one analysis), with every expected value worked out by hand
/// from the definitions in docs/report.md.
@Suite struct ScaleOutAnalysisTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    /// A report from end-of-hold counts, known pods, per-second samples (phase hold from `rampEnd`) and events.
    static func report(
        held: [String: Int], known: [String], samples: [(Double, [String: Int])], events: [(String, Double)],
        rampEnd: Double = 1.5, holdEnd: Double, maxSkew: Double? = nil, outcome: EventRecord.Outcome = .succeeded,
        gate: (GateThresholds) -> GateThresholds = { $0 }, recycled: Int = 0
    ) -> Report {
        let at = { (s: Double) in start.addingTimeInterval(s) }
        var raw = ReportRawData(result: EngineResult.empty(at: start), context: ReportContext(target: "ws://h/"))
        raw.heldPerPod = held
        raw.knownPods = Dictionary(uniqueKeysWithValues: known.map { ($0, 1.0) })
        raw.thresholds = gate(GateThresholds(maxSkewPercent: maxSkew))
        raw.window = RunWindow(runStart: at(0), holdStart: at(rampEnd), holdEnd: at(holdEnd), closeEnd: at(holdEnd + 0.5))
        raw.events =
            events.isEmpty
            ? nil
            : events.map { name, t in
                EventRecord(
                    name: name, at: t, command: name, outcome: outcome, startedAt: t, duration: 0.1,
                    status: outcome == .succeeded ? "exit status 0" : "exit status 1", exitStatus: outcome == .succeeded ? 0 : 1)
            }
        let n = held.values.reduce(0, +)
        let run = RunMetadata(profile: "p", target: "ws://h/", startedAt: at(0), endedAt: at(holdEnd + 0.5))
        var input = AnalysisInput(
            raw: raw, totals: RunTotals(attempted: n, established: n, failed: 0, held: n, dropped: 0, failures: []),
            podCountsByClient: [:], run: run)
        input.totals.recycled = recycled
        input.timeline = samples.map { t, pods in
            TimelinePoint(
                t: t, phase: t < rampEnd ? "ramp" : "hold", open: pods.values.reduce(0, +), established: n, failed: 0, dropped: 0,
                reconnects: 0, perPod: pods)
        }
        return Analyzer.analyse(input)
    }

    @Test func longLivedConnectionsStayOnTheOldPods() throws {
        // a and b hold 15 each before the event at 2 s; c (known) never gets one.
        let r = Self.report(
            held: ["a": 15, "b": 15], known: ["a", "b", "c"],
            samples: [(0, [:]), (1, ["a": 10, "b": 10]), (2, ["a": 15, "b": 15]), (3, ["a": 15, "b": 15]), (4, ["a": 15, "b": 15])],
            events: [("scale", 2)], holdEnd: 5, maxSkew: 10)
        let s = try #require(r.scaleOut)
        #expect(s.since == 2 && s.sinceEvent == "scale" && s.newPods == ["c"])
        #expect(s.heldByNewPods == 0 && s.held == 30 && s.newPodSharePercent == 0)
        #expect(abs(s.fairSharePercent! - 100.0 / 3) < 1e-9)  // 1 of 3 equal pods
        #expect(s.shareOverTime == [.init(t: 2, percent: 0), .init(t: 3, percent: 0), .init(t: 4, percent: 0)])
        // 15/15/0 against 10 expected each: c is 100 % below, never within 10 %.
        #expect(s.fairWithinRun == false && s.timeToFairSeconds == nil && s.lastEventAt == 2)
        #expect(
            s.explanation == "The pod c added at 2.0 s (scale) holds 0.0 % of 30 connections 3.0 s later (fair share 33.3 %): "
                + "long-lived connections do not rebalance; a max connection age (clients.lifetime.age, or the server's) or client reconnects would move them. "
                + "The spread was never within max_skew 10.0 % after the last event (scale) within the run.")
        #expect(ReportFormat.table.render(r).contains("new pods' share over time: 2.0 s 0 %, 3.0 s 0 %, 4.0 s 0 %"))
        #expect(ReportFormat.markdown.render(r).contains("**Scale-out**"))
        #expect(ReportFormat.html.render(r).contains("<h2>Scale-out</h2>"))
        #expect(ReportFormat.junit.render(r).contains("holds 0.0 % of 30 connections"))
        let back = try Report.decode(json: Data(ReportFormat.json.render(r).utf8))
        #expect(back.scaleOut == s)
    }

    @Test func withChurnTheExplanationNamesTheRecycledConnectionsThatReachedTheNewPods() throws {
        // 3 → 5 pods at 2 s; with 24 recycles the new pods d and e hold 8 of 20 = 40 %, their fair share (2 of 5).
        let r = Self.report(
            held: ["a": 4, "b": 4, "c": 4, "d": 4, "e": 4], known: ["a", "b", "c", "d", "e"],
            samples: [
                (1, ["a": 7, "b": 7, "c": 6]), (3, ["a": 5, "b": 5, "c": 4, "d": 3, "e": 3]), (4, ["a": 4, "b": 4, "c": 4, "d": 4, "e": 4]),
            ],
            events: [("scale", 2)], holdEnd: 5, recycled: 24)
        let s = try #require(r.scaleOut)
        #expect(s.newPods == ["d", "e"] && s.newPodSharePercent == 40 && s.fairSharePercent == 40)
        #expect(
            s.explanation == "The 2 pods added (d, e) at 2.0 s (scale) hold 40.0 % of 20 connections 3.0 s later (fair share 40.0 %): "
                + "connections recycled by clients.lifetime (24 recycles) reached the new pods; the spread rebalanced.")
        #expect(r.totals.recycled == 24)
    }

    @Test func churnThatNeverReachesTheNewPodsBlamesAffinity() throws {
        let r = Self.report(
            held: ["a": 10, "b": 10], known: ["a", "b", "c"], samples: [(1, ["a": 10, "b": 10]), (3, ["a": 10, "b": 10])],
            events: [("scale", 2)], holdEnd: 5, recycled: 1)
        #expect(
            r.scaleOut?.explanation == "The pod c added at 2.0 s (scale) holds 0.0 % of 20 connections 3.0 s later (fair share 33.3 %): "
                + "connections recycled by clients.lifetime (1 recycle) reopened, yet none reached the new pods: affinity (a cookie, the source address) pins a reopened connection to its pod."
        )
    }

    @Test func partialChurnSuggestsAShorterAge() throws {
        // c holds 3 of 30 = 10 %, below 0.9 × 33.3 %.
        let r = Self.report(
            held: ["a": 14, "b": 13, "c": 3], known: ["a", "b", "c"], samples: [(1, ["a": 15, "b": 15]), (3, ["a": 14, "b": 13, "c": 3])],
            events: [("scale", 2)], holdEnd: 5, recycled: 6)
        #expect(
            r.scaleOut?.explanation == "The pod c added at 2.0 s (scale) holds 10.0 % of 30 connections 3.0 s later (fair share 33.3 %): "
                + "connections recycled by clients.lifetime (6 recycles) reached the new pods, not yet up to their fair share; a shorter clients.lifetime.age (or a longer hold) moves more."
        )
    }

    @Test func timeToFairIsFromTheLastEventToTheFirstSampleThatStaysWithin() throws {
        // max_skew 20 over a, b, c equal:
        //  t=3: 10/10/5, expected 25/3 = 8.33: a +20 % (within), c −40 % → out
        //  t=4: 10/10/3, expected 23/3 = 7.67: c −60.9 % → out (a dip after t=3.5 must not count)
        //  t=5: 10/10/9, expected 29/3 = 9.67: a +3.4 %, c −6.9 % → within;  t=6, t=7: 10/10/10 → within
        // The last event started at 3: fair from t=5 on, 2 s after it.
        let r = Self.report(
            held: ["a": 10, "b": 10, "c": 10], known: ["a", "b", "c"],
            samples: [
                (1, ["a": 10, "b": 10]), (2, ["a": 10, "b": 10]), (3, ["a": 10, "b": 10, "c": 5]),
                (3.5, ["a": 10, "b": 10, "c": 10]), (4, ["a": 10, "b": 10, "c": 3]),
                (5, ["a": 10, "b": 10, "c": 9]), (6, ["a": 10, "b": 10, "c": 10]), (7, ["a": 10, "b": 10, "c": 10]),
            ],
            events: [("scale", 2), ("reconnect", 3)], holdEnd: 7, maxSkew: 20)
        let s = try #require(r.scaleOut)
        #expect(s.since == 2 && s.newPods == ["c"] && s.lastEventAt == 3)
        #expect(s.timeToFairSeconds == 2 && s.fairWithinRun == true)
        #expect(abs(s.newPodSharePercent! - 100.0 / 3) < 1e-9)
        #expect(s.shareOverTime.map(\.t) == [2, 3, 3.5, 4, 5, 6, 7])
        #expect(abs(s.shareOverTime[1].percent - 20) < 1e-9)  // 5 of 25 at t=3
        #expect(
            s.explanation.hasSuffix(
                "(fair share 33.3 %): the spread rebalanced. "
                    + "The spread was within max_skew 20.0 % 2.0 s after the last event (reconnect) and stayed so."))
    }

    @Test func withoutEventsOnlyPodsSeenAfterTheRampAreNew() throws {
        // Ramp ends at 1.5 s. c first appears at t=2 (e.g. a reconnect); d is known but never seen: not new without an event.
        let r = Self.report(
            held: ["a": 5, "b": 4, "c": 1], known: ["a", "b", "c", "d"],
            samples: [(1, ["a": 5, "b": 5]), (2, ["a": 5, "b": 4, "c": 1])], events: [], holdEnd: 3, maxSkew: 50)
        let s = try #require(r.scaleOut)
        #expect(s.since == 1.5 && s.sinceEvent == nil && s.newPods == ["c"])
        #expect(s.heldByNewPods == 1 && s.held == 10 && s.newPodSharePercent == 10)
        #expect(s.timeToFairSeconds == nil && s.fairWithinRun == nil)  // no event to measure from
        #expect(s.explanation.hasPrefix("The pod c added after the ramp (1.5 s) holds 10.0 % of 10 connections 1.5 s later (fair share 25.0 %)"))
    }

    @Test func aRunWithoutEventsOrNewPodsHasNoSection() {
        let r = Self.report(
            held: ["a": 5, "b": 5], known: ["a", "b"], samples: [(1, ["a": 5, "b": 5]), (2, ["a": 5, "b": 5])],
            events: [], holdEnd: 3)
        #expect(r.scaleOut == nil)
    }

    @Test func anEventBeforeAnyConnectionHasNoBefore() throws {
        let r = Self.report(held: ["a": 5, "b": 5], known: ["a", "b"], samples: [(1, ["a": 5, "b": 5])], events: [("scale", 0)], holdEnd: 3)
        let s = try #require(r.scaleOut)
        #expect(s.newPods.isEmpty && s.newPodSharePercent == 0)
        #expect(s.explanation == "No pod held a connection before the event scale, so there is no before to compare with.")
    }

    // MARK: - Gate checks

    static func scaledOutWithoutRebalance(_ gate: @escaping (GateThresholds) -> GateThresholds) -> Report {
        Self.report(
            held: ["a": 15, "b": 15], known: ["a", "b", "c"],
            samples: [(1, ["a": 10, "b": 10]), (2, ["a": 15, "b": 15]), (3, ["a": 15, "b": 15]), (4, ["a": 15, "b": 15])],
            events: [("scale", 2)], holdEnd: 5, maxSkew: 10, gate: gate)
    }

    @Test func minNewPodShareFailsNamingTheFigure() throws {
        let r = Self.scaledOutWithoutRebalance {
            var t = $0; t.minNewPodSharePercent = 10; t.maxTimeToFairSeconds = 5; return t
        }
        #expect(r.gate.status == .fail)
        let share = try #require(r.gate.checks.first { $0.name == "min_new_pod_share" })
        #expect(!share.passed && share.measured == 0 && share.summary == "measured 0%, threshold ≥ 10%")
        #expect(
            share.detail
                == "the new pod c holds 0 of 30 connections at the end of the hold, 2.0 s after scale: long-lived connections did not move to them")
        let fair = try #require(r.gate.checks.first { $0.name == "max_time_to_fair" })
        #expect(!fair.passed && fair.measured == nil)
        #expect(fair.detail == "the spread was never within max_skew 10.0 % again after the last event within the run")
        #expect(ReportFormat.junit.render(r).contains("name=\"min_new_pod_share\""))
    }

    @Test func timeToFairIsComparedWithItsLimit() throws {
        func run(_ limit: Double, share: Double) -> Report {
            Self.report(
                held: ["a": 10, "b": 10, "c": 10], known: ["a", "b", "c"],
                samples: [
                    (1, ["a": 10, "b": 10]), (2, ["a": 10, "b": 10]), (3, ["a": 10, "b": 10, "c": 5]),
                    (4, ["a": 10, "b": 10, "c": 10]),
                ],
                events: [("scale", 2)], holdEnd: 4, maxSkew: 20
            ) {
                var t = $0; t.maxTimeToFairSeconds = limit; t.minNewPodSharePercent = share; return t
            }
        }
        // From the event at 2: t=2 10/10/0 out, t=3 10/10/5 (c −40 %) out, t=4 even → fair after 2 s; c holds 10 of 30.
        let pass = run(2, share: 30)
        #expect(pass.gate.status == .pass)
        #expect(pass.gate.checks.first { $0.name == "max_time_to_fair" }?.measured == 2)
        let fail = run(1.5, share: 34)
        #expect(fail.gate.failedChecks.map(\.name) == ["min_new_pod_share", "max_time_to_fair"])
        #expect(fail.gate.checks.first { $0.name == "max_time_to_fair" }?.summary == "measured 2 seconds, threshold ≤ 1.50 seconds")
    }

    @Test func withoutAnEventTheScaleOutChecksMakeTheRunIncomplete() {
        let r = Self.report(held: ["a": 5, "b": 5], known: ["a", "b"], samples: [(1, ["a": 5, "b": 5])], events: [], holdEnd: 3, maxSkew: 50) {
            var t = $0; t.minNewPodSharePercent = 10; return t
        }
        #expect(r.gate.status == .incomplete)
        #expect(r.gate.incomplete == "min_new_pod_share needs an event that succeeded to measure from, and none did")
        #expect(r.gate.checks.first { $0.name == "min_new_pod_share" }?.detail == "no event to measure new pods from")
    }

    /// A failed `kubectl scale` changes nothing: the spread stays fair, and max_time_to_fair must not pass on it.
    @Test func aFailedEventIsNotMeasuredFrom() {
        let r = Self.report(
            held: ["a": 10, "b": 10], known: ["a", "b"],
            samples: [(1, ["a": 10, "b": 10]), (2, ["a": 10, "b": 10]), (3, ["a": 10, "b": 10])],
            events: [("scale", 2)], holdEnd: 4, maxSkew: 20, outcome: .failed
        ) {
            var t = $0; t.maxTimeToFairSeconds = 5; return t
        }
        #expect(r.gate.status == .incomplete)
        #expect(r.gate.incomplete == "max_time_to_fair needs an event that succeeded to measure from, and none did (scale: failed)")
        #expect(r.scaleOut == nil, "no successful event and no pod that appeared later: nothing to summarise")
    }

    /// No timeline sample after the last event is "not measured", never "never fair" (which would FAIL the run).
    @Test func noSampleAfterTheEventIsNotMeasured() throws {
        let r = Self.report(
            held: ["a": 10, "b": 10], known: ["a", "b"], samples: [(1, ["a": 10, "b": 10]), (2, ["a": 10, "b": 10])],
            events: [("scale", 3)], holdEnd: 4, maxSkew: 20
        ) {
            var t = $0; t.maxTimeToFairSeconds = 5; return t
        }
        #expect(r.scaleOut?.fairWithinRun == nil && r.scaleOut?.timeToFairSeconds == nil)
        #expect(r.gate.status == .incomplete)
        #expect(r.gate.incomplete?.hasPrefix("max_time_to_fair could not be measured: no timeline sample after the last event") == true)
        let fair = try #require(r.gate.checks.first { $0.name == "max_time_to_fair" })
        #expect(fair.detail == "not measured: no timeline sample after the last event")
    }

    @Test func profileKeysBecomeThresholds() throws {
        let yaml = "target: {url: \"ws://h/\"}\ngate: {max_skew: 10, min_new_pod_share: 10, max_time_to_fair: 30s}\n"
        let p = try ProfileLoader.parse(yaml: yaml, file: "x.yaml")
        try p.validate()
        let t = RunPlanner.thresholds(from: p.gate, podCount: 3)
        #expect(t.minNewPodSharePercent == 10 && t.maxTimeToFairSeconds == 30 && t.effectiveMaxDropped == 0)
        let back = try JSONDecoder().decode(GateThresholds.self, from: JSONEncoder().encode(t))
        #expect(back == t)
        let noSkew = try ProfileLoader.parse(yaml: "target: {url: \"ws://h/\"}\ngate: {max_time_to_fair: 30s}\n", file: "x.yaml")
        do { try noSkew.validate(); Issue.record("max_time_to_fair without max_skew accepted") } catch {
            #expect("\(error)".contains("gate.max_time_to_fair: needs gate.max_skew"))
        }
        let big = try ProfileLoader.parse(yaml: "target: {url: \"ws://h/\"}\ngate: {min_new_pod_share: 150}\n", file: "x.yaml")
        #expect(throws: ProfileError.self) { try big.validate() }
    }
}
