import Foundation
import Histogram
import Testing

@testable import WSLoad

/// A fixed report exercising every section, built through the product's analysis (``Analyzer``) from raw data.
enum ReportFixture {
    static let start = Date(timeIntervalSince1970: 1_795_608_000.25)

    static func make() -> Report {
        let at = { (s: Double) in start.addingTimeInterval(s) }
        func s(_ pod: String, _ points: [(Double, Int)]) -> LogSampleSeries {
            LogSampleSeries(
                pod: pod,
                samples: points.enumerated().map {
                    LogSample(pod: pod, timestamp: at($1.0), activeConnections: $1.1, line: $0 + 1)
                })
        }
        /// A microsecond histogram holding `count` copies of each value.
        func histogram(_ values: [(UInt64, UInt64)]) -> Histogram<UInt64> {
            var h = Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
            h.autoResize = true
            for (v, n) in values { _ = h.record(v, count: n) }
            return h
        }
        var raw = ReportRawData(result: EngineResult.empty(at: start), context: ReportContext(target: "ws://unused"))
        raw.heldPerPod = ["ws-0": 12, "ws-1": 8, "ws-2": 0]
        raw.histograms = [
            "tcp-connect": histogram([(1_250, 10), (2_500, 8), (4_000, 1), (4_750, 1)]),
            "upgrade": histogram([(3_500, 10), (8_000, 8), (12_250, 2)]),
        ]
        raw.sourceAddresses = ["127.0.0.1"]
        raw.clientCount = 20
        raw.thresholds = GateThresholds(
            maxSkewPercent: 50, minPodsHit: 2, maxFailed: 1, requireLogMatch: true,
            maxLatencyMs: ["upgrade_p99": 10])
        raw.serverLogsConfigured = true
        raw.serverLogs = [
            s("ws-0", [(-5, 1), (30, 13), (65, 1)]),
            s("ws-1", [(-5, 0), (30, 7), (65, 0)]),
            s("ws-2", [(-5, 0), (30, 0), (65, 1)]),
        ]
        raw.window = RunWindow(runStart: at(0), holdStart: at(10), holdEnd: at(50), closeEnd: at(60))
        raw.contextNotes = ["server logs read with kubectl logs -l app=ws --prefix"]
        raw.contextWarnings = ["3 log lines were not recognised"]
        let totals = RunTotals(
            attempted: 21, established: 20, failed: 1, held: 20, dropped: 0,
            failures: [FailureBucket(phase: "upgrade", reason: "HTTP 503 <Service Unavailable>", count: 1)])
        let run = RunMetadata(
            profile: "demo & <friends>", target: "wss://user:pw@ws.example.com/ws?token=abc&room=1",
            startedAt: start, endedAt: at(62.5),
            phases: [
                PhaseTiming(name: "ramp", start: at(0), end: at(10)),
                PhaseTiming(name: "hold", start: at(10), end: at(50)),
                PhaseTiming(name: "close", start: at(50), end: at(60)),
            ])
        var report = Analyzer.analyse(
            AnalysisInput(
                raw: raw, totals: totals, podCountsByClient: ["client-1": ["ws-0": 2], "client-2": ["ws-0": 1, "ws-1": 1]], run: run,
                notes: raw.contextNotes, warnings: raw.contextWarnings))
        report.toolVersion = "0.1.0"
        report.raw = nil  // the render goldens show the analysed sections; the raw section has goldens of its own
        return report
    }
}

@Suite struct ReportTests {
    @Test func fixturePipelineProducesExpectedVerdicts() {
        let r = ReportFixture.make()
        #expect(r.pods.map(\.match) == [.matched, .serverHasFewer, .notReturnedToBaseline])
        #expect(
            r.gate.checks.map(\.name) == [
                "max_skew", "min_pods_hit", "max_failed", "max_dropped",
                "require_log_match", "max_upgrade_p99_ms",
            ])
        #expect(r.gate.checks.map(\.passed) == [false, true, true, true, false, false])
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
        report.run = RunMetadata(
            profile: nil, target: "ws://x", startedAt: Date(timeIntervalSince1970: 1_795_608_000.123456),
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
        let t = RunTotals(
            attempted: 5, established: 1, failed: 4, held: 1, dropped: 1,
            failures: [
                FailureBucket(phase: "tls", reason: "x", count: 1), FailureBucket(phase: "connect", reason: "ECONNREFUSED", count: 2),
                FailureBucket(phase: "connect", reason: "ETIMEDOUT", count: 1),
            ])
        #expect(t.failures.map(\.reason) == ["ECONNREFUSED", "ETIMEDOUT", "x"])
    }

    @Test func redactURL() {
        #expect(
            Redaction.redactURL("wss://alice:s3cret@example.com:8443/ws?api_key=1&x=2&Token=t#frag")
                == "wss://REDACTED@example.com:8443/ws?api_key=REDACTED&x=2&Token=REDACTED#frag")
        #expect(
            Redaction.redactURL("ws://example.com/ws?room=1&sig=abc&password=p&auth")
                == "ws://example.com/ws?room=1&sig=REDACTED&password=REDACTED&auth")
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
        #expect(
            Redaction.redactHeaderValue(name: "set-cookie", value: "SERVERID=ws-1; Path=/; HttpOnly")
                == "SERVERID=\(Redaction.placeholder(for: "ws-1")); Path=/; HttpOnly")
        #expect(
            Redaction.redactHeaderValue(name: "Authorization", value: "Bearer abc.def")
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
