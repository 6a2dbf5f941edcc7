/// Renders a report as one self-contained HTML page: inline CSS, the SVG chart and the tables. No scripts.
public enum HTMLRenderer {
    /// The HTML document ending in a newline.
    public static func render(_ report: Report) -> String {
        let x = ReportText.xml
        let passed = report.gate.passed
        var o: [String] = []
        o.append("<!DOCTYPE html>")
        o.append("<html lang=\"en\">")
        o.append("<head>")
        o.append("<meta charset=\"utf-8\">")
        o.append("<title>wsload report — \(x(report.run.profile ?? report.run.target))</title>")
        o.append("<style>")
        o.append("body{font-family:sans-serif;margin:2em;color:#222}")
        o.append("table{border-collapse:collapse;margin:1em 0}")
        o.append("th,td{border:1px solid #ccc;padding:4px 8px}")
        o.append("td.num{text-align:right}")
        o.append(".pass{color:#1a7f37;font-weight:bold}")
        o.append(".fail{color:#cf222e;font-weight:bold}")
        // The chart keeps its viewBox and scales to the page's width (never wider than 960 px).
        o.append(".chart svg{display:block;width:100%;max-width:960px;height:auto}")
        o.append("</style>")
        o.append("</head>")
        o.append("<body>")
        o.append("<h1>wsload <span class=\"\(passed ? "pass" : "fail")\">\(ReportText.verdict(report.gate))</span></h1>")
        if let reason = report.gate.incomplete {
            o.append("<p class=\"fail\">Incomplete run: \(x(reason)). No verdict on the spread is given; exit code 3.</p>")
        }
        o.append("<p>\(x(ReportText.headline(report)))</p>")
        var meta = "<p>"
        if let profile = report.run.profile { meta += "Profile <code>\(x(profile))</code> · " }
        meta +=
            "Target <code>\(x(report.run.target))</code> · \(ReportDate.format(report.run.startedAt)) → "
            + "\(ReportDate.format(report.run.endedAt)) (\(ReportText.seconds(report.run.durationSeconds)))"
        if !report.run.phases.isEmpty { meta += " · " + x(ReportText.phases(report.run.phases)) }
        o.append(meta + "</p>")
        if let tls = report.run.tls { o.append("<p>TLS: \(tls.insecure ? "<strong>\(x(tls.line))</strong>" : x(tls.line))</p>") }
        o.append("<h2>Pods</h2>")
        o.append("<div class=\"chart\">")
        o.append(SVGRenderer.render(report).trimmingSuffixNewline())
        o.append("</div>")
        o.append("<table>")
        o.append(
            "<tr><th>Pod</th><th>Connections</th><th>Share</th><th>Expected</th><th>Server baseline</th>"
                + "<th>Server hold</th><th>Server peak</th><th>Server after close</th><th>Server Δ</th><th>Match</th></tr>")
        for p in report.pods {
            let match = ReportText.matchText(p)
            let cls = p.match.map { $0.isMatch ? " class=\"pass\"" : " class=\"fail\"" } ?? ""
            o.append(
                "<tr><td>\(x(p.name))</td><td class=\"num\">\(p.clients)</td>"
                    + "<td class=\"num\">\(ReportText.percent(p.share))</td>"
                    + "<td class=\"num\">\(ReportText.percent(p.expectedShare))</td>"
                    + "<td class=\"num\">\(ReportText.optional(p.serverBaseline))</td>"
                    + "<td class=\"num\">\(ReportText.optional(p.serverHold))</td>"
                    + "<td class=\"num\">\(ReportText.optional(p.serverPeak))</td>"
                    + "<td class=\"num\">\(ReportText.optional(p.serverAfterClose))</td>"
                    + "<td class=\"num\">\(ReportText.signed(p.serverDelta))</td><td\(cls)>\(x(match))</td></tr>")
        }
        o.append("</table>")

        let t = report.totals
        o.append("<h2>Connections</h2>")
        o.append("<table>")
        o.append(
            "<tr><th>Attempted</th><th>Established</th><th>Failed</th><th>Dropped</th><th>Held</th>"
                + (t.unaccounted > 0 ? "<th>Unaccounted</th>" : "") + (t.recycled > 0 ? "<th>Recycled</th>" : "") + "</tr>")
        o.append(
            "<tr><td class=\"num\">\(t.attempted)</td><td class=\"num\">\(t.established)</td>"
                + "<td class=\"num\">\(t.failed)</td><td class=\"num\">\(t.dropped)</td><td class=\"num\">\(t.held)</td>"
                + (t.unaccounted > 0 ? "<td class=\"num\">\(t.unaccounted)</td>" : "")
                + (t.recycled > 0 ? "<td class=\"num\">\(t.recycled)</td>" : "") + "</tr>")
        o.append("</table>")
        if let tls = t.tlsSummary { o.append("<p>\(tls)</p>") }
        if !t.failures.isEmpty {
            o.append("<table>")
            o.append("<tr><th>Phase</th><th>Reason</th><th>Count</th></tr>")
            for f in t.failures {
                o.append("<tr><td>\(x(f.phase))</td><td>\(x(f.reason))</td><td class=\"num\">\(f.count)</td></tr>")
            }
            o.append("</table>")
        }

        if let m = report.metricsMatch {
            o.append("<h2>\(x(MetricsMatchText.title(m)))</h2>")
            if !m.pods.isEmpty {
                o.append("<table>")
                o.append("<tr><th>Pod</th><th>wsload</th><th>Baseline</th><th>Hold</th><th>Δ</th><th>After close</th><th>Match</th></tr>")
                for (i, r) in MetricsMatchText.rows(m).enumerated() {
                    let cls = m.pods[i].classification.isMatch ? "pass" : "fail"
                    o.append(
                        "<tr><td>\(x(r[0]))</td>" + r[1...5].map { "<td class=\"num\">\(x($0))</td>" }.joined()
                            + "<td class=\"\(cls)\">\(x(r[6]))</td></tr>")
                }
                o.append("</table>")
            }
            let lines = MetricsMatchText.lines(m)
            if !lines.isEmpty {
                o.append("<ul>")
                for l in lines { o.append("<li>\(x(l))</li>") }
                o.append("</ul>")
            }
        }

        let s = report.statistics
        o.append("<h2>Statistics</h2>")
        o.append("<table>")
        var rows: [(String, String)] = [
            ("Pods hit", "\(s.podsHit) / \(s.podCount)"),
            ("Mean per pod", ReportText.fixed(s.mean, 2)),
            ("Max deviation", ReportText.fixed(s.maxDeviationPercent, 1) + "%"),
            ("Max / min", ReportText.ratio(s)),
            ("Coefficient of variation", s.coefficientOfVariation.map { ReportText.fixed($0, 3) } ?? "–"),
        ]
        if let chi = s.chiSquare, let p = s.pValue {
            rows.append(("χ² (df \(s.degreesOfFreedom))", ReportText.fixed(chi, 2)))
            rows.append(("p-value", ReportText.pValue(p)))
        }
        if !s.podsNotHit.isEmpty { rows.append(("Pods not hit", s.podsNotHit.joined(separator: ", "))) }
        if let sig = report.significance {
            func opt(_ v: Double?, _ d: Int) -> String { v.map { ReportText.fixed($0, d) } ?? "–" }
            rows.append(("Max / mean", opt(sig.maxOverMean, 2)))
            rows.append(("Min / mean", opt(sig.minOverMean, 2)))
            rows.append(("Jain fairness index", opt(sig.jainIndex, 3)))
        }
        for (k, v) in rows { o.append("<tr><th>\(x(k))</th><td>\(x(v))</td></tr>") }
        o.append("</table>")
        let significance = SignificanceText.lines(report).dropFirst()
        if !significance.isEmpty {
            o.append("<ul>")
            for l in significance { o.append("<li>\(x(l))</li>") }
            o.append("</ul>")
        }

        if !report.latency.isEmpty {
            o.append("<h2>Latency (ms)</h2>")
            o.append("<table>")
            o.append("<tr><th>Phase</th><th>Count</th><th>p50</th><th>p90</th><th>p99</th><th>Max</th></tr>")
            for l in report.latency {
                o.append(
                    "<tr><td>\(x(l.phase))</td><td class=\"num\">\(l.count)</td>"
                        + [l.p50Ms, l.p90Ms, l.p99Ms, l.maxMs].map { "<td class=\"num\">\(ReportText.fixed($0, 1))</td>" }
                        .joined() + "</tr>")
            }
            o.append("</table>")
        }

        if !report.gate.checks.isEmpty {
            o.append("<h2>Gate</h2>")
            o.append("<table>")
            o.append("<tr><th>Check</th><th>Threshold</th><th>Measured</th><th>Result</th><th>Detail</th></tr>")
            for c in report.gate.checks {
                o.append(
                    "<tr><td><code>\(x(c.name))</code></td><td>\(x(c.thresholdText))</td>"
                        + "<td class=\"num\">\(x(c.measuredText))</td>"
                        + "<td class=\"\(c.passed ? "pass" : "fail")\">\(ReportText.verdict(c.passed))</td>"
                        + "<td>\(x(c.detail))</td></tr>")
            }
            o.append("</table>")
        }
        if !report.explanations.isEmpty {
            o.append("<h2>Why the spread is poor</h2>")
            o.append("<ul>")
            for e in report.explanations { o.append("<li>\(inlineMarkdown(e.text))</li>") }
            o.append("</ul>")
        }
        let scaleOut = ScaleOutText.lines(report)
        if !scaleOut.isEmpty {
            o.append("<h2>Scale-out</h2>")
            o.append("<ul>")
            for l in scaleOut { o.append("<li>\(x(l))</li>") }
            o.append("</ul>")
        }
        let drain = ResilienceText.lines(report) + DrainText.lines(report)
        if !drain.isEmpty {
            o.append("<h2>Drain and reconnects</h2>")
            o.append("<ul>")
            for l in drain { o.append("<li>\(x(l))</li>") }
            o.append("</ul>")
        }
        let events = EventText.lines(report)
        if !events.isEmpty {
            o.append("<h2>Events</h2>")
            o.append("<ol>")
            for l in events { o.append("<li>\(x(l))</li>") }
            o.append("</ol>")
        }
        if !report.warnings.isEmpty || !report.notes.isEmpty {
            o.append("<h2>Notes</h2>")
            o.append("<ul>")
            for w in report.warnings { o.append("<li><strong>warning:</strong> \(x(w))</li>") }
            for n in report.notes { o.append("<li>\(x(n))</li>") }
            o.append("</ul>")
        }
        o.append("<p><small>wsload \(x(report.toolVersion)) · report schema \(report.schemaVersion)</small></p>")
        o.append("</body>")
        o.append("</html>")
        return o.joined(separator: "\n") + "\n"
    }

    /// `text` HTML-escaped, then each pair of backticks turned into `<code>…</code>` (the only Markdown the
    /// explanations use). An unpaired backtick stays a literal backtick.
    static func inlineMarkdown(_ text: String) -> String {
        let parts = ReportText.xml(text).split(separator: "`", omittingEmptySubsequences: false)
        guard parts.count >= 3 else { return parts.joined(separator: "`") }
        var out = ""
        for (i, part) in parts.enumerated() {
            let isCode = i % 2 == 1
            if isCode && i == parts.count - 1 { out += "`" + part; break }  // an odd backtick at the end
            out += isCode ? "<code>\(part)</code>" : String(part)
        }
        return out
    }
}

extension String {
    /// The string without one trailing newline.
    func trimmingSuffixNewline() -> String { hasSuffix("\n") ? String(dropLast()) : self }
}
