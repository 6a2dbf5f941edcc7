import Foundation

/// One gate check: name, threshold, measured value and whether it passed.
public struct GateCheck: Sendable, Codable, Equatable {
    /// The threshold's name as written in a profile, e.g. `max_skew` or `max_upgrade_p99_ms`.
    public var name: String
    /// The threshold value.
    public var threshold: Double
    /// The measured value; nil when it could not be measured (the check then fails).
    public var measured: Double?
    /// How measured is compared with threshold.
    public var comparison: GateComparison
    /// Unit for display: `%`, `ms`, `pods`, `connections`, `clients`.
    public var unit: String
    /// Whether the check passed.
    public var passed: Bool
    /// A one-line human explanation of the result.
    public var detail: String

    /// Creates a check; `passed` is derived from the comparison (a missing measurement fails).
    public init(
        name: String, threshold: Double, measured: Double?, comparison: GateComparison, unit: String,
        detail: String
    ) {
        self.name = name
        self.threshold = threshold
        self.measured = measured
        self.comparison = comparison
        self.unit = unit
        self.passed = measured.map { comparison.accepts($0, threshold) } ?? false
        self.detail = detail
    }

    /// The threshold for display, e.g. `≤ 20%`.
    public var thresholdText: String { "\(comparison.symbol) \(GateCheck.format(threshold, unit))" }

    /// The measured value for display, e.g. `12.5%`, or `not measured`.
    public var measuredText: String { measured.map { GateCheck.format($0, unit) } ?? "not measured" }

    /// "measured X, threshold ≤ Y": the failure message used by renderers.
    public var summary: String { "measured \(measuredText), threshold \(thresholdText)" }

    /// Formats a value with its unit: integers without decimals, others with one (two below 10).
    static func format(_ value: Double, _ unit: String) -> String {
        let number: String
        if abs(value - value.rounded()) < 1e-9, abs(value) < 1e15 {
            number = String(Int(value.rounded()))
        } else {
            number = String(format: abs(value) < 10 ? "%.2f" : "%.1f", value)
        }
        switch unit {
        case "%": return number + "%"
        case "": return number
        default:
            // "1 pod", "2 pods": units are written in the plural.
            let singular = number == "1" && unit.hasSuffix("s") ? String(unit.dropLast()) : unit
            return number + " " + singular
        }
    }
}
