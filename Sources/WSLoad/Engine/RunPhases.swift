/// The phases of one run — ramp, hold, close, done — as a value whose event methods return what the engine
/// must do (the style of `ConnectionStateMachine` in WSProtocol). Phases only move forward: an event that
/// does not apply in the current phase (a hold timer firing after a stop, a second stop) returns no actions.
///
/// A worker of a split run holds together with its siblings (``init(holdAwaitsRelease:)``): when its ramp ends it
/// keeps its connections open but starts the hold timer only at ``release()`` — the parent's word that every
/// worker has ramped — so all shards hold at the same time.
///
/// The engine owns the timers and performs the actions in the order returned.
public struct RunPhases: Sendable, Equatable {
    /// Something the engine must do.
    public enum Action: Sendable, Equatable {
        /// Tell the phase observer that `phase` begins.
        case notify(EngineSnapshot.Phase)
        /// Start the ramp: the pacer, the timeline and progress timers.
        case startRamp
        /// Stop pacing (the ramp was cut short by a stop).
        case stopRamp
        /// Begin the hold: stop the pacer, start traffic (the hold timer comes with ``startHoldTimer``).
        case startHold
        /// Wait for ``RunPhases/release()``: start the bounded self-release timer.
        case awaitRelease
        /// Start the hold timer: the planned hold begins now.
        case startHoldTimer
        /// Close every connection (and start the close deadline unless all have ended).
        case beginClose
        /// Stop every timer and hand back the result.
        case finish
    }

    /// The current phase (``EngineSnapshot/Phase/ramp`` before ``start()`` too).
    public private(set) var phase: EngineSnapshot.Phase = .ramp
    /// The run was stopped before its hold ended.
    public private(set) var interrupted = false
    /// The ramp has ended but the hold timer waits for ``release()``.
    public private(set) var awaitingRelease = false
    private var started = false
    private let holdAwaitsRelease: Bool
    private var released = false

    /// A run that has not started; with `holdAwaitsRelease` its hold timer starts at ``release()``, not at the
    /// ramp's end.
    public init(holdAwaitsRelease: Bool = false) { self.holdAwaitsRelease = holdAwaitsRelease }

    /// Whether ``start()`` has been called (or the run was stopped before it).
    public var hasStarted: Bool { started || phase != .ramp }

    /// Whether dropped connections may still be reconnected (ramp or hold).
    public var acceptsReconnects: Bool { phase == .ramp || phase == .hold }

    /// The run starts (after pre-flights). Nothing happens if it already started or was stopped before.
    public mutating func start() -> [Action] {
        guard phase == .ramp, !started else { return [] }
        started = true
        return [.notify(.ramp), .startRamp]
    }

    /// Every attempt of the ramp has ended: the hold begins.
    public mutating func rampCompleted() -> [Action] {
        guard phase == .ramp, started else { return [] }
        phase = .hold
        guard holdAwaitsRelease, !released else { return [.notify(.hold), .startHold, .startHoldTimer] }
        awaitingRelease = true
        return [.notify(.hold), .startHold, .awaitRelease]
    }

    /// The hold may start (the parent saw every worker ramp, or the self-release timer fired). During the wait
    /// the hold timer starts; before the ramp ends, the hold will start with it; afterwards nothing happens.
    public mutating func release() -> [Action] {
        released = true
        guard phase == .hold, awaitingRelease else { return [] }
        awaitingRelease = false
        return [.startHoldTimer]
    }

    /// The hold timer fired: closing begins.
    public mutating func holdElapsed() -> [Action] {
        guard phase == .hold, !awaitingRelease else { return [] }
        return close()
    }

    /// Stop early (during the ramp or the hold, also before the start): closing begins, the run is interrupted.
    public mutating func stop() -> [Action] {
        guard phase == .ramp || phase == .hold else { return [] }
        interrupted = true
        return close()
    }

    /// Every launched connection has ended while closing: the run is done.
    public mutating func allEnded() -> [Action] {
        guard phase == .close else { return [] }
        phase = .done
        return [.notify(.done), .finish]
    }

    private mutating func close() -> [Action] {
        let fromRamp = phase == .ramp
        awaitingRelease = false
        phase = .close
        return (fromRamp ? [.stopRamp] : []) + [.notify(.close), .beginClose]
    }
}
