/// The outcome of every gate check, and whether the run was complete enough to be judged at all.
public struct GateVerdict: Sendable, Codable, Equatable {
    /// The three verdicts a report can carry.
    public enum Status: String, Sendable, Codable, Equatable {
        /// The run completed and every check passed.
        case pass = "PASS"
        /// The run completed and at least one check failed.
        case fail = "FAIL"
        /// The run did not complete (interrupted, nothing established, connections unaccounted for, a lost
        /// worker): no verdict on the spread can be given, whatever the checks say.
        case incomplete = "INCOMPLETE"
    }

    /// The checks in evaluation order.
    public var checks: [GateCheck]
    /// True when the run is complete and every check passed (also when there are none).
    public var passed: Bool
    /// Why the run is incomplete, in words (`the run was interrupted before the hold ended`); nil for a complete run.
    public var incomplete: String?

    /// Creates a verdict from checks; `incomplete` (a reason) makes it INCOMPLETE.
    public init(checks: [GateCheck], incomplete: String? = nil) {
        self.checks = checks
        self.incomplete = incomplete
        self.passed = incomplete == nil && checks.allSatisfy(\.passed)
    }

    /// PASS, FAIL or INCOMPLETE.
    public var status: Status { incomplete != nil ? .incomplete : passed ? .pass : .fail }
    /// The checks that failed.
    public var failedChecks: [GateCheck] { checks.filter { !$0.passed } }
    /// `.passed`, `.gateFailed`, or `.runIncomplete` (3) for an incomplete run.
    public var exitCode: ExitCode {
        switch status {
        case .pass: return .passed
        case .fail: return .gateFailed
        case .incomplete: return .runIncomplete
        }
    }

    /// One line for people: `PASS (2 gate checks passed)`, `FAIL (1 of 3 gate checks failed)`,
    /// `INCOMPLETE (the run was interrupted …)`.
    public var summary: String {
        let n = checks.count, noun = checks.count == 1 ? "gate check" : "gate checks"
        switch status {
        case .incomplete: return "INCOMPLETE (\(incomplete ?? ""))"
        case .pass: return checks.isEmpty ? "PASS (no gate checks)" : "PASS (\(n) \(noun) passed)"
        case .fail: return "FAIL (\(failedChecks.count) of \(n) \(noun) failed)"
        }
    }
}
