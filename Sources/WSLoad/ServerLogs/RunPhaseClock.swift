/// The run phase shared between the session (which advances it) and the log followers (which read it).
///
/// Starts at ``LogArrivalPhase/before``; ``advance(to:)`` only moves forward, so a late or repeated call
/// cannot take a reading back into an earlier phase. Thread-safe.
public final class RunPhaseClock: Sendable {
    private let phase = Locked(LogArrivalPhase.before)

    /// Creates a clock in the `before` phase.
    public init() {}

    /// The phase now.
    public var current: LogArrivalPhase { phase.withLock { $0 } }

    /// Moves to `next` when it comes later than the current phase; `history` is never entered.
    public func advance(to next: LogArrivalPhase) {
        phase.withLock { p in
            let order = LogArrivalPhase.allCases
            if order.firstIndex(of: next)! > order.firstIndex(of: p)! { p = next }
        }
    }
}
