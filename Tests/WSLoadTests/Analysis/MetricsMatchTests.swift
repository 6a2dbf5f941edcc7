import Foundation
import Testing

@testable import WSLoad

/// The pods' own metrics matched against wsload's counts in the one analysis: rows, gate
/// `require_metrics_match`, INCOMPLETE when unreadable, the scrape-interval notes, every renderer.
@Suite struct MetricsMatchTests {
    static let start = AnalyzerVerdictTests.start
    /// 4 held connections: ws-0 ×2, ws-1 ×2; ramp 0–1 s, hold 1–5 s, close 5–6 s.
    static let result = AnalyzerVerdictTests.result(4, .held)

    /// A series read before the run, during the hold and after close.
    static func series(_ pod: String, before: Int, hold: Int, after: Int?) -> LogSampleSeries {
        var samples = [
            LogSample(pod: pod, timestamp: start.addingTimeInterval(-0.5), activeConnections: before, line: 1, phase: .before),
            LogSample(pod: pod, timestamp: start.addingTimeInterval(3), activeConnections: hold, line: 2, phase: .hold),
        ]
        if let after { samples.append(LogSample(pod: pod, timestamp: start.addingTimeInterval(7), activeConnections: after, line: 3, phase: .after)) }
        return LogSampleSeries(pod: pod, samples: samples)
    }

    static func report(
        _ series: [LogSampleSeries]?, interval: Double = 1, problems: [String] = [], require: Bool = true,
        result: EngineResult = result, shape: ReportRawData.RunShape? = nil
    ) -> Report {
        var thresholds = GateThresholds(maxFailed: 0)
        thresholds.requireMetricsMatch = require
        var context = ReportContext(target: "ws://127.0.0.1:9/ws", knownPods: ["ws-0": 1, "ws-1": 1], thresholds: thresholds)
        context.serverMetrics = series.map {
            ServerMetricsData(source: "Prometheus http://p:9090: sum by (pod) (ws)", scrapeIntervalSeconds: interval, series: $0, problems: problems)
        }
        return ReportBuilder.build(result: result, context: context, shape: shape)
    }

    @Test func countsThatAddUpMatchAndPassTheGate() throws {
        // ws-0: 1 other connection throughout, +2 for wsload; ws-1: 0 → 2 → 0.
        let r = Self.report([Self.series("ws-0", before: 1, hold: 3, after: 1), Self.series("ws-1", before: 0, hold: 2, after: 0)])
        let m = try #require(r.metricsMatch)
        #expect(m.pods.map(\.classification) == [.matched, .matched])
        #expect(m.pods.map(\.delta) == [2, 2] && m.pods.map(\.clientCount) == [2, 2])
        #expect(m.notes.isEmpty && m.unreadable == nil)
        let check = try #require(r.gate.checks.first { $0.name == "require_metrics_match" })
        #expect(check.passed && check.detail == "all 2 pods match the server metrics")
        #expect(r.gate.status == .pass)
        // The section and its raw data survive a JSON round trip, and re-analysis gives the same report.
        let decoded = try Report.decode(json: Data(JSONRenderer.render(r).utf8))
        #expect(decoded.metricsMatch == m)
        #expect(Analyzer.analyse(AnalysisInput(report: decoded)).metricsMatch == m)
    }

    @Test func aPodMissingFromTheMetricsFailsTheGate() {
        let r = Self.report([Self.series("ws-0", before: 0, hold: 2, after: 0)])
        #expect(r.metricsMatch?.pods.map(\.classification) == [.matched, .noServerData])
        #expect(r.gate.status == .fail)
        #expect(r.gate.failedChecks.map(\.detail) == ["ws-1: no server data"])
    }

    @Test func fewerOnTheServerIsAMismatch() {
        let r = Self.report([Self.series("ws-0", before: 0, hold: 2, after: 0), Self.series("ws-1", before: 0, hold: 1, after: 0)])
        #expect(r.metricsMatch?.pods.map(\.classification) == [.matched, .serverHasFewer])
        #expect(r.gate.failedChecks.map(\.name) == ["require_metrics_match"])
    }

    @Test func unreadableMetricsMakeARequiredMatchIncomplete() {
        let down = "Prometheus http://p:9090: query `sum by (pod) (ws)`: connect 127.0.0.1:9090: ECONNREFUSED (×7)"
        let r = Self.report([], problems: [down])
        #expect(r.gate.status == .incomplete)
        #expect(r.gate.incomplete == "server metrics were required but could not be read (\(down))")
        #expect(r.metricsMatch?.unreadable == down && r.metricsMatch?.pods == [])
        #expect(TableRenderer.render(r).contains("  metrics could not be read: \(down)"))
        // Not required: the section says so, the verdict does not depend on it.
        #expect(Self.report([], problems: [down], require: false).gate.status == .pass)
        // Required but never read (not configured, or a split run that does not read them).
        #expect(Self.report(nil).gate.incomplete == "server metrics were required but none were read")
    }

