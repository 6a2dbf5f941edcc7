import Foundation
import Testing
@testable import WSLoad

/// A fixed report exercising every section, built through the real analysis pipeline.
enum ReportFixture {
    static let start = Date(timeIntervalSince1970: 1_795_608_000.25)

    static func make() -> Report {
        let at = { (s: Double) in start.addingTimeInterval(s) }
        let window = RunWindow(runStart: at(0), holdStart: at(10), holdEnd: at(50), closeEnd: at(60))
        let counts = ["ws-0": 12, "ws-1": 8, "ws-2": 0]
        let statistics = DistributionStatistics(counts: counts)
        func s(_ pod: String, _ points: [(Double, Int)]) -> LogSampleSeries {
            LogSampleSeries(pod: pod, samples: points.enumerated().map {
                LogSample(pod: pod, timestamp: at($1.0), activeConnections: $1.1, line: $0 + 1)
            })
        }
        let matches = LogMatcher().match(series: [
            s("ws-0", [(-5, 1), (30, 13), (65, 1)]),
            s("ws-1", [(-5, 0), (30, 7), (65, 0)]),
            s("ws-2", [(-5, 0), (30, 0), (65, 1)]),
        ], window: window, clientCounts: counts)
        let inputs = RunInputs(sourceAddresses: ["127.0.0.1"], cookiePolicy: .none, clientCount: 20)
        let explanations = SpreadExplainer(significanceLevel: 0.05).explain(inputs: inputs, statistics: statistics)
        let pinning = ClientPinning.evaluate(connectionsByClient: ["client-1": ["ws-0", "ws-0"], "client-2": ["ws-0", "ws-1"]])
        let latency = [
            LatencySummary(phase: "connect", count: 20, p50Ms: 1.25, p90Ms: 2.5, p99Ms: 4, maxMs: 4.75),
            LatencySummary(phase: "upgrade", count: 20, p50Ms: 3.5, p90Ms: 8, p99Ms: 12.25, maxMs: 13),
        ]
        let thresholds = GateThresholds(maxSkewPercent: 50, minPodsHit: 2, maxFailed: 1, requireLogMatch: true,
                                        maxLatencyMs: ["upgrade_p99": 10])
        let totals = RunTotals(attempted: 21, established: 20, failed: 1, held: 20, closed: 20,
                               failures: [FailureBucket(phase: "upgrade", reason: "HTTP 503 <Service Unavailable>", count: 1)])
        let gate = Gate(thresholds: thresholds).evaluate(statistics: statistics, failed: totals.failed,
                                                         podMatches: matches, pinning: pinning,
                                                         latencyPercentilesMs: latency.reduce(into: [:]) { $0.merge($1.percentilesMs) { $1 } })
        return Report(
            toolVersion: "0.1.0",
            run: RunMetadata(profile: "demo & <friends>", target: "wss://user:pw@ws.example.com/ws?token=abc&room=1",
                             startedAt: start, endedAt: at(62.5),
                             phases: [PhaseTiming(name: "ramp", start: at(0), end: at(10)),
                                      PhaseTiming(name: "hold", start: at(10), end: at(50)),
                                      PhaseTiming(name: "close", start: at(50), end: at(60))]),
            totals: totals, latency: latency, pods: PodRow.rows(statistics: statistics, matches: matches),
            statistics: statistics, explanations: explanations, clients: pinning, gate: gate,
            notes: ["server logs read with kubectl logs -l app=ws --prefix"],
            warnings: ["3 log lines were not recognised"])
    }
}

