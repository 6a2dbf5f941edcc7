import Foundation
import Testing

@testable import WSLoad

/// The metrics poller: phases by the data's interval, straddling readings left out, the wait for a sample
/// newer than close, problems counted.
@Suite struct ServerMetricsFeedTests {
    /// A source that answers from a script: each read takes the next list of readings (the last repeats).
    final class Scripted: ServerMetricsSource, @unchecked Sendable {
        let script: Locked<[[ServerMetricsReading]]>
        let problem: String?
        let reads = Locked(0)
        init(_ script: [[ServerMetricsReading]], problem: String? = nil) { self.script = Locked(script); self.problem = problem }
        var description: String { "scripted" }
        func read() -> (readings: [ServerMetricsReading], problems: [String]) {
            reads.withLock { $0 += 1 }
            let next = script.withLock { s in s.count > 1 ? s.removeFirst() : s.first ?? [] }
            return (next, problem.map { [$0] } ?? [])
        }
    }

    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    func at(_ s: Double) -> Date { t0.addingTimeInterval(s) }

    @Test func aReadingGetsThePhaseThatHoldsAllOfItsData() {
        let phases: [(LogArrivalPhase, Date)] = [(.before, .distantPast), (.ramp, at(0)), (.hold, at(2)), (.close, at(6)), (.after, at(7))]
        func phase(_ from: Double, _ to: Double) -> LogArrivalPhase? {
            ServerMetricsFeed.phase(of: ServerMetricsReading(pod: "a", value: 0, from: at(from), to: at(to)), in: phases)
        }
        #expect(phase(-1, -0.1) == .before)
        #expect(phase(2, 5.9) == .hold)
        #expect(phase(1.5, 2.5) == nil)  // may be a ramp value
        #expect(phase(5.5, 6.5) == nil)  // may already be closing
        #expect(phase(7.2, 8) == .after)
        #expect(phase(6.5, 7.5) == nil)
    }

    @Test func finishWaitsForAFreshSampleThenStops() {
        // Readings up to 0.6 s old: fresh after close only once read 0.6 s after closeEnd.
        final class Aged: ServerMetricsSource, @unchecked Sendable {
            var description: String { "aged" }
            func read() -> (readings: [ServerMetricsReading], problems: [String]) {
                let now = Date()
                return ([ServerMetricsReading(pod: "a", value: 3, from: now.addingTimeInterval(-0.6), to: now)], [])
            }
        }
        let feed = ServerMetricsFeed(source: Aged(), interval: 0.2, wait: 5)
        feed.readBaseline()
        let closeEnd = Date()
        feed.phaseBegan(.ramp, at: closeEnd.addingTimeInterval(-0.1))
        let started = Date()
        let data = feed.finish(closeEnd: closeEnd)
        let waited = Date().timeIntervalSince(started)
        #expect(waited >= 0.6 && waited < 2, "waited \(waited) s")
        let phases = data.series.first?.samples.map(\.phase) ?? []
        #expect(phases.first == .before && phases.last == .after)
        #expect(data.straddling >= 1)
    }

    @Test func theWaitIsBoundedAndProblemsAreCountedOnce() {
        let feed = ServerMetricsFeed(source: Scripted([[]], problem: "scrape http://x/metrics: connect: ECONNREFUSED"), interval: 0.1, wait: 0.4)
        feed.readBaseline()
        feed.start()
        Thread.sleep(forTimeInterval: 0.3)
        let started = Date()
        let data = feed.finish(closeEnd: Date())
        #expect(Date().timeIntervalSince(started) < 1.5)
        #expect(!data.readable && data.series.isEmpty)
        #expect(data.problems.count == 1)
        #expect(data.problems[0].hasPrefix("scrape http://x/metrics: connect: ECONNREFUSED (×"))
    }
}

/// The Prometheus source: values per pod label, how old each may be, and a server clock that differs from ours.
@Suite struct PrometheusMetricsSourceTests {
    @Test func scrapeTimesAreShiftedByTheServersClockOffset() throws {
        // The server's clock runs 100 s behind; its pods were scraped 0.4 s (ws-0) and 0.7 s (ws-1) before it evaluated.
        let server = try CannedHTTPServer { target in
            let evaluated = Date().timeIntervalSince1970 - 100
            if target.contains("timestamp") {
                return (
                    200,
                    #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"pod":"ws-0"},"value":[\#(evaluated),"\#(evaluated - 0.4)"]},{"metric":{"pod":"ws-1"},"value":[\#(evaluated),"\#(evaluated - 0.7)"]}]}}"#
                )
            }
            return (
                200,
                #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"pod":"ws-0"},"value":[\#(evaluated),"3"]},{"metric":{"pod":"ws-1"},"value":[\#(evaluated),"5"]},{"metric":{"job":"x"},"value":[\#(evaluated),"1"]}]}}"#
            )
        }
        defer { server.stop() }
        let q = PrometheusMetricsSource.queries(metric: "ws", podLabel: "pod")
        let source = PrometheusMetricsSource(
            client: PrometheusAPIClient(baseURL: server.base), query: q.query, timestampQuery: q.timestamp, scrapeInterval: 1)
        let (readings, problems) = source.read()
        #expect(readings.map(\.pod) == ["ws-0", "ws-1"] && readings.map(\.value) == [3, 5])
        for (r, age) in zip(readings, [0.4, 0.7]) {
            let seen = r.to.timeIntervalSince(r.from)
            #expect(abs(seen - age) < 0.15, "\(r.pod): data \(seen) s old, expected \(age)")
        }
        #expect(problems == ["Prometheus \(server.base): sum by (pod) (ws): a series has no pod label (labels: job=x)"])
        // Without a timestamp query the value may be one scrape interval (+0.5 s) old.
        let plain = PrometheusMetricsSource(client: PrometheusAPIClient(baseURL: server.base), query: "sum by (pod) (ws)", scrapeInterval: 1)
        let r = try #require(plain.read().readings.first)
        #expect(abs(r.to.timeIntervalSince(r.from) - 1.5) < 0.001)
    }
}
