/// The lines every renderer shows for a report's ``SkewSignificance`` section.
enum SignificanceText {
    /// Plain-text lines (no markup), empty without the section.
    static func lines(_ report: Report) -> [String] {
        guard let s = report.significance else { return [] }
        var out: [String] = []
        func opt(_ v: Double?, _ d: Int) -> String { v.map { ReportText.fixed($0, d) } ?? "–" }
        out.append(
            "fairness: max/mean \(opt(s.maxOverMean, 2))  min/mean \(opt(s.minOverMean, 2))  CV \(opt(s.coefficientOfVariation, 3))"
                + "  Jain \(opt(s.jainIndex, 3))")
        let unitWord = s.unit == "client" ? "clients" : "connections"
        if s.unit == "client" {
            out.append("placement unit: client (every client's connections landed on one pod, so the \(s.units) clients are the independent draws)")
        }
        let method = s.method == "exact" ? "exact" : "Monte Carlo, \(s.samples ?? 0) samples, seed \(s.seed ?? 0)"
        out.append(
            "random placement of \(s.units) \(unitWord) over \(s.pods) pods (\(method)): p \(ReportText.pValue(s.pValue)) "
                + "for a spread this uneven; max deviation median \(ReportText.fixed(s.randomMaxDeviationMedianPercent, 1))%, "
                + "95% within \(ReportText.fixed(s.randomMaxDeviationP95Percent, 1))% (observed \(ReportText.fixed(s.observedMaxDeviationPercent, 1))%)"
        )
        if let ff = s.falseFailProbability, let skew = s.maxSkewPercent {
            out.append(
                "max_skew \(number(skew))%: a healthy random balancer fails it with probability "
                    + "\(ReportText.fixed(ff * 100, 1))% at this size (\(s.falseFailMethod ?? s.method))"
                    + (s.tooSmallForGate ? " — too small for the gate" : ""))
        }
        return out
    }

    /// A percentage as the user wrote it: `50`, `12.5`.
    static func number(_ v: Double) -> String {
        abs(v - v.rounded()) < 1e-9 && abs(v) < 1e15 ? String(Int(v.rounded())) : ReportText.fixed(v, 2)
    }
}
