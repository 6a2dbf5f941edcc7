import Foundation
import Histogram

/// What a run measures besides its records: latency histograms by name (microseconds), the phase times,
/// the per-pod timeline, and the snapshot shown as progress.
///
/// A value confined to the engine's control queue; it never reads a clock itself except `Date()` for the
/// wall-clock phase times it is told to stamp.
public struct RunRecorder: Sendable {
    /// Latency histograms per name (`tcp-connect`, `tls`, `upgrade`, `first-message`, `close`, `echo-rtt`,
    /// `ping-rtt`, `disruption`, `half-open-detection`), in microseconds.
    public private(set) var histograms: [String: Histogram<UInt64>] = [:]
    /// Timeline samples, at most ``maxTimelinePoints``.
    public private(set) var timeline: [TimelinePoint] = []
    /// When the run started, the hold started (the ramp ended; in a worker holding with its siblings, the parent's
    /// release), the hold ended and closing finished.
    public var startedAt = Date(), holdStartedAt = Date(), holdEndedAt = Date(), endedAt = Date()
    /// When the hold started (monotonic ns), for the hold's remaining time.
    public var holdStartMono: UInt64 = 0
    /// Timeline samples kept at most.
    public static let maxTimelinePoints = 100_000

    /// An empty recorder.
    public init() {}

    /// Records one duration in seconds (nil: not measured) as microseconds, at least 1.
    public mutating func record(_ name: String, _ seconds: Double?) {
        guard let seconds else { return }
        if histograms[name] == nil {
            var h = Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
            h.autoResize = true
            histograms[name] = h
        }
        _ = histograms[name]!.record(UInt64(max(1, seconds * 1e6)))
    }

    /// Appends a timeline point: the ledger's totals and the open connections per pod, where a connection
    /// counts as open when it is `open`, or while closing when it is `held` and still alive (`isLive`).
    public mutating func sampleTimeline(at now: Date, phase: EngineSnapshot.Phase, ledger: ConnectionLedger, isLive: (Int) -> Bool) {
        guard timeline.count < Self.maxTimelinePoints else { return }
        var perPod: [String: Int]
        if phase == .close {
            perPod = [:]
            for r in ledger.records where r.status == .open || (r.status == .held && isLive(r.index)) { perPod[r.pod ?? "?", default: 0] += 1 }
        } else {
            perPod = ledger.openPerPod()  // kept by the ledger: no pass over every record each interval
        }
        timeline.append(
            TimelinePoint(
                t: now.timeIntervalSince(startedAt), phase: phase.rawValue, open: ledger.open,
                established: ledger.established, failed: ledger.failed, dropped: ledger.dropped,
                reconnects: ledger.reconnectsDone, perPod: perPod, recycled: ledger.recycled))
    }

    /// The progress snapshot: the ledger's counters, `inFlight` handshakes, and during the hold the seconds left
    /// of a `hold`-second hold at monotonic time `nowMono` (none while `awaitingRelease`: the hold has not begun).
    public func snapshot(
        phase: EngineSnapshot.Phase, planned: Int, ledger: ConnectionLedger, inFlight: Int, hold: Double,
        now: Date, nowMono: UInt64, awaitingRelease: Bool = false
    ) -> EngineSnapshot {
        let holdRemaining: Double? =
            phase == .hold && !awaitingRelease ? max(0, hold - Double(nowMono &- holdStartMono) / 1e9) : nil
        var s = EngineSnapshot(
            phase: phase, planned: planned, attempted: ledger.launched, established: ledger.established,
            failed: ledger.failed, dropped: ledger.dropped, open: ledger.open, inFlight: inFlight,
            openPerPod: ledger.openPerPod(), elapsed: now.timeIntervalSince(startedAt), holdRemaining: holdRemaining)
        s.awaitingRelease = awaitingRelease
        return s
    }
}
