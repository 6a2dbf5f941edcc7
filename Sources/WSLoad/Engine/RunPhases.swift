/// The phases of one run — ramp, hold, close, done — as a value whose event methods return what the engine
/// must do (the style of `ConnectionStateMachine` in WSProtocol). Phases only move forward: an event that
/// does not apply in the current phase (a hold timer firing after a stop, a second stop) returns no actions.
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
        /// Begin the hold: stop the pacer, start traffic and the hold timer.
        case startHold
        /// Close every connection (and start the close deadline unless all have ended).
        case beginClose
        /// Stop every timer and hand back the result.
        case finish
    }

    /// The current phase (``EngineSnapshot/Phase/ramp`` before ``start()`` too).
    public private(set) var phase: EngineSnapshot.Phase = .ramp
    /// The run was stopped before its hold ended.
    public private(set) var interrupted = false
    private var started = false

    /// A run that has not started.
    public init() {}

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
        return [.notify(.hold), .startHold]
    }

    /// The hold timer fired: closing begins.
    public mutating func holdElapsed() -> [Action] {
        guard phase == .hold else { return [] }
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
        phase = .close
        return (fromRamp ? [.stopRamp] : []) + [.notify(.close), .beginClose]
    }
}
