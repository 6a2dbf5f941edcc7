import Foundation
import Histogram
import Testing

@testable import WSLoad

/// `wsload run --metrics-listen`: the exposition built from the engine's live metrics, the small HTTP server,
/// and a scrape during a real run over loopback.
@Suite(.serialized) struct RunMetricsExpositionTests {
    func value(_ samples: [MetricsTextSample], _ name: String, _ labels: [String: String] = [:]) -> Double? {
        MetricsTextParser.value(of: name, matching: labels, in: samples)
    }

    @Test func countsPerPodHistogramBucketsAndPhaseFollowTheEngine() throws {
        var upgrade = Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
        // Microseconds: two upgrades of 3 ms, one of 30 ms.
        _ = upgrade.record(3_000); _ = upgrade.record(3_000); _ = upgrade.record(30_000)
        let m = EngineLiveMetrics(
            phase: .hold, planned: 5, attempted: 5, established: 4, openPerPod: ["ws-0": 2, "ws-1": 1],
            failedPerPod: ["unknown": 1], droppedPerPod: ["ws-1": 1], handshakes: ["upgrade": upgrade])
        let text = RunMetricsExposition.render(m, run: "soak", format: .openMetrics)
        #expect(text.hasSuffix("# EOF\n"))
        let s = try MetricsTextParser.parse(text)
        let run = ["run": "soak"]
        #expect(value(s, "wsload_run_connections_open", run.merging(["pod": "ws-0"]) { a, _ in a }) == 2)
        #expect(value(s, "wsload_run_connections_open", ["pod": "ws-1"]) == 1)
        #expect(value(s, "wsload_run_connections_failed_total", ["pod": "unknown"]) == 1)
        #expect(value(s, "wsload_run_connections_dropped_total", ["pod": "ws-1"]) == 1)
        #expect(value(s, "wsload_run_connections_planned", run) == 5)
        #expect(value(s, "wsload_run_connections_attempted_total") == 5)
        #expect(value(s, "wsload_run_connections_established_total") == 4)
        // Cumulative buckets: 3 ms falls in le=0.005 (not 0.0025), 30 ms in le=0.05 (not 0.025).
        let h = ["phase": "upgrade"]
        func bucket(_ le: String) -> Double? { value(s, "wsload_run_handshake_duration_seconds_bucket", h.merging(["le": le]) { a, _ in a }) }
        #expect(bucket("0.0025") == 0 && bucket("0.005") == 2 && bucket("0.025") == 2 && bucket("0.05") == 3 && bucket("+Inf") == 3)
        #expect(value(s, "wsload_run_handshake_duration_seconds_count", h) == 3)
        let sum = try #require(value(s, "wsload_run_handshake_duration_seconds_sum", h))
        #expect(abs(sum - 0.036) < 0.0001)
        #expect(value(s, "wsload_run_handshake_duration_seconds_count", ["phase": "tls"]) == nil)
        #expect(RunMetricsExposition.phases.map { value(s, "wsload_run_phase", ["phase": $0]) } == [0, 0, 1, 0, 0])
        // Before the engine exists: phase `before`, nothing planned yet.
        let before = try MetricsTextParser.parse(RunMetricsExposition.render(nil, run: "soak", format: .prometheusText))
        #expect(value(before, "wsload_run_phase", ["phase": "before"]) == 1 && value(before, "wsload_run_phase", ["phase": "ramp"]) == 0)
    }

    @Test func onlyGetMetricsIsAnswered() {
        let body: (MetricsExposition) -> String = { $0 == .openMetrics ? "om" : "text" }
        #expect(MetricsHTTPServer.response(to: "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", body: body).2 == "text")
        let om = MetricsHTTPServer.response(
            to: "GET /metrics?x=1 HTTP/1.1\r\nAccept: application/openmetrics-text;version=1.0.0,text/plain;q=0.5\r\n\r\n", body: body)
        #expect(om.0 == "200 OK" && om.1 == MetricsExposition.openMetrics.contentType && om.2 == "om")
        #expect(MetricsHTTPServer.response(to: "GET / HTTP/1.1\r\n\r\n", body: body).0 == "404 Not Found")
        #expect(MetricsHTTPServer.response(to: "POST /metrics HTTP/1.1\r\n\r\n", body: body).0 == "405 Method Not Allowed")
        #expect(MetricsHTTPServer.response(to: "\r\n", body: body).0 == "400 Bad Request")
    }

    @Test func aScrapeDuringTheHoldSeesEveryOpenConnectionPerPod() throws {
        let (url, stop) = try RunSessionTests.pods(["ws-0", "ws-1", "ws-2"])
        defer { stop() }
        var profile = try RunSessionTests.profile(url: url, connections: 6)
        profile.hold = ProfileDuration(seconds: 2)
        var request = RunSession.Request(profile: profile, profileFile: "p.yaml")
        request.metricsListen = SocketAddress(ip: "127.0.0.1", port: 0)
        let lines = Locked<[String]>([])
        let session = try RunSession(request, logger: .lines { line in lines.withLock { $0.append(line) } })
        let scraped = Locked<[MetricsTextSample]?>(nil)
        let scraper = Thread {
            let deadline = Date().addingTimeInterval(15)
            while Date() < deadline, scraped.withLock({ $0 == nil }) {
                let prefix = "wsload: serving the run's metrics on http://"
                if let line = lines.withLock({ $0.first { $0.hasPrefix(prefix) } }),
                    let text = try? HTTPGet.get(String(line.dropFirst(prefix.count - 7)), timeout: 2).text,
                    let samples = try? MetricsTextParser.parse(text),
                    MetricsTextParser.value(of: "wsload_run_phase", matching: ["phase": "hold"], in: samples) == 1
                {
                    scraped.withLock { $0 = samples }
                }
                Thread.sleep(forTimeInterval: 0.1)
            }
        }
        scraper.start()
        let outcome = try session.run()
        let samples = try #require(scraped.withLock { $0 }, "no scrape during the hold; lines: \(lines.withLock { $0 })")
        let open = samples.filter { $0.name == "wsload_run_connections_open" }
        #expect(Set(open.compactMap { $0.labels["pod"] }) == ["ws-0", "ws-1", "ws-2"])
        #expect(open.map(\.value).reduce(0, +) == 6)
        #expect(value(samples, "wsload_run_connections_established_total") == 6)
        #expect(value(samples, "wsload_run_handshake_duration_seconds_count", ["phase": "upgrade"]) == 6)
        #expect(outcome.report.totals.held == 6)
        // The listener is closed once the run has returned.
        #expect(throws: HTTPGet.Failure.self) {
            let line = lines.withLock { $0.first { $0.contains("serving the run's metrics") } } ?? ""
            _ = try HTTPGet.get(String(line.split(separator: " ").last ?? ""), timeout: 1)
        }
    }
}
