/// Renders a report as a terminal table; ANSI colour only when asked.
public enum TableRenderer {
    /// Width of the share bar in characters.
    static let barWidth = 20

    /// The report as terminal text ending in a newline.
    public static func render(_ report: Report, colour: Bool = false) -> String {
        let ansi = ANSI(enabled: colour)
        var out: [String] = []
        let run = report.run
        out.append(
            ansi.bold("wsload \(report.toolVersion)") + (run.profile.map { "  profile \($0)" } ?? "")
                + "  target \(run.target)")
        var timing =
            "run \(ReportDate.format(run.startedAt)) → \(ReportDate.format(run.endedAt)) "
            + "(\(ReportText.seconds(run.durationSeconds)))"
        if !run.phases.isEmpty { timing += "  phases: " + ReportText.phases(run.phases) }
        out.append(timing)
        if let tls = run.tls { out.append("tls " + (tls.insecure ? ansi.bold(tls.line) : tls.line)) }
        out.append("")

        out.append("Verdict: " + ansi.passFail(report.gate.passed, report.gate.summary))
        out.append("")

        let t = report.totals
        out.append(ansi.bold("Connections"))
        out.append(
            "  attempted \(t.attempted)  established \(t.established)  failed \(t.failed)  "
                + "dropped \(t.dropped)  held \(t.held)" + (t.unaccounted > 0 ? "  unaccounted \(t.unaccounted)" : "")
                + (t.recycled > 0 ? "  recycled \(t.recycled)" : ""))
        for f in t.failures {
            out.append("  failed in \(f.phase): \(f.reason) ×\(f.count)")
        }
        if let tls = t.tlsSummary { out.append("  " + tls) }
        out.append("")

        out.append(ansi.bold("Pods"))
        let maxClients = report.pods.map(\.clients).max() ?? 0
        var pods = TextTable(
            headers: ["POD", "CONNECTIONS", "SHARE", "EXPECTED", "SERVER Δ", "MATCH", "SHARE BAR"],
            alignments: [.left, .right, .right, .right, .right, .left, .left])
        for p in report.pods {
            let filled = maxClients > 0 ? Int((Double(p.clients) / Double(maxClients) * Double(barWidth)).rounded()) : 0
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: barWidth - filled)
            let match = ReportText.matchText(p)
            pods.rows.append([
                p.name, String(p.clients), ReportText.percent(p.share),
                ReportText.percent(p.expectedShare), ReportText.signed(p.serverDelta), match, bar,
            ])
        }
        out += pods.lines { row, column, text in
            guard row >= 0, column == 5, let m = report.pods[row].match else { return row < 0 ? ansi.dim(text) : text }
            return m.isMatch ? ansi.green(text) : m == .noServerData ? ansi.yellow(text) : ansi.red(text)
        }
        out.append("")

        if let m = report.metricsMatch {
            out.append(ansi.bold(MetricsMatchText.title(m)))
            if !m.pods.isEmpty {
                var table = TextTable(headers: MetricsMatchText.headers, alignments: [.left, .right, .right, .right, .right, .right, .left])
                table.rows = MetricsMatchText.rows(m)
                out += table.lines { row, column, text in
                    guard row >= 0 else { return ansi.dim(text) }
                    guard column == 6 else { return text }
                    let c = m.pods[row].classification
                    return c.isMatch ? ansi.green(text) : c == .noServerData ? ansi.yellow(text) : ansi.red(text)
                }
            }
            for l in MetricsMatchText.lines(m) { out.append("  " + l) }
            out.append("")
        }

        let s = report.statistics
        out.append(ansi.bold("Statistics"))
        out.append(
            "  pods hit \(s.podsHit)/\(s.podCount)"
                + (s.podsNotHit.isEmpty ? "" : " (not hit: \(s.podsNotHit.joined(separator: ", ")))")
                + "  mean \(ReportText.fixed(s.mean, 2))  max deviation \(ReportText.fixed(s.maxDeviationPercent, 1))%"
                + "  max/min \(ReportText.ratio(s))")
        var line = "  CV " + (s.coefficientOfVariation.map { ReportText.fixed($0, 3) } ?? "–")
        if let chi = s.chiSquare, let p = s.pValue {
            line += "  χ² \(ReportText.fixed(chi, 2)) (df \(s.degreesOfFreedom))  p \(ReportText.pValue(p))"
        } else {
            line += "  χ² –"
        }
        out.append(line)
        for l in SignificanceText.lines(report) { out.append("  " + l) }
        out.append("")

