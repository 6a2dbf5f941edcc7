/// Renders the gate as JUnit XML: one `<testcase>` per check in one `<testsuite name="wsload">`.
public enum JUnitRenderer {
    /// The JUnit XML document ending in a newline.
    public static func render(_ report: Report) -> String {
        let checks = report.gate.checks
        let failures = checks.filter { !$0.passed }.count
        // An incomplete run is one errored test case, so a CI that reads JUnit never sees green for it.
        let errors = report.gate.incomplete == nil ? 0 : 1
        let x = ReportText.xml
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out +=
            "<testsuite name=\"wsload\" tests=\"\(checks.count + errors)\" failures=\"\(failures)\" errors=\"\(errors)\" "
            + "skipped=\"0\" time=\"\(ReportText.fixed(report.run.durationSeconds, 3))\" "
            + "timestamp=\"\(ReportDate.format(report.run.startedAt))\">\n"
        out += "  <properties>\n"
        var properties: [(String, String)] = [("target", report.run.target), ("toolVersion", report.toolVersion)]
        if let profile = report.run.profile { properties.insert(("profile", profile), at: 0) }
        if let s = report.significance {
            properties.append(("significance.unit", s.unit))
            properties.append(("significance.units", String(s.units)))
            if let v = s.jainIndex { properties.append(("significance.jainIndex", ReportText.fixed(v, 4))) }
            properties.append(("significance.pValue", ReportText.pValue(s.pValue)))
            properties.append(("significance.method", s.method))
            properties.append(("significance.randomMaxDeviationP95Percent", ReportText.fixed(s.randomMaxDeviationP95Percent, 1)))
            if let ff = s.falseFailProbability { properties.append(("significance.falseFailProbability", ReportText.fixed(ff, 4))) }
        }
        if let m = report.metricsMatch {
            properties.append(("metrics.source", m.source))
            properties.append(("metrics.scrapeIntervalSeconds", ReportText.fixed(m.scrapeIntervalSeconds, 1)))
        }
        for (name, value) in properties {
            out += "    <property name=\"\(x(name))\" value=\"\(x(value))\"/>\n"
        }
        out += "  </properties>\n"
        if let reason = report.gate.incomplete {
            out += "  <testcase classname=\"wsload.run\" name=\"run_complete\" time=\"0\">\n"
            out += "    <error message=\"\(x("run incomplete: " + reason))\" type=\"RunIncomplete\">\(x(reason))</error>\n"
            out += "  </testcase>\n"
        }
        for c in checks {
            let head = "  <testcase classname=\"wsload.gate\" name=\"\(x(c.name))\" time=\"0\""
            if c.passed {
                out += head + "/>\n"
            } else {
                out += head + ">\n"
                out += "    <failure message=\"\(x(c.summary))\" type=\"GateFailure\">\(x(c.detail))</failure>\n"
                out += "  </testcase>\n"
            }
        }
        let significance = SignificanceText.lines(report)
        let metrics = report.metricsMatch.map(MetricsMatchText.plain) ?? []
        let share = ShareText.lines(report)
        let events =
            ScaleOutText.lines(report) + DrainText.lines(report)
            + (share.isEmpty ? [] : ["share of open connections over time (%):"] + share)
            + EventText.lines(report).map { "event: " + $0 }
        if !report.explanations.isEmpty || !report.warnings.isEmpty || !significance.isEmpty || !metrics.isEmpty || !events.isEmpty {
            let text = (significance + metrics + report.explanations.map(\.text) + events + report.warnings.map { "warning: " + $0 })
                .joined(separator: "\n")
            out += "  <system-out>\(x(text))</system-out>\n"
        }
        out += "</testsuite>\n"
        return out
    }
}
