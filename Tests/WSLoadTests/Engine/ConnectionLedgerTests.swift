import Testing
import WSProtocol

@testable import WSLoad

/// The connection ledger: statuses, counters, per-pod held counts, attribution on open and reopen, and the
/// run's invariant `attempted = failed + dropped + held` after any sequence of events.
@Suite struct ConnectionLedgerTests {
    private let peerGone = ConnectionOutcome.closed(code: .goingAway, reason: "", byPeer: true)
    private let refused = ConnectionOutcome.failed(ConnectionFailure(phase: .tcpConnect, kind: .system, message: "refused"))

    private func open(
        _ l: inout ConnectionLedger, _ i: Int, pod: (String, AttributionSource, String?)? = nil, closing: Bool = false,
        now: UInt64 = 0, rec: inout RunRecorder
    ) -> (client: Int, conn: Int)? {
        l.opened(
            i, pod: pod, receivedCookies: [], deflate: false, tlsResumed: false, timeline: ConnectionTimeline(), local: nil,
            closing: closing, now: now, recorder: &rec)
    }

    @Test func countersFollowOpensFailuresDropsAndCloses() {
        var rec = RunRecorder()
        var l = ConnectionLedger(clients: [0, 1], connectionsPerClient: 2, rules: AttributionRules())
        #expect(l.records.map { [$0.client, $0.conn] } == [[0, 0], [0, 1], [1, 0], [1, 1]])
        for i in 0..<4 { l.launched(i, reconnect: false, cookieHeader: nil, sentJarCookie: false) }
        let first = open(&l, 0, pod: ("ws-0", .header, nil), rec: &rec)
        #expect(first?.client == 0 && first?.conn == 0)
        _ = open(&l, 1, pod: ("ws-1", .header, nil), rec: &rec)
        _ = open(&l, 2, pod: ("ws-0", .header, nil), rec: &rec)
        let failed = l.ended(3, outcome: refused, timeline: ConnectionTimeline(), local: nil, reconnect: nil, now: 0, recorder: &rec)
        #expect(failed.attemptOf?.client == 1 && failed.attemptOf?.conn == 1 && failed.reconnectAfter == nil)
        #expect(l.launched == 4 && l.established == 3 && l.failed == 1 && l.open == 3)
        // The peer goes away from record 1 during the hold; no reconnect policy.
        let drop = l.ended(1, outcome: peerGone, timeline: ConnectionTimeline(), local: nil, reconnect: nil, now: 0, recorder: &rec)
        #expect(drop.attemptOf == nil && drop.reconnectAfter == nil)
        #expect(l.records[1].status == .dropped && l.records[1].failure?.kind == .peerClosed && l.records[1].failure?.closeCode == 1001)
        #expect(l.records[1].peerCloseCode == 1001)
        #expect(l.dropped == 1 && l.open == 2)
        l.beginClose()
        #expect(l.heldPerPod == ["ws-0": 2])
        #expect(l.records.map(\.status) == [.held, .dropped, .held, .failed])
        for i in [0, 2] {
            _ = l.ended(
                i, outcome: .closed(code: .normalClosure, reason: "", byPeer: false), timeline: ConnectionTimeline(), local: nil, reconnect: nil,
                now: 0, recorder: &rec)
        }
        #expect(l.open == 0 && l.ended == l.launched)
    }

    @Test func anAttemptOpeningWhileClosingIsHeldAndCounted() {
        var rec = RunRecorder()
        var l = ConnectionLedger(clients: [0], connectionsPerClient: 1, rules: AttributionRules())
        l.launched(0, reconnect: false, cookieHeader: nil, sentJarCookie: false)
        l.beginClose()
        _ = open(&l, 0, pod: ("ws-2", .header, nil), closing: true, rec: &rec)
        #expect(l.records[0].status == .held && l.heldPerPod == ["ws-2": 1])
    }

