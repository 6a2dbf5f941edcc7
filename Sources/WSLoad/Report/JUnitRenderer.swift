/// Renders the gate as JUnit XML: one `<testcase>` per check in one `<testsuite name="wsload">`.
public enum JUnitRenderer {
    /// The JUnit XML document ending in a newline.
    public static func render(_ report: Report) -> String {
        let checks = report.gate.checks
        let failures = checks.filter { !$0.passed }.count
        let x = ReportText.xml
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuite name=\"wsload\" tests=\"\(checks.count)\" failures=\"\(failures)\" errors=\"0\" "
            + "skipped=\"0\" time=\"\(ReportText.fixed(report.run.durationSeconds, 3))\" "
            + "timestamp=\"\(ReportDate.format(report.run.startedAt))\">\n"
        out += "  <properties>\n"
        var properties: [(String, String)] = [("target", report.run.target), ("toolVersion", report.toolVersion)]
        if let profile = report.run.profile { properties.insert(("profile", profile), at: 0) }
        for (name, value) in properties {
            out += "    <property name=\"\(x(name))\" value=\"\(x(value))\"/>\n"
        }
        out += "  </properties>\n"
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
        if !report.explanations.isEmpty || !report.warnings.isEmpty {
            let text = (report.explanations.map(\.message) + report.warnings.map { "warning: " + $0 })
                .joined(separator: "\n")
            out += "  <system-out>\(x(text))</system-out>\n"
        }
        out += "</testsuite>\n"
        return out
    }
}
