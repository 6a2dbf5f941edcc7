/// Renders per-pod connection counts as a self-contained SVG bar chart: wsload's count and the server's
/// delta side by side, with axes, labels and a legend. No scripts, no external fonts.
public enum SVGRenderer {
    /// Fill colour of wsload's (client-side) bars.
    static let clientColour = "#4e79a7"
    /// Fill colour of the server-side bars.
    static let serverColour = "#f28e2b"

    /// The SVG document ending in a newline.
    public static func render(_ report: Report) -> String {
        let x = ReportText.xml
        let pods = report.pods
        let groupWidth = 64
        let barWidth = 22
        let left = 64, right = 24, top = 56, bottom = 64
        let plotHeight = 220
        let plotWidth = max(1, pods.count) * groupWidth
        // At least wide enough for the title, the verdict and the legend, which would be clipped with one or two pods.
        let width = max(left + plotWidth + right, 360)
        let height = top + plotHeight + bottom
        let maxValue = pods.flatMap { [$0.clients, $0.serverDelta ?? 0] }.max() ?? 0
        let (axisMax, step) = niceScale(maxValue)
        func y(_ v: Int) -> Int { top + plotHeight - Int((Double(v) / Double(axisMax) * Double(plotHeight)).rounded()) }

        var o: [String] = []
        o.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" "
            + "viewBox=\"0 0 \(width) \(height)\" font-family=\"sans-serif\" font-size=\"12\" role=\"img\" "
            + "aria-labelledby=\"wsload-title\">")
        o.append("  <title id=\"wsload-title\">Connections per pod: wsload vs server</title>")
        o.append("  <rect x=\"0\" y=\"0\" width=\"\(width)\" height=\"\(height)\" fill=\"#ffffff\"/>")
        o.append("  <text x=\"\(left)\" y=\"20\" font-size=\"14\" font-weight=\"bold\">Connections per pod</text>")
        let verdictColour = report.gate.passed ? "#1a7f37" : "#cf222e"
        o.append("  <text class=\"verdict\" x=\"\(width - right)\" y=\"20\" font-size=\"14\" font-weight=\"bold\" "
            + "text-anchor=\"end\" fill=\"\(verdictColour)\">\(ReportText.verdict(report.gate))</text>")
        // Legend.
        o.append("  <g class=\"legend\">")
        o.append("    <rect x=\"\(left)\" y=\"30\" width=\"12\" height=\"12\" fill=\"\(clientColour)\"/>")
        o.append("    <text x=\"\(left + 16)\" y=\"40\">wsload</text>")
        o.append("    <rect x=\"\(left + 72)\" y=\"30\" width=\"12\" height=\"12\" fill=\"\(serverColour)\"/>")
        o.append("    <text x=\"\(left + 88)\" y=\"40\">server Δ</text>")
        o.append("  </g>")
        // Axes, gridlines and ticks.
        o.append("  <g class=\"axis\" stroke=\"#888888\">")
        var tick = 0
        while tick <= axisMax {
            o.append("    <line x1=\"\(left)\" y1=\"\(y(tick))\" x2=\"\(left + plotWidth)\" y2=\"\(y(tick))\" "
                + "stroke=\"#e0e0e0\"/>")
            tick += step
        }
        o.append("    <line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(top + plotHeight)\"/>")
        o.append("    <line x1=\"\(left)\" y1=\"\(top + plotHeight)\" x2=\"\(left + plotWidth)\" "
            + "y2=\"\(top + plotHeight)\"/>")
        o.append("  </g>")
        o.append("  <g class=\"ticks\" text-anchor=\"end\">")
        tick = 0
        while tick <= axisMax {
            o.append("    <text x=\"\(left - 6)\" y=\"\(y(tick) + 4)\">\(tick)</text>")
            tick += step
        }
        o.append("  </g>")
        o.append("  <text x=\"16\" y=\"\(top + plotHeight / 2)\" text-anchor=\"middle\" "
            + "transform=\"rotate(-90 16 \(top + plotHeight / 2))\">connections</text>")
        o.append("  <text x=\"\(left + plotWidth / 2)\" y=\"\(height - 12)\" text-anchor=\"middle\">pod</text>")
        // Bars.
        o.append("  <g class=\"bars\" text-anchor=\"middle\" font-size=\"10\">")
        for (i, p) in pods.enumerated() {
            let gx = left + i * groupWidth + (groupWidth - 2 * barWidth - 4) / 2
            let name = x(p.name)
            o.append("    <rect x=\"\(gx)\" y=\"\(y(p.clients))\" width=\"\(barWidth)\" "
                + "height=\"\(top + plotHeight - y(p.clients))\" fill=\"\(clientColour)\">"
                + "<title>\(name): \(p.clients) wsload</title></rect>")
            o.append("    <text x=\"\(gx + barWidth / 2)\" y=\"\(y(p.clients) - 4)\">\(p.clients)</text>")
            let sx = gx + barWidth + 4
            if let delta = p.serverDelta {
                let v = max(0, delta)
                o.append("    <rect x=\"\(sx)\" y=\"\(y(v))\" width=\"\(barWidth)\" "
                    + "height=\"\(top + plotHeight - y(v))\" fill=\"\(serverColour)\">"
                    + "<title>\(name): \(delta) server</title></rect>")
                o.append("    <text x=\"\(sx + barWidth / 2)\" y=\"\(y(v) - 4)\">\(delta)</text>")
            } else {
                o.append("    <text x=\"\(sx + barWidth / 2)\" y=\"\(top + plotHeight - 4)\" fill=\"#888888\">n/a</text>")
            }
            o.append("    <text x=\"\(left + i * groupWidth + groupWidth / 2)\" y=\"\(top + plotHeight + 16)\" "
                + "font-size=\"11\">\(name)</text>")
        }
        o.append("  </g>")
        o.append("</svg>")
        return o.joined(separator: "\n") + "\n"
    }

    /// A round axis maximum ≥ `value` and a tick step from the 1–2–5 series giving at most about 5 ticks.
    static func niceScale(_ value: Int) -> (max: Int, step: Int) {
        guard value > 0 else { return (1, 1) }
        var magnitude = 1
        while magnitude * 10 <= value { magnitude *= 10 }
        for multiplier in [1, 2, 5, 10] {
            let step = max(1, multiplier * magnitude / 5)
            let top = (value + step - 1) / step * step
            if top / step <= 5 { return (top, step) }
        }
        return (value, value)
    }
}
