/// Renders per-pod connection counts as a self-contained SVG bar chart: wsload's count and the server's
/// delta side by side, a dashed expected-share line across each pod, the verdict, axes, labels and a legend;
/// below it, when the report has a share timeline, the share-over-time chart (``SVGShareChart``).
/// No scripts, no external fonts.
public enum SVGRenderer {
    /// Fill colour of wsload's (client-side) bars.
    static let clientColour = "#4e79a7"
    /// Fill colour of the server-side bars.
    static let serverColour = "#f28e2b"

    /// Colour of the expected-share line drawn across each pod's bars.
    static let expectedColour = "#222222"
    /// Legend label of wsload's bars.
    static let clientLabel = "wsload (client view)"
    /// Legend label of the server-side bars (the pod's own count: its log or metrics delta).
    static let serverLabel = "pods' own count"
    /// Legend label of the expected-share line.
    static let expectedLabel = "expected share"
    /// Top of the plot area: below the title row (y 20) and the legend row (y 30–42), with room for the
    /// value labels drawn 4 units above the tallest bar.
    static let plotTop = 66
    /// Top and height of the legend row.
    static let legendTop = 30, legendHeight = 12

    /// A generous estimate of how wide `text` is drawn at `fontSize` in a sans-serif font (0.65 em per
    /// character; DejaVu Sans measured 0.52 em for the legend's words and 0.61 em for the bold title), used to
    /// keep texts from running into each other.
    static func textWidth(_ text: String, fontSize: Int) -> Int {
        Int((Double(text.count) * Double(fontSize) * 0.65).rounded(.up))
    }

