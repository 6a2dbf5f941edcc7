import Testing

@testable import WSLoad

@Suite struct MetricsExpositionTests {
    @Test(arguments: [
        // Prometheus 2.x's scrape Accept: OpenMetrics first.
        (
            [
                "application/openmetrics-text;version=1.0.0", "application/openmetrics-text;version=0.0.1;q=0.75", "text/plain;version=0.0.4;q=0.5",
                "*/*;q=0.1",
            ], MetricsExposition.openMetrics
        ),
        ([], .prometheusText),
        (["*/*"], .prometheusText),
        (["text/plain;version=0.0.4"], .prometheusText),
        (["text/plain;q=1", "application/openmetrics-text;q=0.5"], .prometheusText),
        (["application/openmetrics-text; version=1.0.0; q=0"], .prometheusText),
    ])
    func acceptPicksTheFormat(accept: [String], expected: MetricsExposition) {
        #expect(MetricsExposition.negotiate(accept: accept) == expected)
    }

    @Test func openMetricsDropsTotalFromCounterFamiliesOnlyAndEndsWithEOF() {
        let text = """
            # HELP a_total Things.
            # TYPE a_total counter
            a_total{pod="p"} 3
            # TYPE g_total gauge
            g_total 1

            """
        #expect(
            MetricsExposition.openMetrics(fromPrometheusText: text) == """
                # HELP a Things.
                # TYPE a counter
                a_total{pod="p"} 3
                # TYPE g_total gauge
                g_total 1
                # EOF

                """)
    }
}
