import Foundation
import Testing

@testable import WSLoad

/// `server_metrics:` in a profile: read, checked (file, line, key), and turned into the one feed the run uses.
@Suite struct ServerMetricsProfileTests {
    func profile(_ yaml: String) throws -> Profile {
        let p = try ProfileLoader.parse(yaml: "target:\n  url: ws://127.0.0.1:9/ws\n" + yaml, file: "p.yaml")
        try p.validate()
        return p
    }

    func problems(_ yaml: String) -> String {
        do { _ = try profile(yaml); return "" } catch { return "\(error)" }
    }

    @Test func aPrometheusSectionIsReadWithDefaults() throws {
        let p = try profile(
            """
            server_metrics:
              prometheus: http://127.0.0.1:9090/
              metric: ws_active_connections{job="ws"}
              scrape_interval: 5s
            gate:
              require_metrics_match: true
            """)
        #expect(p.serverMetrics.prometheus == "http://127.0.0.1:9090/" && p.serverMetrics.podLabel == "pod")
        #expect(p.serverMetrics.scrapeInterval.seconds == 5 && p.serverMetrics.waitSeconds == 11)
        #expect(RunPlanner.thresholds(from: p.gate, podCount: 2).requireMetricsMatch)
        let feed = try #require(try ServerMetricsFeedFactory.make(profile: p, pods: ["ws-0"]))
        let source = try #require(feed.source as? PrometheusMetricsSource)
        #expect(source.client.baseURL == "http://127.0.0.1:9090")
        #expect(source.query == #"sum by (pod) (ws_active_connections{job="ws"})"#)
        #expect(source.timestampQuery == #"min by (pod) (timestamp(ws_active_connections{job="ws"}))"#)
        #expect(feed.interval == 5 && feed.wait == 11)
    }

    @Test func aScrapeTemplateNamesEveryKnownPod() throws {
        let p = try profile(
            """
            pods:
              static:
                - { name: ws-0, ip: 10.0.0.1 }
                - { name: ws-1, ip: 10.0.0.2 }
            server_metrics:
              scrape: "http://{ip}:8080/metrics?pod={pod}"
              metric: wsload_serve_active_connections
              scrape_interval: 1s
              wait: 4s
            """)
        let feed = try #require(try ServerMetricsFeedFactory.make(profile: p, pods: ["ws-0", "ws-1"]))
        let source = try #require(feed.source as? ScrapeMetricsSource)
        #expect(
            source.targets.mapValues(\.url) == ["ws-0": "http://10.0.0.1:8080/metrics?pod=ws-0", "ws-1": "http://10.0.0.2:8080/metrics?pod=ws-1"])
        #expect(source.targets["ws-0"]?.metric == "wsload_serve_active_connections" && feed.wait == 4)
        #expect(try ServerMetricsFeedFactory.make(profile: try profile(""), pods: []) == nil)
    }

    @Test func mistakesAreReportedWithFileLineAndKey() {
        #expect(
            problems("server_metrics:\n  prometheus: http://p:9090\n")
                == "p.yaml:4:15: server_metrics.prometheus: needs exactly one of query (PromQL, one series per pod) or metric (summed by pod_label)")
        #expect(
            problems("server_metrics:\n  scrape_urls: { ws-0: \"http://a/metrics\" }\n").hasSuffix(
                "server_metrics.scrape_urls: needs metric: the gauge to read from each pod's /metrics"))
        #expect(problems("server_metrics:\n  scrape: http://{host}/metrics\n  metric: m\n").contains("server_metrics.scrape"))
        #expect(
            problems("server_metrics:\n  prometheus: http://p:9090\n  metric: 'm{a=b}'\n").contains(
                "server_metrics.metric: is not a metric name with an optional {label=\"value\"} selector, got \"m{a=b}\""))
        #expect(
            problems("gate:\n  require_metrics_match: true\n").hasSuffix(
                "gate.require_metrics_match: needs a server metrics source (server_metrics.prometheus, scrape or scrape_urls)"))
        #expect(problems("server_metrics:\n  prometheuss: http://p:9090\n").contains("prometheuss"))
    }

    @Test func selectorsParseAndPrint() throws {
        let s = try MetricsSelector(#"ws{job="a b",pod="x\"y"}"#)
        #expect(s.name == "ws" && s.labels == ["job": "a b", "pod": "x\"y"])
        #expect(s.description == #"ws{job="a b",pod="x\"y"}"#)
        #expect(throws: MetricsTextError.self) { try MetricsSelector("ws{") }
    }
}