        if !report.latency.isEmpty {
            out.append(ansi.bold("Latency (ms)"))
            var lat = TextTable(
                headers: ["PHASE", "COUNT", "P50", "P90", "P99", "MAX"],
                alignments: [.left, .right, .right, .right, .right, .right])
            for l in report.latency {
                lat.rows.append([
                    l.phase, String(l.count), ReportText.fixed(l.p50Ms, 1), ReportText.fixed(l.p90Ms, 1),
                    ReportText.fixed(l.p99Ms, 1), ReportText.fixed(l.maxMs, 1),
                ])
            }
            out += lat.lines { row, _, text in row < 0 ? ansi.dim(text) : text }
            out.append("")
        }

        if !report.gate.checks.isEmpty {
            out.append(ansi.bold("Gate"))
            var gate = TextTable(
                headers: ["RESULT", "CHECK", "MEASURED", "THRESHOLD", "DETAIL"],
                alignments: [.left, .left, .right, .left, .left])
            for c in report.gate.checks {
                gate.rows.append([ReportText.verdict(c.passed), c.name, c.measuredText, c.thresholdText, c.detail])
            }
            out += gate.lines { row, column, text in
                guard row >= 0 else { return ansi.dim(text) }
                return column == 0 ? ansi.passFail(report.gate.checks[row].passed, text) : text
            }
            out.append("")
        }

        if !report.explanations.isEmpty {
            out.append(ansi.bold("Why the spread is poor"))
            for e in report.explanations { out.append("  - " + e.text) }
            out.append("")
        }
        let resilience = ResilienceText.lines(report)
        if !resilience.isEmpty {
            out.append(ansi.bold("Resilience"))
            for l in resilience { out.append("  " + l) }
            out.append("")
        }
        let scaleOut = ScaleOutText.lines(report)
        if !scaleOut.isEmpty {
            out.append(ansi.bold("Scale-out"))
            for l in scaleOut { out.append("  " + l) }
            out.append("")
        }
        let drain = DrainText.lines(report)
        if !drain.isEmpty {
            out.append(ansi.bold("Drain and reconnects"))
            for l in drain { out.append("  " + l) }
            out.append("")
        }
        let share = ShareText.lines(report)
        if !share.isEmpty {
            out.append(ansi.bold("Share of open connections over time (%)"))
            for l in share { out.append("  " + l) }
            out.append("")
        }
        let events = EventText.lines(report)
        if !events.isEmpty {
            out.append(ansi.bold("Events"))
            for (i, l) in events.enumerated() { out.append("  ^\(i + 1) " + l) }
            out.append("")
        }
        // The timeline is always in the JSON; the table shows it when connections moved or dropped, or events ran.
        let timeline = report.resilience == nil && report.events == nil ? [] : ResilienceText.timeline(report)
        if !timeline.isEmpty {
            out.append(ansi.bold("Open connections over time"))
            for l in timeline { out.append("  " + l) }
            out.append("")
        }
        if !report.placements.isEmpty {
            let total = report.placements.clientCount
            out.append("Clients: \(total - report.placements.unpinnedClients) of \(total) pinned to one pod")
            out.append("")
        }
        for w in report.warnings { out.append(ansi.yellow("warning: ") + w) }
        for n in report.notes { out.append("note: " + n) }
        while out.last == "" { out.removeLast() }
        return out.joined(separator: "\n") + "\n"
    }
}

/// ANSI SGR helpers that do nothing when disabled.
struct ANSI {
    var enabled: Bool

    func wrap(_ code: String, _ s: String) -> String { enabled ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }
    func bold(_ s: String) -> String { wrap("1", s) }
    func dim(_ s: String) -> String { wrap("2", s) }
    func red(_ s: String) -> String { wrap("31", s) }
    func green(_ s: String) -> String { wrap("32", s) }
    func yellow(_ s: String) -> String { wrap("33", s) }
    func passFail(_ passed: Bool, _ s: String) -> String { passed ? green(s) : red(s) }
}