    @Test func aDropReconnectsAndMeasuresTheDisruption() {
        var rec = RunRecorder()
        let policy = ReconnectPolicy(maxRetries: 1, initialBackoff: 0.5, maxBackoff: 10, jitter: 0)
        var l = ConnectionLedger(clients: [0], connectionsPerClient: 1, rules: AttributionRules())
        l.launched(0, reconnect: false, cookieHeader: nil, sentJarCookie: false)
        _ = open(&l, 0, pod: ("ws-0", .header, nil), rec: &rec)
        var t = ConnectionTimeline()
        t.ended = 1_000_000_000
        let drop = l.ended(0, outcome: peerGone, timeline: t, local: nil, reconnect: policy, now: 0, recorder: &rec)
        #expect(drop.reconnectAfter == 0.5)  // first attempt: the initial back-off, no jitter
        #expect(l.records[0].status == .reconnecting && l.records[0].reconnectAttempts == 1)
        let due = l.reconnectDue(0), dueAgain = l.reconnectDue(0)
        #expect(due)
        #expect(!dueAgain, "a reconnect is due once")
        l.launched(0, reconnect: true, cookieHeader: nil, sentJarCookie: false)
        #expect(l.launched == 2)
        // Reopened on another pod 250 ms after the drop.
        let reopened = open(&l, 0, pod: ("ws-1", .header, nil), now: 1_250_000_000, rec: &rec)
        #expect(reopened == nil)
        let r = l.records[0]
        #expect(r.status == .open && r.pod == "ws-1" && r.previousPods == ["ws-0"] && r.reconnects == 1)
        #expect(r.disruptionsMs == [250])
        #expect(rec.histograms["disruption"]?.totalCount == 1)
        #expect(l.reconnectsDone == 1 && l.open == 1 && l.established == 1)
    }

    @Test func aFailedReconnectGivesUpAfterTheRetries() {
        var rec = RunRecorder()
        let policy = ReconnectPolicy(maxRetries: 1, initialBackoff: 0.1, maxBackoff: 1, jitter: 0)
        var l = ConnectionLedger(clients: [0], connectionsPerClient: 1, rules: AttributionRules())
        l.launched(0, reconnect: false, cookieHeader: nil, sentJarCookie: false)
        _ = open(&l, 0, rec: &rec)
        _ = l.ended(0, outcome: peerGone, timeline: ConnectionTimeline(), local: nil, reconnect: policy, now: 5, recorder: &rec)
        let due = l.reconnectDue(0)
        #expect(due)
        l.launched(0, reconnect: true, cookieHeader: nil, sentJarCookie: false)
        let again = l.ended(0, outcome: refused, timeline: ConnectionTimeline(), local: nil, reconnect: policy, now: 6, recorder: &rec)
        #expect(again.reconnectAfter == nil && again.attemptOf == nil)
        #expect(l.records[0].status == .dropped && l.records[0].failure?.message == "refused")
        #expect(l.dropped == 1 && l.failed == 0)
    }

    @Test func closingTurnsWaitingReconnectsIntoDrops() {
        var rec = RunRecorder()
        var l = ConnectionLedger(clients: [0], connectionsPerClient: 1, rules: AttributionRules())
        l.launched(0, reconnect: false, cookieHeader: nil, sentJarCookie: false)
        _ = open(&l, 0, rec: &rec)
        _ = l.ended(0, outcome: peerGone, timeline: ConnectionTimeline(), local: nil, reconnect: ReconnectPolicy(), now: 0, recorder: &rec)
        l.beginClose()
        #expect(l.records[0].status == .dropped)
        let due = l.reconnectDue(0)
        #expect(!due)
    }

    @Test func configuredCookieSentNamesThePodWhenTheResponseDoesNot() {
        var rec = RunRecorder()
        var l = ConnectionLedger(clients: [0], connectionsPerClient: 2, rules: AttributionRules(cookieName: "SERVERID", cookieMap: ["abc": "ws-0"]))
        l.launched(0, reconnect: false, cookieHeader: "a=1; SERVERID=abc", sentJarCookie: true)
        l.launched(1, reconnect: false, cookieHeader: nil, sentJarCookie: false)
        _ = open(&l, 0, rec: &rec)
        _ = open(&l, 1, pod: ("ws-3", .header, "xyz"), rec: &rec)
        #expect(l.records[0].pod == "ws-0" && l.records[0].podSource == .cookie && l.records[0].sentCookie)
        #expect(l.records[1].pod == "ws-3" && l.records[1].podSource == .header && l.records[1].affinityCookie == "xyz")
        #expect(l.cookieValues == ["abc", "xyz"])
        // A first message naming a pod wins over a cookie's, not over a header's.
        l.firstMessage(0, pod: "ws-9", seconds: 0.004)
        l.firstMessage(1, pod: "ws-9", seconds: nil)
        #expect(l.records[0].pod == "ws-9" && l.records[0].podSource == .firstMessage && l.records[0].firstMessageMs == 4)
        #expect(l.records[1].pod == "ws-3")
    }

