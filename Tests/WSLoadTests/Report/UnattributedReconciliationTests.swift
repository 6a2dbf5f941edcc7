import Foundation
import Testing

@testable import WSLoad

/// Pods that disclose no identity: affinity-cookie groups named through one-second log stamps (issue 13,
/// case 1), rotating cookies dropped, and the pods' log deltas as the distribution when nothing is attributed.
@Suite struct UnattributedReconciliationTests {
    /// 2026-12-02T04:25:10Z; the run: start 11.3, hold 11.7–13.6, end 13.9.
    private let t0 = Date(timeIntervalSince1970: 1_796_185_510)

    private func result(_ pods: [String?], podSource: AttributionSource? = nil) -> EngineResult {
        var records: [ConnectionRecord] = []
        var held: [String: Int] = [:]
        for pod in pods {
            var r = ConnectionRecord(index: records.count, client: records.count, conn: 0)
            r.status = .held
            r.pod = pod
            r.podSource = pod == nil ? nil : podSource
            r.affinityCookie = podSource == .cookie ? pod : nil
            records.append(r)
            held[pod ?? "?", default: 0] += 1
        }
        return EngineResult(
            records: records, startedAt: t0.addingTimeInterval(1.3), holdStartedAt: t0.addingTimeInterval(1.7),
            holdEndedAt: t0.addingTimeInterval(3.6), endedAt: t0.addingTimeInterval(3.9), histograms: [:],
            heldPerPod: held, warnings: [], interrupted: false,
            distinctCookieValues: Set(pods.compactMap { $0 }).count)
    }

    /// A pod's saved log stamped to the second: 0 at 04:25:10, ramp to `n` in 04:25:11, close in 04:25:13.
    private func secondsLog(_ pod: String, _ n: Int) throws -> LogSampleSeries {
        var lines = ["2026-12-02T04:25:10Z Active connections: 0"]
        lines += (0..<n).map { "2026-12-02T04:25:11Z Active connections: \($0 + 1)" }
        lines += (0..<n).reversed().map { "2026-12-02T04:25:13Z Active connections: \($0)" }
        return try #require(try ActiveConnectionsParser(referenceDate: t0).parse(lines.joined(separator: "\n"), pod: pod).series().first)
    }

    @Test func cookieGroupsAreNamedThroughOneSecondStamps() throws {
        // Two opaque cookie groups (3 and 2); the pods' logs are stamped to the second.
        let a = "9f3c1e2ab7d04c55a1e0", b = "0d44aa81c3b95e7f2b61"
        let context = ReportContext(
            target: "ws://example/ws", serverLogs: [try secondsLog("ws-0", 3), try secondsLog("ws-1", 2)],
            serverLogsConfigured: true, cookiePolicy: .perClient)
        let report = ReportBuilder.build(result: result([a, a, a, b, b], podSource: .cookie), context: context)
        let rows = Dictionary(uniqueKeysWithValues: report.pods.map { ($0.name, $0) })
        #expect(rows["ws-0"]?.clients == 3 && rows["ws-0"]?.serverDelta == 3 && rows["ws-0"]?.match == .matched)
        #expect(rows["ws-1"]?.clients == 2 && rows["ws-1"]?.serverDelta == 2 && rows["ws-1"]?.match == .matched)
        #expect(report.pods.allSatisfy { $0.clients >= 0 && ($0.serverDelta ?? 0) >= 0 })
    }

    @Test func withNoConnectionAttributedTheLogDeltasAreTheDistribution() throws {
        let context = ReportContext(
            target: "ws://example/ws", knownPods: ["ws-0": 1, "ws-1": 1],
            serverLogs: [try secondsLog("ws-0", 4), try secondsLog("ws-1", 2)], serverLogsConfigured: true)
        let report = ReportBuilder.build(result: result(Array(repeating: nil, count: 6)), context: context)
        #expect(report.pods.map(\.clients) == [4, 2])
        #expect(report.pods.allSatisfy { $0.match == .matched })
        #expect(report.notes.contains { $0.contains("the pods' own log deltas, which add up to 6 of wsload's 6 held (they agree)") })
        #expect(report.warnings.isEmpty)
    }

    @Test func deltasThatDoNotAddUpAreAMismatch() throws {
        let context = ReportContext(
            target: "ws://example/ws", knownPods: ["ws-0": 1, "ws-1": 1],
            serverLogs: [try secondsLog("ws-0", 4), try secondsLog("ws-1", 3)], serverLogsConfigured: true)
        let report = ReportBuilder.build(result: result(Array(repeating: nil, count: 6)), context: context)
        #expect(report.pods.allSatisfy { $0.match == .serverHasMore })
        #expect(report.warnings.contains { $0.contains("add up to 7, but wsload held 6") })
    }

    @Test func aCookieWhoseValuesNeverRepeatAttributesNothing() throws {
        // AWS ALB re-encrypts AWSALB on every response: five connections, five values.
        let values = (0..<5).map { "rotating-value-\($0)-" + String(repeating: "x", count: 20) }
        let context = ReportContext(
            target: "ws://example/ws", knownPods: ["ws-0": 1, "ws-1": 1],
            serverLogs: [try secondsLog("ws-0", 3), try secondsLog("ws-1", 2)], serverLogsConfigured: true)
        let report = ReportBuilder.build(result: result(values, podSource: .cookie), context: context)
        #expect(report.pods.map(\.name) == ["ws-0", "ws-1"])
        #expect(report.pods.map(\.clients) == [3, 2])
        #expect(report.notes.contains { $0.contains("does not group connections by pod") })
    }
}

@Suite struct AffinityCookieNamesTests {
    @Test(arguments: [
        ("INGRESSCOOKIE", true), ("SERVERID", true), ("AWSALB", true), ("AWSALBTG", true), ("GCLB", true),
        ("ARRAffinity", true), ("_TRAEFIK_BACKEND", true), ("_1d52e", true), ("0b6a0aec1b1c6a08d2e7c4e5b5a8d3f4", true),
        ("JSESSIONID", false), ("session", false), ("_ga", false), ("_1D52E", false),
    ])
    func knownNames(name: String, known: Bool) {
        #expect(AffinityCookieNames.isKnown(name) == known)
    }

    @Test func firstRecognisedSkipsTheConfiguredAndOthers() {
        let set = ["session=abc; Path=/", "INGRESSCOOKIE=7f2c; Path=/; HttpOnly", "SERVERID=ws-1"]
        #expect(AffinityCookieNames.first(inSetCookies: set)?.name == "INGRESSCOOKIE")
        #expect(AffinityCookieNames.first(inSetCookies: ["SERVERID=ws-1"], excluding: "SERVERID") == nil)
        #expect(AffinityCookieNames.first(inCookieHeader: "a=1; AWSALB=zz")?.value == "zz")
    }
}
