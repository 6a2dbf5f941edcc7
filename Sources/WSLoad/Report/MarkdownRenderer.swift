/// Renders a report as GitHub-flavoured Markdown for a pull-request comment.
public enum MarkdownRenderer {
    /// The Markdown text ending in a newline.
    public static func render(_ report: Report) -> String {
        let md = ReportText.markdownCell
        var out: [String] = []
        let icon = report.gate.status == .incomplete ? "⚠️" : report.gate.passed ? "✅" : "❌"
        out.append("### \(icon) wsload \(ReportText.verdict(report.gate)) — \(ReportText.headline(report))")
        if let reason = report.gate.incomplete {
            out.append("")
            out.append("**Incomplete run:** \(reason). No verdict on the spread is given; exit code 3.")
        }
        out.append("")
        var meta = "Target `\(report.run.target)`"
        if let profile = report.run.profile { meta = "Profile `\(profile)` · " + meta }
        meta += " · \(ReportDate.format(report.run.startedAt)) · \(ReportText.seconds(report.run.durationSeconds))"
        out.append(meta)
        if let tls = report.run.tls { out.append(""); out.append("TLS: " + (tls.insecure ? "**\(tls.line)**" : tls.line)) }
        out.append("")

        out.append("| Pod | Connections | Share | Expected | Server Δ | Match |")
        out.append("|:----|--------:|------:|---------:|---------:|:------|")
        for p in report.pods {
            let match = ReportText.matchText(p)
            out.append(
                "| \(md(p.name)) | \(p.clients) | \(ReportText.percent(p.share)) | "
                    + "\(ReportText.percent(p.expectedShare)) | \(ReportText.signed(p.serverDelta)) | \(match) |")
        }
        out.append("")
        if let m = report.metricsMatch {
            out.append("**\(md(MetricsMatchText.title(m)))**")
            out.append("")
            if !m.pods.isEmpty {
                out.append("| Pod | wsload | Baseline | Hold | Δ | After close | Match |")
                out.append("|:----|-------:|---------:|-----:|--:|------------:|:------|")
                for r in MetricsMatchText.rows(m) { out.append("| " + r.map(md).joined(separator: " | ") + " |") }
                out.append("")
            }
            let lines = MetricsMatchText.lines(m)
            if !lines.isEmpty {
                for l in lines { out.append("- " + l) }
                out.append("")
            }
        }

        let s = report.statistics
        var stats =
            "Pods hit \(s.podsHit)/\(s.podCount) · max deviation \(ReportText.fixed(s.maxDeviationPercent, 1))%"
            + " · max/min \(ReportText.ratio(s))"
        if let cv = s.coefficientOfVariation { stats += " · CV \(ReportText.fixed(cv, 3))" }
        if let chi = s.chiSquare, let p = s.pValue {
            stats += " · χ² \(ReportText.fixed(chi, 2)) (df \(s.degreesOfFreedom)), p \(ReportText.pValue(p))"
        }
        out.append(stats)
        let significance = SignificanceText.lines(report)
        if !significance.isEmpty {
            out.append("")
            for l in significance { out.append("- " + l) }
        }
        let t = report.totals
        out.append("")
        out.append(
            "Connections: \(t.attempted) attempted, \(t.established) established, \(t.failed) failed, "
                + "\(t.dropped) dropped, \(t.held) held"
                + (t.unaccounted > 0 ? ", \(t.unaccounted) unaccounted" : "")
                + (t.recycled > 0 ? "; \(t.recycled) recycled (closed after their lifetime and reopened)" : "") + "."
                + (t.tlsSummary.map { " \($0)." } ?? ""))
        out.append("")

        if !report.gate.checks.isEmpty {
            out.append("| Check | Threshold | Measured | Result |")
            out.append("|:------|----------:|---------:|:-------|")
            for c in report.gate.checks {
                out.append(
                    "| `\(c.name)` | \(md(c.thresholdText)) | \(md(c.measuredText)) | "
                        + "\(c.passed ? "✅ PASS" : "❌ FAIL") |")
            }
            out.append("")
        }
        if !report.explanations.isEmpty {
            out.append("**Why the spread is poor**")
            out.append("")
            for e in report.explanations { out.append("- " + e.text) }
            out.append("")
        }
        let resilience = ResilienceText.lines(report)
        if !resilience.isEmpty {
            out.append("**Resilience**")
            out.append("")
            for l in resilience { out.append("- " + l) }
            out.append("")
        }
        let scaleOut = ScaleOutText.lines(report)
        if !scaleOut.isEmpty {
            out.append("**Scale-out**")
            out.append("")
            for l in scaleOut { out.append("- " + ReportText.markdownCell(l)) }
            out.append("")
        }
        let drain = DrainText.lines(report)
        if !drain.isEmpty {
            out.append("**Drain and reconnects**")
            out.append("")
            for l in drain { out.append("- " + ReportText.markdownCell(l)) }
            out.append("")
        }
        let share = ShareText.lines(report)
        if !share.isEmpty {
            out.append("**Share of open connections over time (%)**")
            out.append("")
            out.append("```")
            out += share
            out.append("```")
            out.append("")
        }
        let events = EventText.lines(report)
        if !events.isEmpty {
            out.append("**Events**")
            out.append("")
            for (i, l) in events.enumerated() { out.append("\(i + 1). " + ReportText.markdownCell(l)) }
            out.append("")
        }
        if !report.warnings.isEmpty {
            out.append("**Warnings**")
            out.append("")
            for w in report.warnings { out.append("- " + w) }
            out.append("")
        }
        while out.last == "" { out.removeLast() }
        return out.joined(separator: "\n") + "\n"
    }
}
