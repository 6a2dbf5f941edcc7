import Foundation
import Testing

@testable import WSLoad

/// The run recorder: histograms in microseconds, timeline points and the progress snapshot.
@Suite struct RunRecorderTests {
    @Test func durationsAreRecordedInMicrosecondsAtLeastOne() {
        var r = RunRecorder()
        r.record("upgrade", 0.0025)
        r.record("upgrade", 0)  // below a microsecond: counted as 1 µs
        r.record("tls", nil)  // not measured: no histogram at all
        let h = try! #require(r.histograms["upgrade"])
        #expect(h.totalCount == 2)
        #expect(h.min == 1)
        #expect(h.valuesAreEquivalent(h.max, 2500))
        #expect(r.histograms["tls"] == nil)
    }

    private func ledger() -> ConnectionLedger {
        var l = ConnectionLedger(clients: [0, 1], connectionsPerClient: 2, rules: AttributionRules())
        var rec = RunRecorder()
        for i in 0..<4 { l.launched(i, reconnect: false, cookieHeader: nil, sentJarCookie: false) }
        for (i, pod) in [(0, "ws-0"), (1, "ws-1"), (2, "ws-0")] {
            _ = l.opened(
                i, pod: (pod, .header, nil), receivedCookies: [], deflate: false, tlsResumed: false, timeline: ConnectionTimeline(),
                local: nil, closing: false, now: 0, recorder: &rec)
        }
        _ = l.opened(
            3, pod: nil, receivedCookies: [], deflate: false, tlsResumed: false, timeline: ConnectionTimeline(),
            local: nil, closing: false, now: 0, recorder: &rec)
        return l
    }

    @Test func snapshotCountsAndHoldRemaining() {
        var r = RunRecorder()
        r.startedAt = Date(timeIntervalSince1970: 100)
        r.holdStartMono = 1_000_000_000
        let l = ledger()
        let s = r.snapshot(
            phase: .hold, planned: 4, ledger: l, inFlight: 0, hold: 10, now: Date(timeIntervalSince1970: 102.5),
            nowMono: 4_000_000_000)
        #expect(s.holdRemaining == 7)  // 10 s hold, 3 s in
        #expect(s.elapsed == 2.5)
        #expect(s.attempted == 4 && s.established == 4 && s.open == 4)
        #expect(s.openPerPod == ["ws-0": 2, "ws-1": 1, "?": 1])
        let ramp = r.snapshot(phase: .ramp, planned: 4, ledger: l, inFlight: 2, hold: 10, now: Date(), nowMono: 0)
        #expect(ramp.holdRemaining == nil && ramp.inFlight == 2)
    }

    @Test func timelineCountsHeldConnectionsOnlyWhileAliveWhenClosing() {
        var r = RunRecorder()
        r.startedAt = Date(timeIntervalSince1970: 0)
        var l = ledger()
        r.sampleTimeline(at: Date(timeIntervalSince1970: 1), phase: .hold, ledger: l) { _ in false }
        l.beginClose()
        r.sampleTimeline(at: Date(timeIntervalSince1970: 2), phase: .close, ledger: l) { $0 != 1 }  // record 1 (ws-1) has ended
        #expect(r.timeline.map(\.t) == [1, 2])
        #expect(r.timeline[0].perPod == ["ws-0": 2, "ws-1": 1, "?": 1])
        #expect(r.timeline[0].phase == "hold" && r.timeline[0].open == 4 && r.timeline[0].established == 4)
        #expect(r.timeline[1].perPod == ["ws-0": 2, "?": 1])
    }
}
