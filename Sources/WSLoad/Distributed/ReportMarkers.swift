import Foundation

/// The lines around a JSON report printed on standard output (`run --emit-report-json`), so the report can be
/// read back from a pod's log (`wsload collect`) whatever else the pod printed.
public enum ReportMarkers {
    /// The line before the JSON.
    public static let begin = "WSLOAD-REPORT-BEGIN"
    /// The line after the JSON.
    public static let end = "WSLOAD-REPORT-END"

    /// The report wrapped in marker lines, ending in a newline.
    public static func wrap(_ report: Report) -> String {
        begin + "\n" + JSONRenderer.render(report) + end + "\n"
    }

    /// The JSON texts between marker lines, in order. A begin without an end (a log cut short) yields nothing.
    /// Lines may carry a prefix before the marker (`kubectl logs --prefix`/`--timestamps`); it is stripped
    /// from the lines in between by the same length.
    public static func extract(from text: String) -> [String] {
        var out: [String] = []
        var current: [Substring]?
        var prefixLength = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.hasSuffix("\r") ? line.dropLast() : line
            if current == nil, trimmed.hasSuffix(begin) {
                current = []
                prefixLength = trimmed.count - begin.count
            } else if current != nil, trimmed.hasSuffix(end) {
                out.append(current!.joined(separator: "\n"))
                current = nil
            } else if current != nil {
                current!.append(trimmed.dropFirst(min(prefixLength, trimmed.count)))
            }
        }
        return out
    }
}
