import Foundation

/// One progress line a worker writes on its standard output: `WSLOAD-PROGRESS {json}`.
public struct WorkerProgress: Sendable, Codable, Equatable {
    /// The line prefix.
    public static let prefix = "WSLOAD-PROGRESS "

    /// Fields of ``EngineSnapshot``.
    public var phase: EngineSnapshot.Phase
    public var planned: Int, attempted: Int, established: Int, failed: Int, dropped: Int, open: Int, inFlight: Int
    public var openPerPod: [String: Int]
    public var elapsed: Double
    public var holdRemaining: Double?
    /// Ramp done, hold waiting for the parent's release (nil in lines of workers that never wait).
    public var awaitingRelease: Bool?

    /// The progress of a snapshot.
    public init(_ s: EngineSnapshot) {
        phase = s.phase; planned = s.planned; attempted = s.attempted; established = s.established; failed = s.failed
        dropped = s.dropped; open = s.open; inFlight = s.inFlight; openPerPod = s.openPerPod; elapsed = s.elapsed
        holdRemaining = s.holdRemaining
        awaitingRelease = s.awaitingRelease ? true : nil
    }

    /// Back to a snapshot.
    public var snapshot: EngineSnapshot {
        EngineSnapshot(
            phase: phase, planned: planned, attempted: attempted, established: established, failed: failed, dropped: dropped,
            open: open, inFlight: inFlight, openPerPod: openPerPod, elapsed: elapsed, holdRemaining: holdRemaining,
            awaitingRelease: awaitingRelease ?? false)
    }

    /// The line to print (no newline).
    public var line: String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return Self.prefix + ((try? e.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}")
    }

    /// Parses a line; nil for anything else.
    public init?(line: String) {
        guard line.hasPrefix(Self.prefix), let p = try? JSONDecoder().decode(WorkerProgress.self, from: Data(line.dropFirst(Self.prefix.count).utf8))
        else { return nil }
        self = p
    }

    /// One snapshot for several workers: counts add, the phase is the least advanced one, time is the longest; the
    /// hold waits while any worker waits for its release; `workers` is `expected` (default: the snapshots given)
    /// and `workersRamping` counts those given in the ramp plus those expected that have not reported yet.
    public static func aggregate(_ snapshots: [EngineSnapshot], expected: Int? = nil) -> EngineSnapshot? {
        guard let first = snapshots.first else { return nil }
        let order: [EngineSnapshot.Phase] = [.ramp, .hold, .close, .done]
        var out = first
        out.phase = snapshots.map(\.phase).min { order.firstIndex(of: $0)! < order.firstIndex(of: $1)! }!
        let workers = max(expected ?? snapshots.count, snapshots.count)
        out.workers = workers
        out.workersRamping = snapshots.filter { $0.phase == .ramp }.count + (workers - snapshots.count)
        if workers > snapshots.count { out.phase = .ramp }
        out.awaitingRelease = snapshots.contains { $0.awaitingRelease }
        for s in snapshots.dropFirst() {
            out.planned += s.planned; out.attempted += s.attempted; out.established += s.established; out.failed += s.failed
            out.dropped += s.dropped; out.open += s.open; out.inFlight += s.inFlight
            out.openPerPod.merge(s.openPerPod, uniquingKeysWith: +)
            out.elapsed = max(out.elapsed, s.elapsed)
            out.holdRemaining = [out.holdRemaining, s.holdRemaining].compactMap { $0 }.max()
        }
        return out
    }
}