@Suite struct ReportTests {
    @Test func fixturePipelineProducesExpectedVerdicts() {
        let r = ReportFixture.make()
        #expect(r.pods.map(\.match) == [.matched, .serverHasFewer, .notReturnedToBaseline])
        #expect(r.gate.checks.map(\.name) == ["max_skew", "min_pods_hit", "max_failed", "require_log_match",
                                              "max_upgrade_p99_ms"])
        #expect(r.gate.checks.map(\.passed) == [false, true, true, false, false])
        #expect(r.exitCode == .gateFailed)
        #expect(r.explanations.map(\.code) == [.singleSourceAddress])
        #expect(r.run.target == "wss://REDACTED@ws.example.com/ws?token=REDACTED&room=1")
    }

    @Test func jsonRoundTripIsLossless() throws {
        let report = ReportFixture.make()
        let json = JSONRenderer.render(report)
        let decoded = try Report.decode(json: Data(json.utf8))
        #expect(decoded == report)
        #expect(JSONRenderer.render(decoded) == json)
    }

    @Test func roundTripOfSubMillisecondDates() throws {
        var report = ReportFixture.make()
        report.run = RunMetadata(profile: nil, target: "ws://x", startedAt: Date(timeIntervalSince1970: 1_795_608_000.123456),
                                 endedAt: Date(timeIntervalSinceReferenceDate: 815_915_123.987654))
        let decoded = try Report.decode(json: Data(JSONRenderer.render(report).utf8))
        #expect(decoded == report)
        #expect(ReportDate.format(report.run.startedAt) == "2026-11-25T12:00:00.123Z")
    }

    @Test func unsupportedSchemaIsRejected() throws {
        var report = ReportFixture.make()
        report.schemaVersion = Report.currentSchemaVersion + 1
        #expect(throws: DecodingError.self) { try Report.decode(json: Data(JSONRenderer.render(report).utf8)) }
    }

    @Test func reportDateFormatting() {
        #expect(ReportDate.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(ReportDate.format(Date(timeIntervalSince1970: 951_782_400.5)) == "2000-02-29T00:00:00.500Z")
        #expect(ReportDate.format(Date(timeIntervalSince1970: -0.001)) == "1969-12-31T23:59:59.999Z")
        #expect(ReportDate.parse("2026-11-25T13:00:00.1234+01:00") == Date(timeIntervalSince1970: 1_795_608_000.123))
    }

    @Test func failureBucketsAreSorted() {
        let t = RunTotals(attempted: 5, established: 1, failed: 4, held: 1, closed: 1, failures: [
            FailureBucket(phase: "tls", reason: "x", count: 1), FailureBucket(phase: "connect", reason: "ECONNREFUSED", count: 2),
            FailureBucket(phase: "connect", reason: "ETIMEDOUT", count: 1),
        ])
        #expect(t.failures.map(\.reason) == ["ECONNREFUSED", "ETIMEDOUT", "x"])
    }

    @Test func redactURL() {
        #expect(Redaction.redactURL("wss://alice:s3cret@example.com:8443/ws?api_key=1&x=2&Token=t#frag")
            == "wss://REDACTED@example.com:8443/ws?api_key=REDACTED&x=2&Token=REDACTED#frag")
        #expect(Redaction.redactURL("ws://example.com/ws?room=1&sig=abc&password=p&auth") ==
            "ws://example.com/ws?room=1&sig=REDACTED&password=REDACTED&auth")
        #expect(Redaction.redactURL("ws://example.com/a@b") == "ws://example.com/a@b")
        let once = Redaction.redactURL("wss://u:p@h/?secret=x")
        #expect(Redaction.redactURL(once) == once)
    }

    @Test func redactHeaders() {
        let cookie = Redaction.redactHeaderValue(name: "Cookie", value: "route=abc; session=xyz")
        #expect(cookie == "route=\(Redaction.placeholder(for: "abc")); session=\(Redaction.placeholder(for: "xyz"))")
        #expect(cookie.hasPrefix("route=<redacted:3 chars #"))
        #expect(Redaction.placeholder(for: "abc") != Redaction.placeholder(for: "abd"))
        #expect(Redaction.fnv1aHex("") == "811c9dc5")
        #expect(Redaction.fnv1aHex("a") == "e40c292c")
        #expect(Redaction.redactHeaderValue(name: "set-cookie", value: "SERVERID=ws-1; Path=/; HttpOnly")
            == "SERVERID=\(Redaction.placeholder(for: "ws-1")); Path=/; HttpOnly")
        #expect(Redaction.redactHeaderValue(name: "Authorization", value: "Bearer abc.def")
            == "Bearer \(Redaction.placeholder(for: "abc.def"))")
        #expect(Redaction.redactHeaderValue(name: "X-Api-Key", value: "k") == Redaction.placeholder(for: "k"))
        #expect(Redaction.redactHeaderValue(name: "X-Session-Token", value: "k") == Redaction.placeholder(for: "k"))
        #expect(Redaction.redactHeaderValue(name: "Origin", value: "https://a") == "https://a")
        #expect(Redaction.isSecretHeader("Proxy-Authorization") && !Redaction.isSecretHeader("Host"))
    }

    @Test func formatsHaveExtensions() {
        #expect(ReportFormat.allCases.map(\.fileExtension) == ["txt", "json", "xml", "md", "svg", "html"])
        #expect(ReportFormat(rawValue: "junit") == .junit)
    }
}
