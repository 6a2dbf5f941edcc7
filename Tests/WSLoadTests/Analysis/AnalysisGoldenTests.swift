import Foundation
import Histogram
import Testing

@testable import WSLoad

/// The JSON report for fixed raw input, through every entry point of the analysis (live run, merge of shards,
/// `match-logs`), compared byte for byte with goldens in `Fixtures/golden/analysis-*.json`. The goldens were
/// written before the analysis was consolidated into ``Analyzer``, so they prove the consolidation kept the
/// output; set `WSLOAD_UPDATE_GOLDEN=1` to rewrite them after an intended change (and say why in the commit).
@Suite struct AnalysisGoldenTests {
    static let start = Date(timeIntervalSince1970: 1_795_608_000.5)

    /// 8 clients × 2 connections to ws-0/ws-1 (header), an opaque-cookie group (ws-2, found through its log
    /// delta), one unattributed, one failed upgrade, one dropped by a pong deadline, TLS with resumption, a timeline.
    static func result(clients: [Int]) -> EngineResult {
        let at = { (s: Double) in start.addingTimeInterval(s) }
        var records: [ConnectionRecord] = []
        for c in clients {
            for k in 0..<2 {
                var r = ConnectionRecord(index: c * 2 + k, client: c, conn: k)
                r.local = "127.0.0.\(2 + c % 3):\(40_000 + c * 2 + k)"
                r.status = .held
                r.tcpConnectMs = 0.5 + Double(c) / 10
                r.tlsMs = 2
                r.tlsResumed = c + k > 0
                r.upgradeMs = 1.5
                switch c % 4 {
                case 0, 1: r.pod = "ws-\(c % 4)"; r.podSource = .header
                case 2: r.pod = "opaque-affinity-value"; r.podSource = .cookie; r.affinityCookie = "opaque-affinity-value"
                default: r.pod = nil
                }
                if c == 3, k == 1 {
                    r.status = .failed; r.pod = nil; r.tlsMs = nil
                    r.failure = ConnectionFailure(phase: .upgrade, kind: .httpStatus, httpStatus: 503, message: "HTTP 503 Service Unavailable")
                }
                if c == 1, k == 1 {
                    r.status = .dropped
                    r.failure = ConnectionFailure(phase: .open, kind: .pongTimeout, message: "no pong within 900 ms")
                    r.ageAtDropSeconds = 4
                    r.silentForMsAtDetection = 1_900
                }
                records.append(r)
            }
        }
        var held: [String: Int] = [:]
        for r in records where r.status == .held { held[r.pod ?? "?", default: 0] += 1 }
        func histogram(_ values: [UInt64]) -> Histogram<UInt64> {
            var h = Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
            h.autoResize = true
            for v in values { _ = h.record(v) }
            return h
        }
        var result = EngineResult(
            records: records, startedAt: at(0), holdStartedAt: at(2), holdEndedAt: at(12), endedAt: at(13),
            histograms: [
                "tcp-connect": histogram(records.map { 500 + UInt64($0.client) * 100 }),
                "upgrade": histogram(records.map { 1_500 + UInt64($0.index) * 10 }),
                "half-open-detection": histogram([1_900_000]),
            ],
            heldPerPod: held, warnings: ["engine warning", "shared warning"], interrupted: false,
            distinctCookieValues: clients.contains(where: { $0 % 4 == 2 }) ? 1 : 0)
        result.timeline = [
            TimelinePoint(t: 0, phase: "ramp", open: 0, established: 0, failed: 0, dropped: 0, reconnects: 0, perPod: [:]),
            TimelinePoint(
                t: 2, phase: "hold", open: held.values.reduce(0, +), established: held.values.reduce(0, +) + 1,
                failed: 1, dropped: 0, reconnects: 0, perPod: held),
        ]
        return result
    }

    static func series(_ pod: String, _ points: [(Double, Int)]) -> LogSampleSeries {
        LogSampleSeries(
            pod: pod,
            samples: points.enumerated().map {
                LogSample(pod: pod, timestamp: start.addingTimeInterval($1.0), activeConnections: $1.1, line: $0 + 1)
            })
    }

    static let logs = [
        series("ws-0", [(-1, 3), (5, 7), (14, 3)]),
        series("ws-1", [(-1, 0), (5, 2)]),
        series("ws-2", [(-1, 0), (5, 4), (14, 0)]),
    ]

    static func context() -> ReportContext {
        ReportContext(
            profileName: "golden", target: "wss://user:secret@ws.example.com/ws?token=abc",
            knownPods: ["ws-0": 1, "ws-1": 1, "ws-2": 1], serverLogs: logs, serverLogsConfigured: true,
            cookiePolicy: .perClient,
            thresholds: GateThresholds(
                maxSkewPercent: 50, minPodsHit: 2, maxFailed: 0,
                requireLogMatch: true, maxLatencyMs: ["upgrade_p99": 5]),
            notes: ["context note"], warnings: ["shared warning", "context warning"])
    }

    static func plan(shard: ShardSpec?) -> ReportRawData.RunShape {
        var plan = RunPlan(url: try! WebSocketURL("wss://ws.example.com/ws"), clients: 8, connectionsPerClient: 2)
        plan.shard = shard
        return ReportRawData.RunShape(plan: plan)
    }

    static func json(_ report: Report) -> String { JSONRenderer.render(report) }

    static func compare(_ text: String, golden name: String) throws {
        let url = TestPaths.fixtures.appendingPathComponent("golden/\(name)")
        if ProcessInfo.processInfo.environment["WSLOAD_UPDATE_GOLDEN"] == "1" {
            try text.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(text == expected, "\(name) differs from its golden; WSLOAD_UPDATE_GOLDEN=1 rewrites it")
    }

    @Test func liveRunReport() throws {
        let report = ReportBuilder.build(result: Self.result(clients: Array(0..<8)), context: Self.context(), shape: Self.plan(shard: nil))
        try Self.compare(Self.json(report), golden: "analysis-live.json")
    }

    @Test func mergedShardsReport() throws {
        let shards = (0..<2).map { i -> Report in
            let shard = ShardSpec(index: i, count: 2)
            return ReportBuilder.build(
                result: Self.result(clients: Array(shard.clients(of: 8))), context: Self.context(),
                shape: Self.plan(shard: shard))
        }
        let merged = try ReportMerger.merge(shards)
        try Self.compare(Self.json(merged), golden: "analysis-merged.json")
    }

    @Test func rematchedReport() throws {
        let report = ReportBuilder.build(result: Self.result(clients: Array(0..<8)), context: Self.context(), shape: Self.plan(shard: nil))
        let swapped = [
            Self.series("ws-0", [(-1, 3), (5, 8), (14, 3)]), Self.series("ws-1", [(-1, 0), (5, 1), (14, 0)]),
            Self.series("ws-2", [(-1, 0), (5, 4), (14, 0)]),
        ]
        try Self.compare(Self.json(report.rematched(with: swapped, requireLogMatch: true)), golden: "analysis-rematched.json")
    }
}