    @Test func openAndReopenAttributeTheSameWayByARecognisedCookie() {
        // No configured cookie: a recognised balancer cookie (INGRESSCOOKIE) the connection sent names its pod,
        // on the first open and on a reopen alike, and is kept as the record's affinity cookie both times.
        var rec = RunRecorder()
        var first = ConnectionLedger(clients: [0], connectionsPerClient: 1, rules: AttributionRules())
        first.launched(0, reconnect: false, cookieHeader: "INGRESSCOOKIE=s1", sentJarCookie: true)
        _ = open(&first, 0, rec: &rec)
        var again = ConnectionLedger(clients: [0], connectionsPerClient: 1, rules: AttributionRules())
        again.launched(0, reconnect: false, cookieHeader: nil, sentJarCookie: false)
        _ = open(&again, 0, pod: ("ws-0", .header, nil), rec: &rec)
        _ = again.ended(0, outcome: peerGone, timeline: ConnectionTimeline(), local: nil, reconnect: ReconnectPolicy(), now: 0, recorder: &rec)
        let due = again.reconnectDue(0)
        #expect(due)
        again.launched(0, reconnect: true, cookieHeader: "INGRESSCOOKIE=s1", sentJarCookie: true)
        _ = open(&again, 0, rec: &rec)
        for l in [first, again] {
            #expect(l.records[0].pod == "s1" && l.records[0].podSource == .cookie && l.records[0].affinityCookie == "s1")
            #expect(l.cookieValues == ["s1"])
        }
        #expect(again.records[0].previousPods == ["ws-0"])
    }

    private let lifetimeClose = ConnectionOutcome.closed(code: .normalClosure, reason: "connection lifetime reached", byPeer: false)

    @Test func aConnectionAtTheEndOfItsLifetimeReopensAndIsAttributedAgainWithoutADrop() {
        var rec = RunRecorder()
        var l = ConnectionLedger(clients: [0], connectionsPerClient: 1, rules: AttributionRules())
        l.launched(0, reconnect: false, cookieHeader: nil, sentJarCookie: false)
        _ = open(&l, 0, pod: ("ws-0", .header, nil), rec: &rec)
        let end = l.ended(
            0, outcome: lifetimeClose, timeline: ConnectionTimeline(), local: nil, reconnect: nil, reopenAfter: 0.2, now: 0, recorder: &rec)
        #expect(end.recycle && end.reconnectAfter == 0.2 && end.attemptOf == nil)
        #expect(l.records[0].status == .reconnecting && l.open == 0 && l.dropped == 0 && l.records[0].failure == nil)
        let due = l.reconnectDue(0)
        #expect(due)
        l.launched(0, reconnect: true, cookieHeader: nil, sentJarCookie: false)
        _ = open(&l, 0, pod: ("ws-3", .header, nil), now: 5, rec: &rec)
        // Recycled twice: ws-0 → ws-3 → ws-3.
        _ = l.ended(0, outcome: lifetimeClose, timeline: ConnectionTimeline(), local: nil, reconnect: nil, reopenAfter: 0, now: 0, recorder: &rec)
        let due1 = l.reconnectDue(0)
        #expect(due1)
        l.launched(0, reconnect: true, cookieHeader: nil, sentJarCookie: false)
        _ = open(&l, 0, pod: ("ws-3", .header, nil), now: 6, rec: &rec)
        let r = l.records[0]
        #expect(r.status == .open && r.pod == "ws-3" && r.recycles == 2 && r.recycledFromPods == ["ws-0", "ws-3"])
        #expect(r.reconnects == 0 && r.previousPods.isEmpty && r.disruptionsMs.isEmpty, "a recycle is not a reconnect")
        #expect(l.recycled == 2 && l.reconnectsDone == 0 && l.established == 1 && l.launched == 3 && l.open == 1)
        l.beginClose()
        #expect(l.records[0].status == .held && l.heldPerPod == ["ws-3": 1])
        #expect(ResilienceSummary.summarise(l.records) == nil, "nothing dropped")
    }

