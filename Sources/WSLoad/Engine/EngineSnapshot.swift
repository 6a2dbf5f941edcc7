import Foundation

/// A point-in-time view of a run, for progress display and log following.
public struct EngineSnapshot: Sendable, Equatable {
    /// The engine's phase.
    public enum Phase: String, Sendable, Codable {
        /// Opening connections.
        case ramp
        /// Holding them open.
        case hold
        /// Closing them.
        case close
        /// Finished.
        case done
    }

    /// Current phase.
    public var phase: Phase
    /// Connections planned.
    public var planned: Int
    /// Attempts started.
    public var attempted: Int
    /// Handshakes completed.
    public var established: Int
    /// Attempts that failed before establishment.
    public var failed: Int
    /// Established connections that ended early.
    public var dropped: Int
    /// Open right now.
    public var open: Int
    /// Handshakes in flight.
    public var inFlight: Int
    /// Open connections per pod (unattributed under `"?"`).
    public var openPerPod: [String: Int]
    /// Seconds since the run started.
    public var elapsed: Double
    /// Seconds left in the hold (during the hold).
    public var holdRemaining: Double?
    /// The ramp has ended and the connections are held, but the hold waits for the other workers' ramps
    /// (a worker of a split run before the parent's release).
    public var awaitingRelease = false
    /// In an aggregate of worker snapshots: how many workers there are, and how many are still ramping.
    public var workers: Int? = nil, workersRamping: Int? = nil
}
