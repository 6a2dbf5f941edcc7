import Foundation
import Prometheus
import WSProtocol

/// The two text formats a Prometheus scrape can ask for, and the rendering of a swift-prometheus registry in them.
///
/// swift-prometheus writes the Prometheus text format 0.0.4. OpenMetrics 1.0 differs from it in what wsload
/// exports only in two places: a counter family is named without its `_total` suffix in `# TYPE`/`# HELP`,
/// and the exposition ends with `# EOF`. ``render(_:format:)`` applies exactly those two changes.
public enum MetricsExposition: Sendable, Equatable {
    /// `text/plain; version=0.0.4`, the classic format every Prometheus reads.
    case prometheusText
    /// `application/openmetrics-text; version=1.0.0`, what Prometheus 2.x asks for first.
    case openMetrics

    /// The `Content-Type` of a response in this format.
    public var contentType: String {
        switch self {
        case .prometheusText: "text/plain; version=0.0.4; charset=utf-8"
        case .openMetrics: "application/openmetrics-text; version=1.0.0; charset=utf-8"
        }
    }

    /// Picks the format from a request's `Accept` field: OpenMetrics when it is listed with a q-value above 0
    /// that is at least the q of `text/plain`, otherwise the Prometheus text format (also when there is no `Accept`).
    ///
    /// Prometheus 2.x sends `application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,
    /// text/plain;version=0.0.4;q=0.5,*/*;q=0.1`; `curl` sends `*/*`.
    public static func negotiate(accept: [String]) -> MetricsExposition {
        var openMetricsQ = 0.0, textQ = 0.0
        for element in accept {
            let parts = element.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let type = parts.first?.lowercased() else { continue }
            var q = 1.0
            for p in parts.dropFirst() where p.lowercased().hasPrefix("q=") { q = Double(p.dropFirst(2)) ?? 0 }
            if type == "application/openmetrics-text" { openMetricsQ = max(openMetricsQ, q) }
            if type == "text/plain" { textQ = max(textQ, q) }
        }
        return openMetricsQ > 0 && openMetricsQ >= textQ ? .openMetrics : .prometheusText
    }

    /// The registry's samples in this format.
    public func render(_ registry: PrometheusCollectorRegistry) -> String {
        let text = registry.emitToString()
        switch self {
        case .prometheusText: return text
        case .openMetrics: return Self.openMetrics(fromPrometheusText: text)
        }
    }

    /// Rewrites Prometheus text 0.0.4 as OpenMetrics 1.0: counter families lose `_total` in their metadata lines,
    /// and `# EOF` ends the text.
    static func openMetrics(fromPrometheusText text: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        var counters: Set<String> = []
        for line in lines where line.hasPrefix("# TYPE ") {
            let f = line.split(separator: " ")
            if f.count == 4, f[3] == "counter" { counters.insert(String(f[2])) }
        }
        var out = ""
        for line in lines {
            var line = line
            if line.hasPrefix("# TYPE ") || line.hasPrefix("# HELP ") {
                let f = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
                if f.count >= 3, counters.contains(String(f[2])), f[2].hasSuffix("_total") {
                    let family = f[2].dropLast("_total".count)
                    line = "\(f[0]) \(f[1]) \(family)" + (f.count > 3 ? " \(f[3])" : "")
                }
            }
            out += line + "\n"
        }
        return out + "# EOF\n"
    }
}