    @Test func aFailedReopenWithoutAReconnectPolicyIsADropThatSaysSo() {
        var rec = RunRecorder()
        var l = ConnectionLedger(clients: [0], connectionsPerClient: 1, rules: AttributionRules())
        l.launched(0, reconnect: false, cookieHeader: nil, sentJarCookie: false)
        _ = open(&l, 0, rec: &rec)
        _ = l.ended(0, outcome: lifetimeClose, timeline: ConnectionTimeline(), local: nil, reconnect: nil, reopenAfter: 0, now: 0, recorder: &rec)
        let due2 = l.reconnectDue(0)
        #expect(due2)
        l.launched(0, reconnect: true, cookieHeader: nil, sentJarCookie: false)
        let end = l.ended(0, outcome: refused, timeline: ConnectionTimeline(), local: nil, reconnect: nil, now: 0, recorder: &rec)
        #expect(end.reconnectAfter == nil && !end.recycle)
        let r = l.records[0]
        #expect(r.status == .dropped && r.failure?.phase == .tcpConnect && r.failure?.kind == .system)
        #expect(r.failure?.message == "the reopen after its connection lifetime failed: refused")
        #expect(l.dropped == 1 && l.failed == 0 && l.recycled == 0 && l.ended == l.launched)
    }

    @Test func aFailedReopenFollowsTheReconnectPolicy() {
        var rec = RunRecorder()
        let policy = ReconnectPolicy(maxRetries: 2, initialBackoff: 0.3, maxBackoff: 1, jitter: 0)
        var l = ConnectionLedger(clients: [0], connectionsPerClient: 1, rules: AttributionRules())
        l.launched(0, reconnect: false, cookieHeader: nil, sentJarCookie: false)
        _ = open(&l, 0, pod: ("ws-0", .header, nil), rec: &rec)
        _ = l.ended(0, outcome: lifetimeClose, timeline: ConnectionTimeline(), local: nil, reconnect: policy, reopenAfter: 0, now: 0, recorder: &rec)
        let due3 = l.reconnectDue(0)
        #expect(due3)
        l.launched(0, reconnect: true, cookieHeader: nil, sentJarCookie: false)
        let end = l.ended(0, outcome: refused, timeline: ConnectionTimeline(), local: nil, reconnect: policy, now: 1_000_000_000, recorder: &rec)
        #expect(end.reconnectAfter == 0.3 && l.records[0].status == .reconnecting && l.records[0].reconnectAttempts == 1)
        let due4 = l.reconnectDue(0)
        #expect(due4)
        l.launched(0, reconnect: true, cookieHeader: nil, sentJarCookie: false)
        _ = open(&l, 0, pod: ("ws-1", .header, nil), now: 1_400_000_000, rec: &rec)
        let r = l.records[0]
        // Back by the reconnect policy: a reconnect 400 ms after the failed reopen, not a recycle.
        #expect(r.status == .open && r.reconnects == 1 && r.recycles == 0 && r.previousPods == ["ws-0"] && r.disruptionsMs == [400])
    }

    @Test func aReopenStillWaitingWhenTheHoldEndsIsLostWithItsCause() {
        var rec = RunRecorder()
        var l = ConnectionLedger(clients: [0], connectionsPerClient: 1, rules: AttributionRules())
        l.launched(0, reconnect: false, cookieHeader: nil, sentJarCookie: false)
        _ = open(&l, 0, rec: &rec)
        _ = l.ended(0, outcome: lifetimeClose, timeline: ConnectionTimeline(), local: nil, reconnect: nil, reopenAfter: 5, now: 0, recorder: &rec)
        l.beginClose()
        let due5 = l.reconnectDue(0)
        #expect(!due5)
        #expect(l.records[0].status == .dropped && l.records[0].failure?.kind == .cancelled && l.dropped == 1)
        #expect(l.records[0].failure?.message.contains("had not completed when the hold ended") == true)
    }

    /// Open connections per pod by definition: every record whose status is `open`, under its pod or `"?"`.
    private static func countOpen(_ l: ConnectionLedger) -> [String: Int] {
        var counts: [String: Int] = [:]
        for r in l.records where r.status == .open { counts[r.pod ?? "?", default: 0] += 1 }
        return counts
    }

