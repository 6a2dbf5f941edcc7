import Histogram

/// What `wsload run --metrics-listen` exports, taken from the engine on its control queue when scraped (nothing
/// is recorded per connection for it): per-pod open, failed and dropped counts, the handshake histograms, the phase.
public struct EngineLiveMetrics: Sendable {
    /// The engine's phase.
    public var phase: EngineSnapshot.Phase
    /// Connections planned.
    public var planned: Int
    /// Attempts started.
    public var attempted: Int
    /// Handshakes completed.
    public var established: Int
    /// Open connections per pod (`unknown` for unattributed ones).
    public var openPerPod: [String: Int]
    /// Failed attempts per pod (`unknown` when no pod answered).
    public var failedPerPod: [String: Int]
    /// Connections lost after the 101 per pod.
    public var droppedPerPod: [String: Int]
    /// Latency histograms (microseconds) of the handshake phases: `tcp-connect`, `tls`, `upgrade`.
    public var handshakes: [String: Histogram<UInt64>]

    /// The label value for connections without a pod.
    public static let unknownPod = "unknown"

    /// Creates metrics.
    public init(
        phase: EngineSnapshot.Phase, planned: Int, attempted: Int, established: Int, openPerPod: [String: Int] = [:],
        failedPerPod: [String: Int] = [:], droppedPerPod: [String: Int] = [:], handshakes: [String: Histogram<UInt64>] = [:]
    ) {
        self.phase = phase; self.planned = planned; self.attempted = attempted; self.established = established
        self.openPerPod = openPerPod; self.failedPerPod = failedPerPod; self.droppedPerPod = droppedPerPod; self.handshakes = handshakes
    }
}