    @Test func aHoldShorterThanTwoScrapeIntervalsAndAMissingReturnAreNoted() {
        // Hold 4 s, interval 2.5 s: 4 < 5.
        let r = Self.report([Self.series("ws-0", before: 0, hold: 2, after: nil), Self.series("ws-1", before: 0, hold: 2, after: 0)], interval: 2.5)
        #expect(
            r.metricsMatch?.notes == [
                "The hold (4.0 s) is shorter than twice the scrape interval (2.5 s): the hold sample may be missing or from the ramp.",
                "No metrics sample newer than the end of close for ws-0 within the wait: their return to the baseline is not verified.",
            ])
        // Exactly two intervals is enough.
        #expect(Self.report([Self.series("ws-0", before: 0, hold: 2, after: 0)], interval: 2).metricsMatch?.notes.isEmpty == true)
    }

    @Test func aMergeOfTwoShardsMatchesTheirSumAgainstTheLongestSeries() throws {
        // Each shard holds 4 (ws-0 ×2, ws-1 ×2); the pods' gauges count both shards: 0 → 4 → 0. Shard 0 (given first)
        // missed the after-close sample; shard 1's longer series is used.
        func shard(_ index: Int, samples: Int) -> Report {
            var series = [Self.series("ws-0", before: 0, hold: 4, after: 0), Self.series("ws-1", before: 0, hold: 4, after: 0)]
            if samples < 3 { series = series.map { LogSampleSeries(pod: $0.pod, samples: Array($0.samples.prefix(samples))) } }
            var result = Self.result
            for i in result.records.indices { result.records[i].client = 2 * i + index }  // shard i of 2 over 8 clients
            let shape = ReportRawData.RunShape(
                clients: 8, connectionsPerClient: 1, shard: ShardSpec(index: index, count: 2), connections: 4, sourceCount: 0)
            return Self.report(series, problems: samples < 3 ? ["scrape http://x: timed out"] : [], result: result, shape: shape)
        }
        let merged = try ReportMerger.merge([shard(0, samples: 2), shard(1, samples: 3)])
        #expect(merged.metricsMatch?.pods.map(\.afterClose) == [0, 0])
        #expect(merged.metricsMatch?.notes == ["Read problems: scrape http://x: timed out"])  // no "no sample newer than close"
        #expect(merged.totals.held == 8)
        #expect(merged.metricsMatch?.pods.map(\.clientCount) == [4, 4])
        #expect(merged.metricsMatch?.pods.map(\.classification) == [.matched, .matched])
        #expect(merged.raw?.serverMetrics?.problems == ["scrape http://x: timed out"])
        #expect(merged.gate.checks.first { $0.name == "require_metrics_match" }?.passed == true)
    }

    @Test func everyRendererShowsTheSection() {
        let r = Self.report([Self.series("ws-0", before: 1, hold: 3, after: 1), Self.series("ws-1", before: 0, hold: 1, after: 0)])
        let title = "Server metrics: Prometheus http://p:9090: sum by (pod) (ws), scrape interval 1.0 s"
        let table = TableRenderer.render(r)
        #expect(table.contains(title))
        #expect(table.split(separator: "\n").contains { $0.hasPrefix("  ws-1") && $0.hasSuffix("server has fewer") && $0.contains("+1") })
        let md = MarkdownRenderer.render(r)
        #expect(md.contains("**\(title)**"))
        #expect(md.contains("| ws-0 | 2 | 1 | 3 | +2 | 1 | matched |"))
        #expect(md.contains("| ws-1 | 2 | 0 | 1 | +1 | 0 | server has fewer |"))
        let html = HTMLRenderer.render(r)
        #expect(html.contains("<h2>\(title)</h2>"))
        #expect(
            html.contains(
                "<tr><td>ws-1</td><td class=\"num\">2</td><td class=\"num\">0</td><td class=\"num\">1</td><td class=\"num\">+1</td><td class=\"num\">0</td><td class=\"fail\">server has fewer</td></tr>"
            ))
        let junit = JUnitRenderer.render(r)
        #expect(junit.contains("<property name=\"metrics.source\" value=\"Prometheus http://p:9090: sum by (pod) (ws)\"/>"))
        #expect(junit.contains("<testcase classname=\"wsload.gate\" name=\"require_metrics_match\" time=\"0\">"))
        #expect(junit.contains("ws-1: wsload 2, baseline 0, hold 1, Δ +1, after close 0: server has fewer"))
        // Without server metrics no renderer mentions them.
        let plain = Self.report(nil, require: false)
        #expect(plain.metricsMatch == nil)
        for text in [
            TableRenderer.render(plain), MarkdownRenderer.render(plain), HTMLRenderer.render(plain), JUnitRenderer.render(plain),
            JSONRenderer.render(plain),
        ] {
            #expect(!text.contains("Server metrics") && !text.contains("metricsMatch") && !text.contains("serverMetrics"))
        }
    }
}
