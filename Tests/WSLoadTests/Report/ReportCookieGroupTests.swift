import Foundation
import Testing

@testable import WSLoad

/// Connections attributed only by an opaque affinity-cookie value: the value never reaches the report,
/// and the group is matched to a pod through the pods' log deltas.
@Suite struct ReportCookieGroupTests {
    private let t0 = Date(timeIntervalSince1970: 1_795_608_000)

    private func result(_ groups: [(String, Int)]) -> EngineResult {
        var records: [ConnectionRecord] = []
        var held: [String: Int] = [:]
        for (value, n) in groups {
            for _ in 0..<n {
                var r = ConnectionRecord(index: records.count, client: records.count, conn: 0)
                r.status = .held
                r.pod = value
                r.podSource = .cookie
                r.affinityCookie = value
                records.append(r)
            }
            held[value] = n
        }
        return EngineResult(
            records: records, startedAt: t0, holdStartedAt: t0.addingTimeInterval(1), holdEndedAt: t0.addingTimeInterval(11),
            endedAt: t0.addingTimeInterval(12), histograms: [:], heldPerPod: held, warnings: [], interrupted: false,
            distinctCookieValues: groups.count)
    }

    private func series(_ pod: String, _ points: [(Double, Int)]) -> LogSampleSeries {
        LogSampleSeries(
            pod: pod,
            samples: points.enumerated().map { i, p in
                LogSample(pod: pod, timestamp: t0.addingTimeInterval(p.0), activeConnections: p.1, line: i + 1)
            })
    }

    @Test func opaqueValuesAreMatchedToPodsThroughTheLogsAndNeverShown() throws {
        let secretA = "9f3c1e2ab7d04c55a1e0", secretB = "0d44aa81c3b95e7f2b61"
        let logs = [series("ws-0", [(0, 0), (5, 3), (11.5, 0)]), series("ws-1", [(0, 1), (5, 3), (11.5, 1)])]
        let context = ReportContext(target: "ws://example/ws", serverLogs: logs, serverLogsConfigured: true, cookiePolicy: .perClient)
        let report = ReportBuilder.build(result: result([(secretA, 3), (secretB, 2)]), context: context)
        let counts = Dictionary(uniqueKeysWithValues: report.pods.map { ($0.name, $0.clients) })
        #expect(counts == ["ws-0": 3, "ws-1": 2])
        #expect(report.pods.allSatisfy { $0.match == .matched })
        #expect(report.notes.filter { $0.contains("matched to pod") }.count == 2)
        let json = ReportFormat.json.render(report)
        #expect(!json.contains(secretA) && !json.contains(secretB))
        let records = ReportBuilder.buildWithRecords(result: result([(secretA, 3), (secretB, 2)]), context: context).records
        #expect(Set(records.compactMap(\.pod)) == ["ws-0", "ws-1"])
    }

    @Test func withoutLogsTheGroupsStayRedacted() throws {
        let secret = "c0ffee1234567890"
        let context = ReportContext(target: "ws://example/ws", cookiePolicy: .perClient)
        let report = ReportBuilder.build(result: result([(secret, 4)]), context: context)
        #expect(report.pods.map(\.name) == ["cookie#" + Redaction.fnv1aHex(secret)])
        #expect(!ReportFormat.json.render(report).contains(secret))
    }

    @Test func valuesThatArePodNamesAreKept() throws {
        let context = ReportContext(target: "ws://example/ws", knownPods: ["ws-0": 1, "ws-1": 1], cookiePolicy: .perClient)
        let report = ReportBuilder.build(result: result([("ws-0", 2), ("ws-1", 2)]), context: context)
        #expect(Set(report.pods.map(\.name)) == ["ws-0", "ws-1"])
    }
}
