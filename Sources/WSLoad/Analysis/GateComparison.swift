/// How a gate check compares its measured value with its threshold.
public enum GateComparison: String, Sendable, Codable, Equatable, CaseIterable {
    /// Passes when measured ≤ threshold.
    case atMost
    /// Passes when measured ≥ threshold.
    case atLeast

    /// The comparison as a symbol.
    public var symbol: String { self == .atMost ? "≤" : "≥" }

    /// True when `measured` satisfies `threshold`.
    public func accepts(_ measured: Double, _ threshold: Double) -> Bool {
        self == .atMost ? measured <= threshold : measured >= threshold
    }
}
