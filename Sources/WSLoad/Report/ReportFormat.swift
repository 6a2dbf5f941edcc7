/// The output formats a report can be rendered in.
public enum ReportFormat: String, Sendable, Codable, Equatable, CaseIterable {
    /// Terminal table.
    case table
    /// JSON with sorted keys, a line per array element (the machine-readable report; ``JSONLayout``).
    case json
    /// JUnit XML, one test case per gate check.
    case junit
    /// Markdown for a pull-request comment.
    case markdown
    /// SVG bar chart of per-pod counts.
    case svg
    /// Self-contained HTML page.
    case html

    /// The conventional file extension, without a dot.
    public var fileExtension: String {
        switch self {
        case .table: return "txt"
        case .json: return "json"
        case .junit: return "xml"
        case .markdown: return "md"
        case .svg: return "svg"
        case .html: return "html"
        }
    }

    /// Renders `report` in this format; `colour` only affects `table`.
    public func render(_ report: Report, colour: Bool = false) -> String {
        switch self {
        case .table: return TableRenderer.render(report, colour: colour)
        case .json: return JSONRenderer.render(report)
        case .junit: return JUnitRenderer.render(report)
        case .markdown: return MarkdownRenderer.render(report)
        case .svg: return SVGRenderer.render(report)
        case .html: return HTMLRenderer.render(report)
        }
    }
}
