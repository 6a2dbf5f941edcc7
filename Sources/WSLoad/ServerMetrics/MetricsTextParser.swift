/// One sample line of a Prometheus text (0.0.4) or OpenMetrics 1.0 exposition.
public struct MetricsTextSample: Sendable, Equatable {
    /// The sample's metric name, e.g. `ws_active_connections` or `http_requests_total`.
    public var name: String
    /// Its labels, escapes decoded.
    public var labels: [String: String]
    /// Its value (`NaN` and `±Inf` included).
    public var value: Double
    /// The exposition's own timestamp, when the line has one (milliseconds in text 0.0.4, seconds in OpenMetrics).
    public var timestamp: Double?
    /// 1-based line number.
    public var line: Int

    /// Creates a sample.
    public init(name: String, labels: [String: String], value: Double, timestamp: Double? = nil, line: Int) {
        self.name = name; self.labels = labels; self.value = value; self.timestamp = timestamp; self.line = line
    }
}

/// Why an exposition could not be read, with the line.
public struct MetricsTextError: Error, CustomStringConvertible, Sendable, Equatable {
    /// 1-based line number.
    public var line: Int
    /// What is wrong there.
    public var message: String
    /// `line N: message`.
    public var description: String { "line \(line): \(message)" }
}

/// A parser of the Prometheus text exposition format and OpenMetrics text: `# HELP`/`# TYPE`/other comments are
/// skipped, label values may hold `\\`, `\"` and `\n` escapes (and commas, braces, spaces), a trailing comma
/// inside the braces is allowed, an optional timestamp follows the value, and `# EOF` ends the exposition
/// (anything but blank lines after it is an error).
public enum MetricsTextParser {
    /// Every sample of `text`, in order.
    public static func parse(_ text: String) throws(MetricsTextError) -> [MetricsTextSample] {
        var out: [MetricsTextSample] = []
        var ended = false
        var number = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            if ended { throw MetricsTextError(line: number, message: "content after # EOF") }
            if line.hasPrefix("#") {
                if line == "# EOF" { ended = true }
                continue
            }
            out.append(try sample(Array(line.utf8), line: number))
        }
        return out
    }

    /// The value of the first sample named `name` whose labels include every pair of `matching`; nil when none.
    public static func value(of name: String, matching: [String: String] = [:], in samples: [MetricsTextSample]) -> Double? {
        samples.first { s in s.name == name && matching.allSatisfy { s.labels[$0.key] == $0.value } }?.value
    }

    private static func sample(_ b: [UInt8], line: Int) throws(MetricsTextError) -> MetricsTextSample {
        func fail(_ m: String) -> MetricsTextError { MetricsTextError(line: line, message: m) }
        var i = 0
        func isNameByte(_ c: UInt8, first: Bool) -> Bool {
            (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95 || c == 58 || (!first && c >= 48 && c <= 57)
        }
        func skipSpaces() { while i < b.count, b[i] == 32 || b[i] == 9 { i += 1 } }
        func name() -> String? {
            let start = i
            while i < b.count, isNameByte(b[i], first: i == start) { i += 1 }
            return i > start ? String(decoding: b[start..<i], as: UTF8.self) : nil
        }
        guard let metric = name() else { throw fail("expected a metric name") }
        var labels: [String: String] = [:]
        if i < b.count, b[i] == UInt8(ascii: "{") {
            i += 1
            while true {
                skipSpaces()
                guard i < b.count else { throw fail("labels of \(metric) not closed with }") }
                if b[i] == UInt8(ascii: "}") { i += 1; break }
                guard let label = name() else { throw fail("expected a label name in \(metric){…}") }
                skipSpaces()
                guard i < b.count, b[i] == UInt8(ascii: "=") else { throw fail("expected = after label \(label)") }
                i += 1
                skipSpaces()
                guard i < b.count, b[i] == UInt8(ascii: "\"") else { throw fail("label \(label) value must be in double quotes") }
                i += 1
                var value: [UInt8] = []
                var closed = false
                while i < b.count {
                    let c = b[i]
                    if c == UInt8(ascii: "\\") {
                        guard i + 1 < b.count else { break }
                        switch b[i + 1] {
                        case UInt8(ascii: "\\"): value.append(UInt8(ascii: "\\"))
                        case UInt8(ascii: "\""): value.append(UInt8(ascii: "\""))
                        case UInt8(ascii: "n"): value.append(10)
                        default: throw fail("unknown escape \\\(Character(UnicodeScalar(b[i + 1]))) in label \(label)")
                        }
                        i += 2
                        continue
                    }
                    if c == UInt8(ascii: "\"") { closed = true; i += 1; break }
                    value.append(c)
                    i += 1
                }
                guard closed else { throw fail("label \(label) value not closed with \"") }
                if labels[label] != nil { throw fail("label \(label) given twice") }
                labels[label] = String(decoding: value, as: UTF8.self)
                skipSpaces()
                guard i < b.count else { throw fail("labels of \(metric) not closed with }") }
                if i < b.count, b[i] == UInt8(ascii: ",") { i += 1; continue }
                guard i < b.count, b[i] == UInt8(ascii: "}") else { throw fail("expected , or } after label \(label)") }
                i += 1
                break
            }
        }
        guard i < b.count, b[i] == 32 || b[i] == 9 else { throw fail("expected a space and a value after \(metric)") }
        skipSpaces()
        let fields = String(decoding: b[i...], as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard let first = fields.first, let value = PrometheusResponse.parseValue(String(first)) else {
            throw fail("value of \(metric) is not a number: \(fields.first.map(String.init) ?? "")")
        }
        var timestamp: Double?
        if fields.count >= 2 {
            // OpenMetrics allows `# {exemplar labels} value` after the timestamp-less value: stop at the `#`.
            if fields[1] != "#" {
                guard let t = Double(fields[1]) else { throw fail("timestamp of \(metric) is not a number: \(fields[1])") }
                timestamp = t
                if fields.count > 2, fields[2] != "#" { throw fail("unexpected text after the timestamp of \(metric)") }
            }
        }
        return MetricsTextSample(name: metric, labels: labels, value: value, timestamp: timestamp, line: line)
    }
}
