import Foundation

/// Renders a report as stable JSON with sorted keys and ISO-8601 millisecond dates, laid out by ``JSONLayout``
/// (objects a key per line, array elements a line each).
public enum JSONRenderer {
    /// The encoder used for reports: compact, sorted keys, unescaped slashes, `2026-11-25T12:00:00.000Z` dates
    /// (``render(_:)`` lays its output out).
    public static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        e.dateEncodingStrategy = .custom { date, encoder in
            var c = encoder.singleValueContainer()
            try c.encode(ReportDate.format(date))
        }
        e.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity",
            negativeInfinity: "-Infinity", nan: "NaN")
        return e
    }

    /// The matching decoder: reads any RFC 3339 date (rounded to milliseconds).
    public static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .custom { decoder in
            let c = try decoder.singleValueContainer()
            let text = try c.decode(String.self)
            guard let date = ReportDate.parse(text) else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "not an RFC 3339 date: \(text)")
            }
            return date
        }
        d.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "Infinity",
            negativeInfinity: "-Infinity", nan: "NaN")
        return d
    }

    /// The report as JSON text ending in a newline.
    public static func render(_ report: Report) -> String {
        do {
            return String(decoding: JSONLayout.layout(Array(try encoder().encode(report))), as: UTF8.self) + "\n"
        } catch {
            // Unreachable with the string strategy for non-finite numbers; keep the output valid JSON anyway.
            let message = String(describing: error).replacingOccurrences(of: "\"", with: "'")
            return "{\n  \"error\" : \"could not encode report: \(message)\"\n}\n"
        }
    }
}
