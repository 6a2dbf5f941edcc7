import Foundation
import Testing

@testable import WSLoad

/// The drain section and `max_reconnect_rate`, through ``Analyzer``, with every expected value worked out by hand
/// from the definitions in docs/report.md (rates between timeline samples, waves between event starts).
@Suite struct DrainAnalysisTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    /// A report from end-of-hold counts, samples `(t, dropped, reconnects)` (hold from 1 s), events and a resilience summary.
    static func report(
        held: [String: Int], samples: [(Double, Int, Int)], events: [(String, Double)], resilience: ResilienceSummary?,
        holdEnd: Double, gate: GateThresholds = GateThresholds(), timeline: Bool = true
    ) -> Report {
        let at = { (s: Double) in start.addingTimeInterval(s) }
        var raw = ReportRawData(result: EngineResult.empty(at: start), context: ReportContext(target: "ws://h/"))
        raw.heldPerPod = held
        raw.knownPods = Dictionary(uniqueKeysWithValues: held.keys.map { ($0, 1.0) })
        raw.thresholds = gate
        raw.window = RunWindow(runStart: at(0), holdStart: at(1), holdEnd: at(holdEnd), closeEnd: at(holdEnd + 0.5))
        raw.events =
            events.isEmpty
            ? nil
            : events.map { name, t in
                EventRecord(
                    name: name, at: t, command: name, outcome: .succeeded, startedAt: t, duration: 0.1, status: "exit status 0",
                    exitStatus: 0)
            }
        let n = held.values.reduce(0, +)
        let lost = resilience?.lost ?? 0
        let run = RunMetadata(profile: "p", target: "ws://h/", startedAt: at(0), endedAt: at(holdEnd + 0.5))
        var input = AnalysisInput(
            raw: raw, totals: RunTotals(attempted: n + lost, established: n + lost, failed: 0, held: n, dropped: lost, failures: []),
            podCountsByClient: [:], run: run)
        input.resilience = resilience
        if timeline {
            input.timeline = samples.map { t, d, r in
                TimelinePoint(
                    t: t, phase: t < 1 ? "ramp" : "hold", open: n, established: n, failed: 0, dropped: d, reconnects: r, perPod: held)
            }
        }
        return Analyzer.analyse(input)
    }

    /// a, b, c with 10 each; the event at 2 s takes a's 10 away; they come back 6, 3 and 1 in the half-seconds after.
    static func rollout(gate: GateThresholds = GateThresholds(), timeline: Bool = true, idle: IdleTimeoutFinding? = nil) -> Report {
        var resilience = ResilienceSummary(
            droppedConnections: 10, dropCauses: ["open: peer-closed": 10], droppedPerPod: ["a": 10], reconnects: 10,
            reconnectAttempts: 10, lost: 0, disruptionP50Ms: 700, disruptionP99Ms: 1500, disruptionMaxMs: 1600,
            moves: [.init(from: "a", to: "a", count: 1), .init(from: "a", to: "b", count: 4), .init(from: "a", to: "c", count: 5)],
            halfOpenDetections: 0, halfOpenMaxSilenceMs: nil, idleTimeout: nil)
        resilience.idleTimeout = idle
        return report(
            held: ["a": 1, "b": 14, "c": 15],
            samples: [
                (0.5, 0, 0), (1.0, 0, 0), (1.5, 0, 0), (2.0, 0, 0), (2.5, 10, 0), (3.0, 10, 6), (3.5, 10, 9), (4.0, 10, 10),
                (4.5, 10, 10), (5.0, 10, 10),
            ],
            events: [("rollout-a", 2)], resilience: resilience, holdEnd: 5, gate: gate, timeline: timeline)
    }

    @Test func aRolloutWaveIsMeasuredFromTheTimeline() throws {
        let d = try #require(Self.rollout().drain)
        #expect(d.droppedPerPod == ["a": 10] && d.dropped == 10 && d.reconnected == 10 && d.lost == 0)
        // Reconnects within one second ending at each sample: 3.0 s → 6 − 0, 3.5 s → 9 − 0, 4.0 s → 10 − 6, 4.5 s → 10 − 9.
        #expect(d.peakReconnectsPerSecond == 9 && d.peakAt == 3.5)
        // One wave, from the event (2 s) to the hold's end (5 s); 90 % = 9 reconnects, reached at 3.5 s: 1.5 s after the drops began.
        #expect(
            d.waves == [
                .init(event: "rollout-a", from: 2, to: 5, dropped: 10, reconnected: 10, peakReconnectsPerSecond: 9, reconnect90Seconds: 1.5)
            ])
        // From the interval before the first drop to the one after the last reconnect, per second over 0.5 s intervals.
        #expect(
            d.rates == [
                .init(t: 2.0, dropsPerSecond: 0, reconnectsPerSecond: 0), .init(t: 2.5, dropsPerSecond: 20, reconnectsPerSecond: 0),
                .init(t: 3.0, dropsPerSecond: 0, reconnectsPerSecond: 12), .init(t: 3.5, dropsPerSecond: 0, reconnectsPerSecond: 6),
                .init(t: 4.0, dropsPerSecond: 0, reconnectsPerSecond: 2), .init(t: 4.5, dropsPerSecond: 0, reconnectsPerSecond: 0),
            ])
        #expect(d.landedPerPod == ["a": 1, "b": 4, "c": 5] && d.returnedToSamePod == 1)
        #expect(
            d.explanation
                == "10 connections dropped during the run (from a ×10); 10 after rollout-a at 2.0 s. 10 reconnected, 90 % of them within 1.5 s, "
                + "at up to 9/s — a reconnect herd: half or more came back within one second (reconnect.jitter and max_backoff spread it). "
                + "They landed on c ×5, b ×4, a ×1; 1 came back to the pod they had dropped from (affinity, or that pod was still accepting). "
                + "Disruption per connection p50 700 ms, p99 1500 ms. None lost.")
    }

    @Test func maxReconnectRateFailsOnTheHerdAndPassesAboveIt() throws {
        var g = GateThresholds()
        g.maxReconnectRate = 5
        let failed = Self.rollout(gate: g)
        let check = try #require(failed.gate.checks.first { $0.name == "max_reconnect_rate" })
        #expect(check.passed == false && check.measured == 9 && check.threshold == 5)
        #expect(check.detail == "peak 9.0 reconnects per second at 3.5 s, 10 reconnected after 10 drops")
        g.maxReconnectRate = 9  // at most 9: the measured 9 passes
        let passed = Self.rollout(gate: g)
        #expect(passed.gate.checks.first { $0.name == "max_reconnect_rate" }?.passed == true)
        #expect(passed.gate.passed && passed.gate.incomplete == nil)
        #expect(
            passed.gate.checks.first { $0.name == "max_dropped" }?.detail
                == "0 connections dropped after the 101 and not re-established (10 reconnects after drops: see drain) "
                + "(max_dropped defaults to 0 when a gate is set)")
    }

    @Test func withoutATimelineTheRateIsNotMeasuredAndTheRunIncomplete() throws {
        var g = GateThresholds()
        g.maxReconnectRate = 100
        let r = Self.rollout(gate: g, timeline: false)
        let check = try #require(r.gate.checks.first { $0.name == "max_reconnect_rate" })
        #expect(check.measured == nil && check.passed == false)
        #expect(r.gate.incomplete?.contains("max_reconnect_rate could not be measured") == true)
    }

    @Test func aPodLostWithoutReconnectPolicyIsOneWaveWithoutEvent() throws {
        let resilience = ResilienceSummary(
            droppedConnections: 5, dropCauses: ["open: peer-closed": 5], droppedPerPod: ["b": 5], reconnects: 0, reconnectAttempts: 0,
            lost: 5, disruptionP50Ms: nil, disruptionP99Ms: nil, disruptionMaxMs: nil, moves: [], halfOpenDetections: 0,
            halfOpenMaxSilenceMs: nil, idleTimeout: nil)
        var g = GateThresholds()
        g.maxReconnectRate = 1
        let r = Self.report(
            held: ["a": 5, "b": 0], samples: [(1, 0, 0), (2, 5, 0), (3, 5, 0)], events: [], resilience: resilience, holdEnd: 3, gate: g)
        let d = try #require(r.drain)
        #expect(d.waves == [.init(event: nil, from: 0, to: 3, dropped: 5, reconnected: 0, peakReconnectsPerSecond: 0, reconnect90Seconds: nil)])
        #expect(d.peakReconnectsPerSecond == 0 && d.peakAt == nil)
        #expect(
            d.explanation
                == "5 connections dropped during the run (from b ×5). None reconnected (no reconnect: policy, or its attempts were spent): 5 lost.")
        let check = try #require(r.gate.checks.first { $0.name == "max_reconnect_rate" })
        #expect(check.passed && check.measured == 0 && check.detail == "no reconnect during the run")
        #expect(r.gate.passed == false)  // max_dropped 0 catches the 5 lost
    }

    @Test func sparseSamplesDivideBySpanAndDropsBeforeTheFirstEventGetTheirOwnWave() {
        // Samples 2 s apart: at 4 s the latest sample at least 1 s earlier is 2 s, so 10 reconnects over 2 s = 5/s.
        let samples = [
            DrainAnalysis.Sample(t: 0, dropped: 0, reconnects: 0), .init(t: 2, dropped: 10, reconnects: 0),
            .init(t: 4, dropped: 10, reconnects: 10), .init(t: 6, dropped: 14, reconnects: 10),
        ]
        let (peak, at) = DrainAnalysis.peakRate(samples, in: 0...Double.infinity)
        #expect(peak == 5 && at == 4)
        // A kill before the event at 5 s: drops 10 in (0, 5], then 4 in (5, 6] after the event.
        let resilience = ResilienceSummary(
            droppedConnections: 14, dropCauses: [:], droppedPerPod: ["a": 14], reconnects: 10, reconnectAttempts: 10, lost: 4,
            disruptionP50Ms: nil, disruptionP99Ms: nil, disruptionMaxMs: nil, moves: [], halfOpenDetections: 0,
            halfOpenMaxSilenceMs: nil, idleTimeout: nil)
        let d = DrainAnalysis.evaluate(
            timeline: samples.dropFirst().map {
                TimelinePoint(t: $0.t, phase: "hold", open: 0, established: 0, failed: 0, dropped: $0.dropped, reconnects: $0.reconnects, perPod: [:])
            },
            events: [
                EventRecord(name: "e", at: 5, command: "e", outcome: .succeeded, startedAt: 5, duration: 0, status: "exit status 0", exitStatus: 0)
            ], resilience: resilience, holdEnd: 6)
        #expect(d?.waves.map(\.event) == [nil, "e"])
        #expect(d?.waves.map(\.dropped) == [10, 4] && d?.waves.map(\.reconnected) == [10, 0])
        // 90 % of the first wave's 10 reconnects (9) were done at 4 s; the drops began after the 0 s sample.
        #expect(d?.waves.first?.reconnect90Seconds == 4)
    }

    @Test func dropsPerPodCountEveryDropByThePodItLeft() throws {
        var moved = ConnectionRecord(index: 0, client: 0, conn: 0)
        moved.pod = "b"; moved.status = .held; moved.previousPods = ["a"]; moved.reconnects = 1; moved.ageAtDropSeconds = 3
        var twice = ConnectionRecord(index: 1, client: 1, conn: 0)
        twice.pod = "a"; twice.status = .dropped; twice.previousPods = ["b"]; twice.reconnects = 1; twice.ageAtDropSeconds = 1
        let untouched = ConnectionRecord(index: 2, client: 2, conn: 0)
        let s = try #require(ResilienceSummary.summarise([moved, twice, untouched]))
        #expect(s.droppedPerPod == ["a": 2, "b": 1])  // moved left a; twice left b, then dropped from a for good
        #expect(s.droppedConnections == 2 && s.lost == 1)
    }

    @Test func aSameAgeCutRightAfterAnEventIsTheEventsDoingNotAnIdleTimeout() {
        let idle = IdleTimeoutFinding(ageSeconds: 2.4, connections: 10, message: "idle timeout warning")
        let r = Self.rollout(idle: idle)
        #expect(!r.warnings.contains("idle timeout warning"))
        #expect(
            r.notes.contains(
                "10 connections were cut at the same age (≈2.4 s) right after the event rollout-a at 2.0 s: counted as the event's doing, not as an idle timeout."
            ))
        // Without an event wave that holds them, the same finding is a warning.
        let bigger = IdleTimeoutFinding(ageSeconds: 2.4, connections: 11, message: "idle timeout warning")
        #expect(Self.rollout(idle: bigger).warnings.contains("idle timeout warning"))
    }

    @Test func aCloseFrameFromThePeerNamesItsCode() {
        let away = ConnectionFailure(phase: .open, kind: .peerClosed, closeCode: 1001, message: "m")
        let eof = ConnectionFailure(phase: .open, kind: .peerClosed, closeCode: 1006, message: "m")
        #expect(ResilienceSummary.cause(away) == "open: peer-closed (close 1001)")
        #expect(ResilienceSummary.cause(eof) == "open: peer-closed")
        #expect(ResilienceSummary.cause(nil) == "open: peer-closed")
    }

    @Test func theTextGivesCountsPerIntervalNotRatesOfAQuarterSecond() {
        // rates: 2.0 (quiet), 2.5 (20/s over 0.5 s = 10 drops), 3.0 (12/s = 6), 3.5 (6/s = 3), 4.0 (2/s = 1), 4.5 (none).
        let lines = DrainText.lines(Self.rollout())
        #expect(lines.contains("after rollout-a (2.0 s–5.0 s): 10 dropped, 10 reconnected, peak 9.0/s, 90 % within 1.5 s"))
        #expect(lines.last == "dropped/reconnected by interval end: 2.50 s 10/0, 3.00 s 0/6, 3.50 s 0/3, 4.00 s 0/1")
    }
}