    @Test func openPerPodFollowsOpensEndsAndAFirstMessageThatNamesThePod() {
        var rec = RunRecorder()
        var l = ConnectionLedger(clients: [0, 1, 2], connectionsPerClient: 1, rules: AttributionRules())
        for i in 0..<3 { l.launched(i, reconnect: false, cookieHeader: nil, sentJarCookie: false) }
        _ = open(&l, 0, pod: ("ws-0", .header, nil), rec: &rec)
        _ = open(&l, 1, rec: &rec)
        _ = open(&l, 2, rec: &rec)
        #expect(l.openPerPod() == ["ws-0": 1, "?": 2], "two opened without a pod")
        l.firstMessage(1, pod: "ws-1", seconds: 0.01)
        #expect(l.openPerPod() == ["ws-0": 1, "ws-1": 1, "?": 1], "the first message named record 1's pod")
        l.firstMessage(0, pod: "ws-9", seconds: 0.01)
        #expect(l.openPerPod() == ["ws-0": 1, "ws-1": 1, "?": 1], "a header's pod is not replaced")
        _ = l.ended(2, outcome: peerGone, timeline: ConnectionTimeline(), local: nil, reconnect: nil, now: 0, recorder: &rec)
        #expect(l.openPerPod() == ["ws-0": 1, "ws-1": 1], "a pod with none open is absent")
        l.beginClose()
        #expect(l.openPerPod().isEmpty && l.heldPerPod == ["ws-0": 1, "ws-1": 1], "held, no longer open")
    }

    /// A small deterministic generator (64-bit LCG) for the event sequences.
    private struct LCG {
        var state: UInt64
        mutating func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
    }

    @Test(arguments: 0..<200) func everyAttemptEndsFailedDroppedOrHeld(seed: Int) {
        var g = LCG(state: UInt64(seed) &+ 1)
        var rec = RunRecorder()
        let policy = ReconnectPolicy(maxRetries: 2, initialBackoff: 0.1, maxBackoff: 1, jitter: 0)
        var l = ConnectionLedger(clients: [0, 1, 2], connectionsPerClient: 2, rules: AttributionRules())
        let n = l.records.count
        var live = Set<Int>(), opened = Set<Int>(), due = Set<Int>()
        func end(_ i: Int, reconnect: ReconnectPolicy?) {
            let outcome = g.next(2) == 0 ? peerGone : refused
            if l.ended(i, outcome: outcome, timeline: ConnectionTimeline(), local: nil, reconnect: reconnect, now: 0, recorder: &rec)
                .reconnectAfter != nil
            {
                due.insert(i)
            }
            live.remove(i); opened.remove(i)
        }
        // The run: launches, opens, ends (drops, failures, ends of lifetime) and reconnects or reopens in a random order.
        for _ in 0..<60 {
            let i = g.next(n)
            switch g.next(5) {
            case 4 where opened.contains(i) && l.records[i].status == .open:
                if l.ended(
                    i, outcome: lifetimeClose, timeline: ConnectionTimeline(), local: nil, reconnect: policy, reopenAfter: 0, now: 0,
                    recorder: &rec
                ).recycle {
                    due.insert(i)
                }
                live.remove(i); opened.remove(i)
            case 0 where l.records[i].status == .pending:
                l.launched(i, reconnect: false, cookieHeader: nil, sentJarCookie: false); live.insert(i)
            case 1 where live.contains(i) && !opened.contains(i):
                _ = open(&l, i, pod: ("ws-\(g.next(3))", .header, nil), rec: &rec); opened.insert(i)
            case 2 where live.contains(i):
                end(i, reconnect: policy)
            case 3 where due.contains(i):
                due.remove(i)
                if l.reconnectDue(i) { l.launched(i, reconnect: true, cookieHeader: nil, sentJarCookie: false); live.insert(i) }
            default: break
            }
            #expect(l.openPerPod() == Self.countOpen(l), "seed \(seed)")
        }
        // Closing: whatever is in flight opens (held at once) or ends; everything live ends.
        l.beginClose()
        for i in live.sorted() {
            if !opened.contains(i), g.next(2) == 0 { _ = open(&l, i, closing: true, rec: &rec) }
            end(i, reconnect: nil)
        }
        let attempted = l.records.filter { $0.status != .pending }.count
        let count = { (s: ConnectionRecord.Status) in l.records.filter { $0.status == s }.count }
        #expect(attempted == count(.failed) + count(.dropped) + count(.held), "seed \(seed)")
        #expect(l.failed == count(.failed) && l.open == 0 && l.ended == l.launched, "seed \(seed)")
        #expect(l.heldPerPod.values.reduce(0, +) == count(.held), "seed \(seed)")
        #expect(l.recycled == l.records.reduce(0) { $0 + $1.recycles }, "seed \(seed)")
    }
}
