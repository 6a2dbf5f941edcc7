/// The share-over-time chart drawn below the bar chart of ``SVGRenderer``: each pod's percent of the open
/// connections as stacked areas (x: seconds since the run start, y: 0–100 %), one colour per pod, a legend,
/// a vertical marker with a label for the ramp/hold boundary and for each event that ran (green: succeeded,
/// red: did not), and the pods' own counts (server view) as a second panel when the report has them.
enum SVGShareChart {
    /// Per-pod colours in the report's pod order (cycled beyond ten pods). They leave out the bar chart's blue and
    /// orange, which mean "client view" and "pods' own count" there.
    static let podColours = [
        "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#8cd17d", "#499894", "#d37295",
    ]
    /// Colour of unattributed connections (`?`).
    static let unattributedColour = "#c8c8c8"
    /// Colours of an event marker: succeeded, and every other outcome.
    static let eventColour = "#1a7f37", failedEventColour = "#cf222e"
    /// Colour of the ramp/hold boundary marker.
    static let boundaryColour = "#555555"
    /// Narrowest SVG that holds this chart.
    static let minimumWidth = 560
    /// Height of each panel's plot.
    static let panelHeight = 150
    /// Left and right margins (the bar chart's).
    static let left = 64, right = 24
    /// Height of a row of marker labels (10-unit text with room for descenders).
    static let rowHeight = 13

    /// The colour of `pod` in the chart (and under the bar chart's pod names).
    static func colour(of pod: String, in pods: [String]) -> String {
        if pod == "?" { return unattributedColour }
        let named = pods.filter { $0 != "?" }
        return podColours[(named.firstIndex(of: pod) ?? 0) % podColours.count]
    }

    /// Whether the report gets the chart: a share timeline with at least two samples with connections open (a run
    /// sampled once while connected has no "over time" to show).
    static func isDrawn(_ report: Report) -> Bool { (report.shareOverTime?.samples.filter { $0.clientOpen > 0 }.count ?? 0) >= 2 }

    /// A marker above the plots: its x, label, colour, and the full text for its tooltip.
    struct Marker { var x: Int; var label: String; var colour: String; var title: String; var dashed: Bool }

