import Foundation

/// Locale-independent number formatting and escaping shared by the renderers.
enum ReportText {
    /// `value` with `decimals` fractional digits (C locale, so always a dot).
    static func fixed(_ value: Double, _ decimals: Int) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "∞" : "-∞") }
        var s = String(format: "%.\(decimals)f", value)
        if s.hasPrefix("-"), Double(s) == 0 { s.removeFirst() }
        return s
    }

    /// A share (0…1) as a percentage with one decimal, e.g. `52.6%`.
    static func percent(_ share: Double) -> String { fixed(share * 100, 1) + "%" }

    /// An optional integer, or `–` when absent.
    static func optional(_ value: Int?) -> String { value.map(String.init) ?? "–" }

    /// An optional integer with an explicit sign, or `–`.
    static func signed(_ value: Int?) -> String {
        guard let value else { return "–" }
        return value > 0 ? "+\(value)" : String(value)
    }

    /// A p-value: fixed with four decimals down to 0.0001, scientific below.
    static func pValue(_ p: Double) -> String {
        p == 0 ? "0" : p >= 0.0001 ? fixed(p, 4) : String(format: "%.2e", p)
    }

    /// Seconds with `decimals` decimals (one unless told) and a unit, e.g. `60.0 s`.
    static func seconds(_ s: Double, decimals: Int = 1) -> String { fixed(s, decimals) + " s" }

    /// Escapes the five XML special characters and drops characters XML 1.0 forbids.
    static func xml(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                let v = scalar.value
                if v < 0x20 || v == 0xFFFE || v == 0xFFFF { out += "\u{FFFD}" } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }

    /// Escapes text for a Markdown table cell: pipes, backslashes and newlines.
    static func markdownCell(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "|", with: "\\|")
            .replacingOccurrences(of: "\n", with: " ")
    }

    /// The verdict word.
    static func verdict(_ passed: Bool) -> String { passed ? "PASS" : "FAIL" }
    /// PASS, FAIL or INCOMPLETE for a report.
    static func verdict(_ gate: GateVerdict) -> String { gate.status.rawValue }

    /// Phase timings as `ramp 10.0 s, hold 40.0 s`.
    static func phases(_ phases: [PhaseTiming]) -> String {
        phases.map { "\($0.name) \(seconds($0.durationSeconds))" }.joined(separator: ", ")
    }

    /// The max/min ratio, or `∞ (a pod got 0)`.
    static func ratio(_ stats: DistributionStatistics) -> String {
        if let r = stats.maxMinRatio { return fixed(r, 2) }
        return stats.minIsZero ? "∞ (a pod got 0)" : "–"
    }

    /// A one-line summary used by Markdown and HTML headings.
    static func headline(_ report: Report) -> String {
        let s = report.statistics
        return "\(report.totals.established)/\(report.totals.attempted) established, "
            + "\(s.podsHit)/\(s.podCount) pods hit, max deviation \(fixed(s.maxDeviationPercent, 1))%"
    }

    /// The match cell: mark and label, with the other traffic's size (`✓ other traffic +3`).
    static func matchText(_ row: PodRow) -> String {
        guard let m = row.match else { return "–" }
        let size = m == .otherTraffic ? row.otherTraffic.map { " " + signed($0) } ?? "" : ""
        return "\(matchMark(m)) \(m.label)\(size)"
    }

    /// The match classification mark: ✓ for matched (and other traffic: wsload's own count matched), ✗ otherwise, – without server data.
    static func matchMark(_ m: MatchClassification?) -> String {
        guard let m else { return "–" }
        switch m {
        case .matched, .otherTraffic: return "✓"
        case .noServerData: return "?"
        default: return "✗"
        }
    }
}
