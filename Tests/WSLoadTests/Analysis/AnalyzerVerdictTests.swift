import Foundation
import Testing

@testable import WSLoad

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The verdicts the one analysis gives for runs that must never come out green: interrupted, unreachable,
/// every connection dropped, connections unaccounted for, a lost worker; and pinning only over attributed
/// connections. Each case failed on the wiring before (PASS, exit 0 or 3 with "Verdict: PASS").
@Suite struct AnalyzerVerdictTests {
    static let start = Date(timeIntervalSince1970: 1_795_608_000)

    /// `n` records of `status` (held ones attributed to ws-0/ws-1 alternately unless `attributed` is false).
    static func result(
        _ n: Int, _ status: ConnectionRecord.Status, attributed: Bool = true, failure: ConnectionFailure? = nil,
        interrupted: Bool = false
    ) -> EngineResult {
        var records: [ConnectionRecord] = []
        for i in 0..<n {
            var r = ConnectionRecord(index: i, client: i, conn: 0)
            r.status = status
            r.local = "127.0.0.\(2 + i):4000\(i)"
            if status != .failed, attributed { r.pod = "ws-\(i % 2)"; r.podSource = .header }
            r.failure = failure
            records.append(r)
        }
        var held: [String: Int] = [:]
        for r in records where r.status == .held { held[r.pod ?? "?", default: 0] += 1 }
        return EngineResult(
            records: records, startedAt: start, holdStartedAt: start.addingTimeInterval(1),
            holdEndedAt: start.addingTimeInterval(5), endedAt: start.addingTimeInterval(6), histograms: [:],
            heldPerPod: held, warnings: [], interrupted: interrupted, distinctCookieValues: 0)
    }

    static let gate = GateThresholds(maxSkewPercent: 50, maxFailed: 0)
    static func report(_ result: EngineResult, thresholds: GateThresholds = gate) -> Report {
        ReportBuilder.build(
            result: result,
            context: ReportContext(
                target: "ws://127.0.0.1:9/ws", knownPods: ["ws-0": 1, "ws-1": 1],
                thresholds: thresholds))
    }

    @Test func aSilentServerThatDropsEveryConnectionFailsTheGate() {
        let pong = ConnectionFailure(phase: .open, kind: .pongTimeout, message: "no pong within 900 ms")
        let r = Self.report(Self.result(4, .dropped, failure: pong))
        #expect(r.totals.dropped == 4 && r.totals.failed == 0 && r.totals.held == 0)
        #expect(r.gate.status == .fail && r.exitCode == .gateFailed)
        // Nothing is held, so the spread cannot be measured either (max_skew fails on no data).
        #expect(r.gate.failedChecks.map(\.name) == ["max_skew", "max_dropped"])
        #expect(r.totals.failures == [FailureBucket(phase: "open", reason: "pong-timeout", count: 4)])
        let table = TableRenderer.render(r)
        #expect(table.contains("dropped 4  held 0") && table.contains("Verdict: FAIL (2 of 3 gate checks failed)"))
    }

    @Test func anInterruptedRunIsIncompleteInEveryFormat() throws {
        let r = Self.report(Self.result(4, .held, interrupted: true))
        #expect(r.gate.status == .incomplete && r.exitCode == .runIncomplete)
        #expect(r.gate.incomplete == "the run was interrupted before it completed")
        #expect(TableRenderer.render(r).contains("Verdict: INCOMPLETE (the run was interrupted before it completed)"))
        #expect(MarkdownRenderer.render(r).hasPrefix("### ⚠️ wsload INCOMPLETE"))
        #expect(HTMLRenderer.render(r).contains("<span class=\"fail\">INCOMPLETE</span>"))
        #expect(SVGRenderer.render(r).contains(">INCOMPLETE</text>"))
        let junit = JUnitRenderer.render(r)
        #expect(junit.contains("errors=\"1\"") && junit.contains("<error message=\"run incomplete: the run was interrupted"))
        let decoded = try Report.decode(json: Data(JSONRenderer.render(r).utf8))
        #expect(decoded.gate.status == .incomplete && decoded.exitCode == .runIncomplete)
    }

    @Test func anUnreachableTargetIsIncompleteAndSaysWhy() {
        let refused = ConnectionFailure.system(.tcpConnect, "connect", errno: ECONNREFUSED)
        let r = Self.report(Self.result(3, .failed, failure: refused))
        #expect(r.gate.incomplete == "no connection could be established (3 attempted; most frequent failure: tcp-connect: ECONNREFUSED ×3)")
        #expect(JUnitRenderer.render(r).contains("tests=\"4\" failures=\"2\" errors=\"1\""))
    }

    @Test func connectionsWithUnknownFateMakeTheRunIncomplete() {
        var result = Self.result(4, .held)
        result.records[3].status = .connecting
        let r = Self.report(result)
        #expect(r.totals.unaccounted == 1)
        #expect(r.gate.incomplete == "1 connection's fate is unknown")
    }

    @Test func aLostWorkerMakesTheMergeIncomplete() throws {
        var plan = RunPlan(url: try WebSocketURL("ws://127.0.0.1:9/ws"), clients: 4, connectionsPerClient: 1)
        plan.shard = ShardSpec(index: 0, count: 2)
        let part = ReportBuilder.build(
            result: Self.result(2, .held), context: ReportContext(target: "ws://127.0.0.1:9/ws", thresholds: Self.gate),
            shape: ReportRawData.RunShape(plan: plan))
        let merged = try ReportMerger.merge(
            [part],
            options: ReportMerger.Options(lostShards: [
                LostShard(shard: ShardSpec(index: 1, count: 2), connections: 2, reason: "worker 1 exited with signal 9 (SIGKILL)")
            ]))
        #expect(merged.gate.status == .incomplete)
        #expect(merged.gate.incomplete == "worker 1 exited with signal 9 (SIGKILL): the fate of its 2 connections (shard 1/2) is unknown")
        let missing = try ReportMerger.merge([part])
        #expect(missing.gate.incomplete == "shard 1/2 missing from the merge")
    }

    @Test func pinningIsJudgedOverAttributedConnectionsOnly() {
        let r = Self.report(Self.result(6, .held, attributed: false), thresholds: GateThresholds(clientsPinned: true))
        #expect(r.placements.isEmpty)
        #expect(!TableRenderer.render(r).contains("pinned to one pod"))
        let check = r.gate.checks.first { $0.name == "clients_pinned" }
        #expect(check?.detail == "no per-client attribution was recorded" && check?.measured == nil)
    }
}
