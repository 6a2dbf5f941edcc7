/// Something with one deadline at a time that a ``TimerWheel`` can fire.
public protocol TimerWheelClient: AnyObject {
    /// Bumped whenever the deadline changes; stale wheel entries carry an older value and are dropped.
    var timerGeneration: UInt32 { get }
    /// The current deadline in monotonic nanoseconds (0: none).
    var timerDeadline: UInt64 { get }
    /// Called on the owning queue when the deadline has passed.
    func timerFired(now: UInt64)
}

/// A hashed timer wheel: one per I/O queue instead of one timer per connection.
///
/// Deadlines are rounded up to the tick; entries are lazily invalidated by generation, so moving a
/// deadline is O(1) and costs one 16-byte entry (a reference and a generation: generic over the client type
/// so the entry holds no existential witness table, which made it 24 bytes — at the end of a 15 000-connection run
/// every close deadline lands in the same slot). Confined to its I/O queue.
public final class TimerWheel<Client: TimerWheelClient>: @unchecked Sendable {
    private struct Entry { let client: Client; let generation: UInt32 }
    private var slots: [[Entry]]
    private let tickNanos: UInt64
    private var currentTick: UInt64
    private var sweepCursor = 0
    /// The bytes one entry takes in a slot (16: a reference and a generation).
    static var entryStride: Int { MemoryLayout<Entry>.stride }
    /// The number of live-or-stale entries in the wheel.
    public private(set) var count = 0
    /// When the earliest slot holding entries falls due (monotonic ns; `UInt64.max`: the wheel is empty): the owner
    /// arms its one-shot ticker for this instead of ticking while nothing is due. A lower bound — a slot whose entries
    /// all went stale still counts until it is reached.
    public private(set) var nextDue: UInt64 = .max
    /// Called when ``schedule(_:)`` files an entry due before ``nextDue`` (not during ``advance(to:)``, whose owner
    /// reads ``nextDue`` afterwards): the owner re-arms its ticker for the earlier time.
    public var onEarlierDue: ((UInt64) -> Void)?
    private let clock: () -> UInt64
    private var advancing = false

    /// Creates a wheel with `slotCount` slots of `tickNanos` each, starting at `now`; `clock` tells the time when an
    /// empty wheel gets an entry (its ticks stood still while nothing was due).
    public init(
        tickNanos: UInt64 = 10_000_000, slotCount: Int = 512, now: UInt64 = MonotonicClock.now(),
        clock: @escaping () -> UInt64 = MonotonicClock.now
    ) {
        self.tickNanos = tickNanos
        self.slots = Array(repeating: [], count: slotCount)
        self.currentTick = now / tickNanos
        self.clock = clock
    }

    /// Registers `client`'s current deadline (call after changing it and bumping the generation).
    public func schedule(_ client: Client) {
        let deadline = client.timerDeadline
        guard deadline != 0 else { return }
        // An empty wheel is not advanced (its owner's ticker sleeps): catch up first, so the one-revolution horizon is
        // measured from now, not from the last tick that had work.
        if count == 0 { currentTick = max(currentTick, clock() / tickNanos) }
        var tick = (deadline + tickNanos - 1) / tickNanos
        if tick <= currentTick { tick = currentTick + 1 }
        // Deadlines beyond one revolution land in the last reachable slot and are re-checked there.
        let horizon = currentTick + UInt64(slots.count) - 1
        if tick > horizon { tick = horizon }
        slots[Int(tick % UInt64(slots.count))].append(Entry(client: client, generation: client.timerGeneration))
        count += 1
        let due = tick &* tickNanos
        if due < nextDue {
            nextDue = due
            if !advancing { onEarlierDue?(due) }
        }
    }

    /// Fires every deadline up to `now`, then sets ``nextDue``; call when the ticker fires.
    public func advance(to now: UInt64) {
        advancing = true
        defer {
            advancing = false
            findNextDue()
        }
        let target = now / tickNanos
        while currentTick < target {
            currentTick += 1
            let index = Int(currentTick % UInt64(slots.count))
            guard !slots[index].isEmpty else { continue }
            let due = slots[index]
            slots[index] = []
            count -= due.count
            for entry in due where entry.client.timerGeneration == entry.generation {
                let deadline = entry.client.timerDeadline
                if deadline == 0 { continue }
                if deadline <= now {
                    entry.client.timerFired(now: now)
                } else {
                    schedule(entry.client)  // far deadline: re-file
                }
            }
        }
        sweepOneSlot()
    }

    /// Drops every stale entry now (the per-tick sweep takes a revolution), releasing the clients they kept alive:
    /// at the end of a run each ended connection is held only by its last deadline's entry, for up to a revolution.
    public func dropStale() {
        for i in slots.indices where !slots[i].isEmpty {
            let before = slots[i].count
            slots[i].removeAll { $0.client.timerGeneration != $0.generation || $0.client.timerDeadline == 0 }
            count -= before - slots[i].count
            if slots[i].isEmpty { slots[i] = [] }
        }
        findNextDue()
    }

    /// Sets ``nextDue`` to the first slot after the current tick that holds entries (every entry sits within one
    /// revolution of it), or `UInt64.max` when there is none.
    private func findNextDue() {
        nextDue = .max
        guard count > 0 else { return }
        let n = UInt64(slots.count)
        for tick in (currentTick + 1)...(currentTick + n) where !slots[Int(tick % n)].isEmpty {
            nextDue = tick &* tickNanos
            return
        }
    }

    /// Drops stale entries (deadlines since moved or cleared) from one slot per tick, so a connection whose
    /// handshake deadlines were cleared does not keep ~50 B in the wheel until those deadlines' slots come round.
    /// The whole wheel is swept once per revolution.
    private func sweepOneSlot() {
        sweepCursor = (sweepCursor + 1) % slots.count
        guard !slots[sweepCursor].isEmpty else { return }
        let before = slots[sweepCursor].count
        slots[sweepCursor].removeAll { $0.client.timerGeneration != $0.generation }
        count -= before - slots[sweepCursor].count
        if slots[sweepCursor].isEmpty { slots[sweepCursor] = [] }  // release the storage too
    }
}
