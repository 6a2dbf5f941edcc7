import Foundation

/// What was run, against what, and when.
public struct RunMetadata: Sendable, Codable, Equatable {
    /// The profile name, when the run came from a profile.
    public var profile: String?
    /// The target URL with credentials and secret query values redacted.
    public var target: String
    /// Run start, rounded to milliseconds.
    public var startedAt: Date
    /// Run end, rounded to milliseconds.
    public var endedAt: Date
    /// Phase timings in run order.
    public var phases: [PhaseTiming]
    /// For `wss://` targets: the identity the certificate was verified against, or that `--insecure` was on.
    /// Absent (not encoded) for `ws://` runs and reports written before it existed.
    public var tls: TLSVerificationSummary?

    /// Creates run metadata; `target` is passed through `Redaction.redactURL` and dates are rounded to ms.
    public init(profile: String?, target: String, startedAt: Date, endedAt: Date, phases: [PhaseTiming] = []) {
        self.profile = profile
        self.target = Redaction.redactURL(target)
        self.startedAt = ReportDate.normalize(startedAt)
        self.endedAt = ReportDate.normalize(endedAt)
        self.phases = phases
    }

    /// endedAt − startedAt in seconds.
    public var durationSeconds: Double { endedAt.timeIntervalSince(startedAt) }
}
