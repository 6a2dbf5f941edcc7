import Foundation
import Histogram

/// Everything a finished (or interrupted) run measured.
public struct EngineResult: Sendable {
    /// Per-connection records.
    public var records: [ConnectionRecord]
    /// When the run started, the ramp ended (= hold started), the hold ended and closing finished.
    public var startedAt: Date, holdStartedAt: Date, holdEndedAt: Date, endedAt: Date
    /// Latency histograms per phase name, in microseconds (`tcp-connect`, `tls`, `upgrade`, `first-message`, `close`, `echo-rtt`, `ping-rtt`).
    public var histograms: [String: Histogram<UInt64>]
    /// Open connections per pod when the hold ended.
    public var heldPerPod: [String: Int]
    /// Warnings raised while planning or running.
    public var warnings: [String]
    /// Whether the run was interrupted before it completed.
    public var interrupted: Bool
    /// Distinct affinity cookie values the run sent or received.
    public var distinctCookieValues: Int
    /// Samples of open connections per pod over time.
    public var timeline: [TimelinePoint] = []

    /// Attempts started.
    public var attempted: Int { records.count { $0.status != .pending } }
    /// Connections that completed the handshake.
    public var established: Int { records.count { $0.status == .held || $0.status == .dropped || $0.status == .open } }
    /// Attempts that failed before establishment.
    public var failed: Int { records.count { $0.status == .failed } }
    /// Connections open at the end of the hold.
    public var held: Int { records.count { $0.status == .held } }
    /// Connections that ended before the hold ended.
    public var dropped: Int { records.count { $0.status == .dropped } }
}

extension EngineResult {
    /// The result of a run from its ledger (records, held per pod, cookie values) and its recorder (phase times,
    /// histograms, timeline).
    init(ledger: ConnectionLedger, recorder: RunRecorder, warnings: [String], interrupted: Bool) {
        self.init(
            records: ledger.records, startedAt: recorder.startedAt, holdStartedAt: recorder.holdStartedAt,
            holdEndedAt: recorder.holdEndedAt, endedAt: recorder.endedAt, histograms: recorder.histograms,
            heldPerPod: ledger.heldPerPod, warnings: warnings, interrupted: interrupted,
            distinctCookieValues: ledger.cookieValues.count, timeline: recorder.timeline)
    }
}