    /// The chart's elements, indented for the enclosing `<svg>`, drawn from `top` down in a `width`-wide SVG, and the
    /// height used; nil when the report does not get the chart.
    static func render(_ report: Report, top: Int, width: Int) -> (lines: [String], height: Int)? {
        guard isDrawn(report), let share = report.shareOverTime else { return nil }
        let x = ReportText.xml
        let samples = share.samples
        let plotWidth = width - left - right
        let holdStart = report.run.phases.first { $0.name == "hold" }.map { $0.start.timeIntervalSince(report.run.startedAt) }
        let ran = (report.events ?? []).enumerated().compactMap { i, e in e.startedAt.map { (i + 1, e, $0) } }
        let lastT = ([samples.last?.t ?? 0] + ran.map(\.2) + (holdStart.map { [$0] } ?? [])).max() ?? 0
        // A last sample a hair past a whole second (6.0001 s) does not widen the axis by a whole step.
        let (axisMax, step) = SVGRenderer.niceScale(max(1, Int((lastT - 0.005).rounded(.up))))
        func tx(_ t: Double) -> Int { left + Int((max(0, t) / Double(axisMax) * Double(plotWidth)).rounded()) }

        var o: [String] = []
        o.append("  <g class=\"share-chart\">")
        o.append(
            "    <text class=\"share-title\" x=\"\(left)\" y=\"\(top + 20)\" font-size=\"14\" font-weight=\"bold\">"
                + "Share of open connections over time</text>")
        // Legend: a swatch and a name per pod, wrapped into rows 16 units apart.
        o.append("    <g class=\"share-legend\">")
        var lx = left, ly = top + 30
        for pod in share.pods {
            let label = pod == "?" ? "unattributed" : pod
            let w = 12 + 4 + SVGRenderer.textWidth(label, fontSize: 12)
            if lx > left, lx + w > width - right { lx = left; ly += 16 }
            o.append("      <rect x=\"\(lx)\" y=\"\(ly)\" width=\"12\" height=\"12\" fill=\"\(colour(of: pod, in: share.pods))\"/>")
            o.append("      <text x=\"\(lx + 16)\" y=\"\(ly + 10)\">\(x(label))</text>")
            lx += w + 16
        }
        o.append("    </g>")

        // Markers: the ramp/hold boundary and each event that ran; labels in rows so that none overlaps another.
        var markers: [Marker] = []
        if let h = holdStart, h > 0 {
            markers.append(
                Marker(x: tx(h), label: "hold", colour: boundaryColour, title: "ramp ends, hold starts at \(ReportText.seconds(h))", dashed: false))
        }
        for (n, e, t) in ran {
            let ok = e.outcome.isSuccess
            markers.append(
                Marker(
                    x: tx(t), label: "\(n) \(e.name): \(e.outcome.rawValue)", colour: ok ? eventColour : failedEventColour,
                    title: "event \(n): \(e.summary)", dashed: true))
        }
        markers.sort { $0.x < $1.x }
        var rowEnds: [Int] = []
        var rows: [Int] = []
        for m in markers {
            let w = SVGRenderer.textWidth(m.label, fontSize: 10)
            let row = rowEnds.firstIndex { $0 + 6 <= m.x } ?? (rowEnds.count < 4 ? rowEnds.count : rowEnds.count - 1)
            if row == rowEnds.count { rowEnds.append(0) }
            rowEnds[row] = m.x + 3 + w
            rows.append(row)
        }
        let bandTop = ly + 12 + 8
        let plotTop = bandTop + rowEnds.count * rowHeight + (rowEnds.isEmpty ? 0 : 6)
        var panels: [(title: String, top: Int, values: [(t: Double, open: Int, shares: [String: Double])?])] = [
            ("client view (%)", plotTop, samples.map { ($0.t, $0.clientOpen, $0.client) })
        ]
        if share.hasServerView {
            panels.append(("pods' own count (%)", plotTop + panelHeight + 20, samples.map { s in s.server.map { (s.t, s.serverOpen ?? 0, $0) } }))
        }
        let plotBottom = panels.last!.top + panelHeight

        for p in panels {
            let pb = p.top + panelHeight
            func ty(_ percent: Double) -> Int { pb - Int((percent / 100 * Double(panelHeight)).rounded()) }
            o.append("    <g class=\"share-panel\" data-view=\"\(p.title.hasPrefix("client") ? "client" : "server")\">")
            // Stacked areas: one path per pod, a closed shape per run of consecutive samples with connections open.
            var runs: [[(t: Double, shares: [String: Double])]] = [[]]
            for v in p.values {
                if let v, v.open > 0 { runs[runs.count - 1].append((v.t, v.shares)) } else if !runs[runs.count - 1].isEmpty { runs.append([]) }
            }
            runs = runs.filter { !$0.isEmpty }
            for (i, pod) in share.pods.enumerated() {
                var d: [String] = []
                for run in runs {
                    let below = run.map { s in share.pods[..<i].reduce(0) { $0 + (s.shares[$1] ?? 0) } }
                    let above = zip(run, below).map { s, b in b + (s.shares[pod] ?? 0) }
                    guard zip(above, below).contains(where: { $0 > $1 }) else { continue }
                    // A run of one sample is drawn 2 units wide so that it shows.
                    let xs = run.count == 1 ? [max(left, tx(run[0].t) - 1), min(left + plotWidth, tx(run[0].t) + 1)] : run.map { tx($0.t) }
                    let ups = run.count == 1 ? [above[0], above[0]] : above
                    let downs = run.count == 1 ? [below[0], below[0]] : below
                    var path = "M" + zip(xs, ups).map { "\($0) \(ty($1))" }.joined(separator: " L")
                    path += " L" + zip(xs, downs).reversed().map { "\($0) \(ty($1))" }.joined(separator: " L") + " Z"
                    d.append(path)
                }
                guard !d.isEmpty else { continue }
                o.append(
                    "      <path class=\"share\" data-pod=\"\(x(pod))\" d=\"\(d.joined(separator: " "))\" "
                        + "fill=\"\(colour(of: pod, in: share.pods))\"><title>\(x(pod == "?" ? "unattributed" : pod)): \(x(p.title))</title></path>")
            }
            // Grid, axes and percent ticks.
            o.append("      <g class=\"share-axis\" stroke=\"#888888\">")
            for pct in stride(from: 0, through: 100, by: 25) {
                o.append(
                    "        <line x1=\"\(left)\" y1=\"\(ty(Double(pct)))\" x2=\"\(left + plotWidth)\" y2=\"\(ty(Double(pct)))\" stroke=\"#e0e0e0\" fill=\"none\"/>"
                )
            }
            o.append("        <line x1=\"\(left)\" y1=\"\(p.top)\" x2=\"\(left)\" y2=\"\(pb)\"/>")
            o.append("        <line x1=\"\(left)\" y1=\"\(pb)\" x2=\"\(left + plotWidth)\" y2=\"\(pb)\"/>")
            o.append("      </g>")
            o.append("      <g class=\"share-ticks\" text-anchor=\"end\" font-size=\"10\">")
            for pct in stride(from: 0, through: 100, by: 25) {
                o.append("        <text x=\"\(left - 6)\" y=\"\(ty(Double(pct)) + 3)\">\(pct)</text>")
            }
            o.append("      </g>")
            let mid = p.top + panelHeight / 2
            o.append(
                "      <text x=\"16\" y=\"\(mid)\" text-anchor=\"middle\" font-size=\"11\" "
                    + "transform=\"rotate(-90 16 \(mid))\">\(x(p.title))</text>")
            o.append("    </g>")
        }

        // Markers across every panel, labels in the band above the first.
        o.append("    <g class=\"share-markers\" font-size=\"10\">")
        for (m, row) in zip(markers, rows) {
            o.append(
                "      <line class=\"marker\" x1=\"\(m.x)\" y1=\"\(bandTop + row * rowHeight + 2)\" x2=\"\(m.x)\" y2=\"\(plotBottom)\" "
                    + "stroke=\"\(m.colour)\" stroke-width=\"1.5\"\(m.dashed ? " stroke-dasharray=\"4 2\"" : "")>"
                    + "<title>\(x(m.title))</title></line>")
            o.append(
                "      <text x=\"\(m.x + 3)\" y=\"\(bandTop + row * rowHeight + 10)\" font-size=\"10\" fill=\"\(m.colour)\">\(x(m.label))</text>")
        }
        o.append("    </g>")
        // Time axis.
        o.append("    <g class=\"share-time\" text-anchor=\"middle\" font-size=\"10\">")
        var tick = 0
        while tick <= axisMax {
            o.append("      <text x=\"\(tx(Double(tick)))\" y=\"\(plotBottom + 14)\">\(tick)</text>")
            tick += step
        }
        o.append("    </g>")
        o.append("    <text x=\"\(left + plotWidth / 2)\" y=\"\(plotBottom + 32)\" text-anchor=\"middle\">seconds since the run start</text>")
        o.append("  </g>")
        return (o, plotBottom + 44 - top)
    }
}
