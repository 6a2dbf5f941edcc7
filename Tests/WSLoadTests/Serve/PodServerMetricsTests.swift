import Dispatch
import Foundation
import Testing

@testable import WSLoad

/// `wsload serve` answers `GET /metrics` on its WebSocket port (issue 16, part 2).
@Suite(.serialized) struct PodServerMetricsTests {
    /// The value of the sample `name{pod="ws-0"}` in an exposition text.
    func sample(_ text: String, _ name: String, pod: String = "ws-0") -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix("\(name){pod=\"\(pod)\"} ") {
            return Double(line.split(separator: " ").last!)
        }
        return nil
    }

    @Test func metricsCountAcceptedRejectedClosedAndActiveDuringTheHold() throws {
        let server = try PodServer(
            PodServerConfiguration(listen: SocketAddress(ip: "127.0.0.1", port: 0)!, podName: "ws-0", capacity: 2, ioQueues: 1), logger: .discarding)
        let address = try server.start()
        defer { server.drain(timeout: 1) }
        let url = "http://127.0.0.1:\(address.port)/metrics"
        let idle = try HTTPGet.get(url)
        #expect(idle.status == 200)
        #expect(idle.headers.first("Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
        #expect(sample(idle.text, "wsload_serve_active_connections") == 0)
        #expect(idle.text.contains("# TYPE wsload_serve_active_connections gauge"))
        #expect(idle.text.contains("# TYPE wsload_serve_accepted_connections_total counter"))

        // Three clients against a capacity of two: two held for the hold, one refused with 503.
        var plan = RunPlan(url: try WebSocketURL("ws://127.0.0.1:\(address.port)/"), clients: 3, connectionsPerClient: 1)
        plan.hold = 1.5
        let done = DispatchSemaphore(value: 0)
        let fixed = plan
        DispatchQueue.global().async {
            _ = try? LoadEngine(plan: fixed).run(); done.signal()
        }
        var during: String?
        for _ in 0..<100 {
            let text = try HTTPGet.get(url).text
            if sample(text, "wsload_serve_active_connections") == 2 { during = text; break }
            usleep(20_000)
        }
        let held = try #require(during, "the gauge never showed the 2 held connections")
        #expect(sample(held, "wsload_serve_accepted_connections_total") == 2)
        #expect(done.wait(timeout: .now() + 10) == .success)
        // The client's run ends when its closes are done; the server counts each close when it sees the TCP
        // FIN, a moment later on its own queue: poll (bounded) for the settled counts.
        var after = try HTTPGet.get(url).text
        for _ in 0..<100 where sample(after, "wsload_serve_active_connections") != 0 || sample(after, "wsload_serve_closed_connections_total") != 2 {
            usleep(20_000)
            after = try HTTPGet.get(url).text
        }
        #expect(sample(after, "wsload_serve_active_connections") == 0)
        #expect(sample(after, "wsload_serve_accepted_connections_total") == 2)
        #expect(sample(after, "wsload_serve_rejected_connections_total") == 1)
        #expect(sample(after, "wsload_serve_closed_connections_total") == 2)
    }

    @Test func prometheusAcceptHeaderGetsOpenMetricsWithEOF() throws {
        let server = try PodServer(
            PodServerConfiguration(listen: SocketAddress(ip: "127.0.0.1", port: 0)!, podName: "ws-0", ioQueues: 1), logger: .discarding)
        let address = try server.start()
        defer { server.drain(timeout: 1) }
        // What Prometheus 2.x sends on every scrape.
        let accept =
            "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"
        let r = try HTTPGet.get("http://127.0.0.1:\(address.port)/metrics", headers: [("Accept", accept)])
        #expect(r.headers.first("Content-Type") == "application/openmetrics-text; version=1.0.0; charset=utf-8")
        #expect(r.text.hasSuffix("# EOF\n"))
        // OpenMetrics names the counter family without `_total`; the sample keeps it.
        #expect(r.text.contains("# TYPE wsload_serve_accepted_connections counter\n"))
        #expect(sample(r.text, "wsload_serve_accepted_connections_total") == 0)
        // Other plain GETs still get the identity line.
        let root = try HTTPGet.get("http://127.0.0.1:\(address.port)/")
        #expect(root.text == "pod ws-0: 0 active connections\n")
    }
}
