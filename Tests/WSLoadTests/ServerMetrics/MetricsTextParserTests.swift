import Foundation
import Testing

@testable import WSLoad

/// The text exposition parser and the direct pod scrape.
@Suite struct MetricsTextParserTests {
    @Test func commentsLabelsEscapesTimestampsAndEOF() throws {
        let text = """
            # HELP ws_active_connections Open connections.
            # TYPE ws_active_connections gauge
            ws_active_connections{pod="ws-0",path="/a,b{c}"} 3
            ws_active_connections{ pod = "ws-1" , note="say \\"hi\\"\\nback\\\\slash", } 4 1700000000000
            # a free comment
            up 1
            odd_values{k="v"} NaN
            inf_value +Inf 1700000000.5
            with_exemplar_total 7 # {trace_id="x"} 1
            # EOF

            """
        let samples = try MetricsTextParser.parse(text)
        #expect(samples.count == 6)
        #expect(samples[0] == MetricsTextSample(name: "ws_active_connections", labels: ["pod": "ws-0", "path": "/a,b{c}"], value: 3, line: 3))
        #expect(samples[1].labels == ["pod": "ws-1", "note": "say \"hi\"\nback\\slash"])
        #expect(samples[1].timestamp == 1700000000000 && samples[1].value == 4)
        #expect(samples[2] == MetricsTextSample(name: "up", labels: [:], value: 1, line: 6))
        #expect(samples[3].value.isNaN)
        #expect(samples[4].value == .infinity && samples[4].timestamp == 1700000000.5)
        #expect(samples[5].value == 7 && samples[5].timestamp == nil)
        #expect(MetricsTextParser.value(of: "ws_active_connections", matching: ["pod": "ws-1"], in: samples) == 4)
        #expect(MetricsTextParser.value(of: "ws_active_connections", matching: ["pod": "ws-9"], in: samples) == nil)
        #expect(MetricsTextParser.value(of: "ws_active_connections", in: samples) == 3)
    }

    @Test(arguments: [
        ("x{a=\"1\"", "line 1: labels of x not closed with }"),
        ("x{a=1} 2", "line 1: label a value must be in double quotes"),
        ("x{a=\"1\\t\"} 2", "line 1: unknown escape \\t in label a"),
        ("x{a=\"1\",a=\"2\"} 2", "line 1: label a given twice"),
        ("x", "line 1: expected a space and a value after x"),
        ("x one", "line 1: value of x is not a number: one"),
        ("\n9x 1", "line 2: expected a metric name"),
        ("x 1\n# EOF\ny 2", "line 3: content after # EOF"),
        ("x 1 later", "line 1: timestamp of x is not a number: later"),
    ])
    func brokenLinesNameTheLineAndTheProblem(text: String, expected: String) {
        do {
            _ = try MetricsTextParser.parse(text)
            Issue.record("parsed \(text.debugDescription)")
        } catch {
            #expect(error.description == expected)
        }
    }

    @Test func aScrapeOfTheReferencePodReadsItsGaugeByNameAndLabel() throws {
        let server = try PodServer(
            PodServerConfiguration(listen: SocketAddress(ip: "127.0.0.1", port: 0)!, podName: "ws-7", ioQueues: 1), logger: .discarding)
        let address = try server.start()
        defer { server.drain(timeout: 1) }
        let url = "http://127.0.0.1:\(address.port)/metrics"
        // OpenMetrics is asked for (the `# EOF` form) and read.
        #expect(try PodMetricsScrape(url: url, metric: "wsload_serve_active_connections", labels: ["pod": "ws-7"]).read() == 0)
        #expect(try PodMetricsScrape(url: url, metric: "wsload_serve_accepted_connections_total").read() == 0)
        #expect(
            throws: PodMetricsScrape.Failure(
                url: url, message: "no wsload_serve_active_connections{pod=\"ws-8\"} among the 1 wsload_serve_active_connections samples")
        ) {
            _ = try PodMetricsScrape(url: url, metric: "wsload_serve_active_connections", labels: ["pod": "ws-8"]).read()
        }
        #expect(throws: PodMetricsScrape.Failure(url: url, message: "no sample named ws_active (4 samples of other metrics)")) {
            _ = try PodMetricsScrape(url: url, metric: "ws_active").read()
        }
        #expect(throws: PodMetricsScrape.Failure(url: url, message: "line 1: expected a space and a value after garbage")) {
            _ = try PodMetricsScrape(url: url, metric: "x").value(in: "garbage")
        }
    }
}