    /// The SVG document ending in a newline.
    public static func render(_ report: Report) -> String {
        let x = ReportText.xml
        let pods = report.pods
        let expected = Dictionary(report.statistics.pods.map { ($0.pod, $0.expectedCount) }, uniquingKeysWith: { a, _ in a })
        let barWidth = 22
        let left = 64, right = 24, top = plotTop, bottom = 64
        let plotHeight = 220
        let title = "Connections per pod"
        let verdict = ReportText.verdict(report.gate)
        // The legend: three entries in a row, each a 12-unit swatch, 4 units of gap, its label, 16 units to the next.
        let legendEntries = [clientLabel, serverLabel, expectedLabel]
        var legendX: [Int] = []
        var cursor = left
        for label in legendEntries { legendX.append(cursor); cursor += 12 + 4 + textWidth(label, fontSize: 12) + 16 }
        let legendRight = cursor - 16
        // Wide enough for the plot, the legend, and the title and the verdict side by side with 24 units between.
        let headerRight = left + textWidth(title, fontSize: 14) + 24 + textWidth(verdict, fontSize: 14)
        // The pods share the plot's width (at least 64 units each), so one or two pods do not sit in a corner.
        let shareChart = SVGShareChart.isDrawn(report)
        let headerWidth = max(legendRight + right, headerRight + right, 360, shareChart ? SVGShareChart.minimumWidth : 0)
        let groupWidth = max(64, (headerWidth - left - right) / max(1, pods.count))
        let plotWidth = max(1, pods.count) * groupWidth
        let width = max(left + plotWidth + right, headerWidth)
        let barsHeight = top + plotHeight + bottom
        // The share-over-time chart below the bars, when the report has a share timeline.
        let share = SVGShareChart.render(report, top: barsHeight, width: width)
        let height = barsHeight + (share?.height ?? 0)
        let maxExpected = Int(pods.compactMap { expected[$0.name] }.max()?.rounded(.up) ?? 0)
        let maxValue = max(pods.flatMap { [$0.clients, $0.serverDelta ?? 0] }.max() ?? 0, maxExpected)
        let (axisMax, step) = niceScale(maxValue)
        func y(_ v: Int) -> Int { yOf(Double(v)) }
        func yOf(_ v: Double) -> Int { top + plotHeight - Int((v / Double(axisMax) * Double(plotHeight)).rounded()) }

        var o: [String] = []
        o.append(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" "
                + "viewBox=\"0 0 \(width) \(height)\" font-family=\"sans-serif\" font-size=\"12\" role=\"img\" "
                + "aria-labelledby=\"wsload-title\">")
        o.append("  <title id=\"wsload-title\">Connections per pod: wsload vs the pods' own count, \(verdict)</title>")
        o.append("  <rect x=\"0\" y=\"0\" width=\"\(width)\" height=\"\(height)\" fill=\"#ffffff\"/>")
        o.append("  <text class=\"title\" x=\"\(left)\" y=\"20\" font-size=\"14\" font-weight=\"bold\">\(title)</text>")
        let verdictColour = report.gate.passed ? "#1a7f37" : "#cf222e"
        o.append(
            "  <text class=\"verdict\" x=\"\(width - right)\" y=\"20\" font-size=\"14\" font-weight=\"bold\" "
                + "text-anchor=\"end\" fill=\"\(verdictColour)\">\(verdict)</text>")
        // Legend.
        let ly = legendTop, lh = legendHeight
        o.append("  <g class=\"legend\">")
        o.append("    <rect x=\"\(legendX[0])\" y=\"\(ly)\" width=\"12\" height=\"\(lh)\" fill=\"\(clientColour)\"/>")
        o.append("    <text x=\"\(legendX[0] + 16)\" y=\"\(ly + 10)\">\(x(clientLabel))</text>")
        o.append("    <rect x=\"\(legendX[1])\" y=\"\(ly)\" width=\"12\" height=\"\(lh)\" fill=\"\(serverColour)\"/>")
        o.append("    <text x=\"\(legendX[1] + 16)\" y=\"\(ly + 10)\">\(x(serverLabel))</text>")
        o.append(
            "    <line x1=\"\(legendX[2])\" y1=\"\(ly + lh / 2)\" x2=\"\(legendX[2] + 12)\" y2=\"\(ly + lh / 2)\" "
                + "stroke=\"\(expectedColour)\" stroke-width=\"2\" stroke-dasharray=\"4 2\"/>")
        o.append("    <text x=\"\(legendX[2] + 16)\" y=\"\(ly + 10)\">\(x(expectedLabel))</text>")
        o.append("  </g>")
        // Axes, gridlines and ticks.
        o.append("  <g class=\"axis\" stroke=\"#888888\">")
        var tick = 0
        while tick <= axisMax {
            o.append(
                "    <line x1=\"\(left)\" y1=\"\(y(tick))\" x2=\"\(left + plotWidth)\" y2=\"\(y(tick))\" "
                    + "stroke=\"#e0e0e0\"/>")
            tick += step
        }
        o.append("    <line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(top + plotHeight)\"/>")
        o.append(
            "    <line x1=\"\(left)\" y1=\"\(top + plotHeight)\" x2=\"\(left + plotWidth)\" "
                + "y2=\"\(top + plotHeight)\"/>")
        o.append("  </g>")
        o.append("  <g class=\"ticks\" text-anchor=\"end\">")
        tick = 0
        while tick <= axisMax {
            o.append("    <text x=\"\(left - 6)\" y=\"\(y(tick) + 4)\">\(tick)</text>")
            tick += step
        }
        o.append("  </g>")
        o.append(
            "  <text x=\"16\" y=\"\(top + plotHeight / 2)\" text-anchor=\"middle\" "
                + "transform=\"rotate(-90 16 \(top + plotHeight / 2))\">connections</text>")
        o.append("  <text x=\"\(left + plotWidth / 2)\" y=\"\(barsHeight - 12)\" text-anchor=\"middle\">pod</text>")
        // Bars.
        o.append("  <g class=\"bars\" text-anchor=\"middle\" font-size=\"10\">")
        for (i, p) in pods.enumerated() {
            let gx = left + i * groupWidth + (groupWidth - 2 * barWidth - 4) / 2
            let name = x(p.name)
            o.append(
                "    <rect x=\"\(gx)\" y=\"\(y(p.clients))\" width=\"\(barWidth)\" "
                    + "height=\"\(top + plotHeight - y(p.clients))\" fill=\"\(clientColour)\">"
                    + "<title>\(name): \(p.clients) wsload (client view)</title></rect>")
            o.append("    <text x=\"\(gx + barWidth / 2)\" y=\"\(y(p.clients) - 4)\">\(p.clients)</text>")
            let sx = gx + barWidth + 4
            if let delta = p.serverDelta {
                let v = max(0, delta)
                o.append(
                    "    <rect x=\"\(sx)\" y=\"\(y(v))\" width=\"\(barWidth)\" "
                        + "height=\"\(top + plotHeight - y(v))\" fill=\"\(serverColour)\">"
                        + "<title>\(name): \(delta) pods' own count</title></rect>")
                o.append("    <text x=\"\(sx + barWidth / 2)\" y=\"\(y(v) - 4)\">\(delta)</text>")
            } else {
                o.append("    <text x=\"\(sx + barWidth / 2)\" y=\"\(top + plotHeight - 4)\" fill=\"#888888\">n/a</text>")
            }
            if let e = expected[p.name] {
                o.append(
                    "    <line class=\"expected\" data-pod=\"\(name)\" x1=\"\(gx - 3)\" y1=\"\(yOf(e))\" "
                        + "x2=\"\(sx + barWidth + 3)\" y2=\"\(yOf(e))\" stroke=\"\(expectedColour)\" stroke-width=\"2\" "
                        + "stroke-dasharray=\"4 2\"><title>\(name): \(ReportText.fixed(e, 1)) expected</title></line>")
            }
            o.append(
                "    <text x=\"\(left + i * groupWidth + groupWidth / 2)\" y=\"\(top + plotHeight + 16)\" "
                    + "font-size=\"11\">\(name)</text>")
            if let share = report.shareOverTime, shareChart {
                // The pod's colour in the share-over-time chart, under its name.
                o.append(
                    "    <rect class=\"pod-colour\" x=\"\(left + i * groupWidth + groupWidth / 2 - 12)\" y=\"\(top + plotHeight + 21)\" "
                        + "width=\"24\" height=\"3\" fill=\"\(SVGShareChart.colour(of: p.name, in: share.pods))\"/>")
            }
        }
        o.append("  </g>")
        if let share { o += share.lines }
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
