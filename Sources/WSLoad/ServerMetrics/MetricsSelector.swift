/// A metric name with an optional label selector, as written in a profile: `ws_active_connections` or
/// `ws_active_connections{job="ws",container="app"}` (exact matches only; the text format's escapes apply).
public struct MetricsSelector: Sendable, Equatable, CustomStringConvertible {
    /// The metric name.
    public var name: String
    /// Labels a sample must carry.
    public var labels: [String: String]

    /// Parses `text`; throws ``MetricsTextError`` naming what is wrong.
    public init(_ text: String) throws(MetricsTextError) {
        let samples = try MetricsTextParser.parse(text.trimmingCharacters(in: .whitespaces) + " 0")
        guard samples.count == 1 else { throw MetricsTextError(line: 1, message: "expected one metric selector") }
        name = samples[0].name
        labels = samples[0].labels
    }

    /// `name{a="b",…}` (labels sorted), or the bare name.
    public var description: String {
        labels.isEmpty
            ? name
            : name + "{"
                + labels.sorted { $0.key < $1.key }.map { k, v in
                    "\(k)=\"\(v.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n"))\""
                }.joined(separator: ",") + "}"
    }
}
