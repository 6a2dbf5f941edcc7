/// The outcome of every gate check.
public struct GateVerdict: Sendable, Codable, Equatable {
    /// The checks in evaluation order.
    public var checks: [GateCheck]
    /// True when every check passed (also when there are none).
    public var passed: Bool

    /// Creates a verdict from checks.
    public init(checks: [GateCheck]) {
        self.checks = checks
        self.passed = checks.allSatisfy(\.passed)
    }

    /// The checks that failed.
    public var failedChecks: [GateCheck] { checks.filter { !$0.passed } }

    /// `.passed` or `.gateFailed`.
    public var exitCode: ExitCode { passed ? .passed : .gateFailed }
}
