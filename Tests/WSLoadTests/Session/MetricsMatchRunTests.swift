import Foundation
import Testing

@testable import WSLoad

/// A whole run over loopback whose pods' counts come from their `/metrics`: scraped directly, and through a
/// stand-in Prometheus API that answers `sum by (pod) (…)` from the same scrapes. Both must match every pod.
@Suite(.serialized) struct MetricsMatchRunTests {
    @Test(arguments: ["scrape", "prometheus"])
    func aHealthyRunMatchesEveryPodsMetrics(source kind: String) throws {
        var servers: [PodServer] = []
        var addresses: [SocketAddress] = []
        for i in 0..<3 {
            let server = try PodServer(
                PodServerConfiguration(listen: SocketAddress(ip: "127.0.0.1", port: 0)!, podName: "ws-\(i)", ioQueues: 1), logger: .discarding)
            addresses.append(try server.start())
            servers.append(server)
        }
        let front = AffinityFront(
            backends: zip(servers, addresses).map { .init(name: $0.0.configuration.podName, address: $0.1) },
            policy: AffinityPolicy.none)
        let frontAddress = try front.start(on: SocketAddress(ip: "127.0.0.1", port: 0)!)
        defer {
            front.stop()
            for s in servers { s.drain(timeout: 2) }
        }
        let scrapes = Dictionary(
            uniqueKeysWithValues: addresses.enumerated().map { i, a in
                ("ws-\(i)", PodMetricsScrape(url: "http://127.0.0.1:\(a.port)/metrics", metric: "wsload_serve_active_connections"))
            })
        let scrapeSource = ScrapeMetricsSource(targets: scrapes)
        var prometheus: CannedHTTPServer?
        let source: any ServerMetricsSource
        if kind == "scrape" {
            source = scrapeSource
        } else {
            // Answers like Prometheus from a scrape taken at query time.
            let server = try CannedHTTPServer { _ in
                let now = Date().timeIntervalSince1970
                let items = scrapeSource.read().readings.map { #"{"metric":{"pod":"\#($0.pod)"},"value":[\#(now),"\#($0.value)"]}"# }
                return (200, #"{"status":"success","data":{"resultType":"vector","result":[\#(items.joined(separator: ","))]}}"#)
            }
            prometheus = server
            source = PrometheusMetricsSource(
                client: PrometheusAPIClient(baseURL: server.base), query: "sum by (pod) (wsload_serve_active_connections)",
                scrapeInterval: 0.3)
        }
        defer { prometheus?.stop() }
        var plan = RunPlan(url: try WebSocketURL("ws://127.0.0.1:\(frontAddress.port)/ws"), clients: 12, connectionsPerClient: 1)
        plan.attribution = AttributionRules(headers: ["X-Pod-Name"])
        plan.hold = 2.5
        var thresholds = GateThresholds(maxFailed: 0)
        thresholds.requireMetricsMatch = true
        let context = ReportContext(target: plan.url.description, knownPods: ["ws-0": 1, "ws-1": 1, "ws-2": 1], thresholds: thresholds)
        let feed = ServerMetricsFeed(source: source, interval: 0.3, wait: 3)
        let outcome = try RunCoordinator(plan: plan, context: context, metricsFeed: feed)
            .run(output: RunOutputOptions(formats: [.table], directory: nil, logSettleSeconds: 0))
        let m = try #require(outcome.report.metricsMatch)
        #expect(m.pods.map(\.pod) == ["ws-0", "ws-1", "ws-2"])
        #expect(m.pods.map(\.clientCount).reduce(0, +) == 12)
        for p in m.pods {
            #expect(p.classification == .matched, "\(kind) \(p.pod): \(p)")
            #expect(p.baseline == 0 && p.delta == p.clientCount && p.afterClose == 0, "\(kind) \(p.pod): \(p)")
            #expect(p.basis == .arrivalOrder)
        }
        #expect(outcome.report.gate.checks.first { $0.name == "require_metrics_match" }?.passed == true)
        #expect(outcome.exitCode == .passed, "\(TableRenderer.render(outcome.report))")
    }
}
