/// Which timed events are due, as a value: the session's runner asks it with the seconds since the run start
/// and does what it returns. No clock or thread inside, so tests drive it by hand.
struct EventSchedule: Sendable {
    /// What the runner does next.
    enum Step: Equatable {
        /// Start these events (indices into ``events``) now.
        case start([Int])
        /// Nothing is due: wait this many seconds (or until stopped).
        case wait(Double)
        /// Every event has been started.
        case finished
    }

    /// The events, in the order the profile lists them.
    let events: [TimedEvent]
    /// Indices already handed out.
    private(set) var started: Set<Int> = []

    /// A schedule of `events`.
    init(_ events: [TimedEvent]) { self.events = events }

    /// At `elapsed` seconds after the run start: the events due and not yet started (earliest first, profile
    /// order for equal times), marked started; else how long until the next one; else finished.
    mutating func next(elapsed: Double) -> Step {
        let pending = events.indices.filter { !started.contains($0) }.sorted { (events[$0].at, $0) < (events[$1].at, $1) }
        guard let first = pending.first else { return .finished }
        let due = pending.filter { events[$0].at <= elapsed }
        guard !due.isEmpty else { return .wait(events[first].at - elapsed) }
        started.formUnion(due)
        return .start(due)
    }

    /// Events never started (the run ended first), in profile order.
    var notReached: [Int] { events.indices.filter { !started.contains($0) } }
}
