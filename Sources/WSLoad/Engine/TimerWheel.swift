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

    /// Creates a wheel with `slotCount` slots of `tickNanos` each, starting at `now`.
    public init(tickNanos: UInt64 = 10_000_000, slotCount: Int = 512, now: UInt64 = MonotonicClock.now()) {
        self.tickNanos = tickNanos
        self.slots = Array(repeating: [], count: slotCount)
        self.currentTick = now / tickNanos
    }

    /// Registers `client`'s current deadline (call after changing it and bumping the generation).
    public func schedule(_ client: Client) {
        let deadline = client.timerDeadline
        guard deadline != 0 else { return }
        var tick = (deadline + tickNanos - 1) / tickNanos
        if tick <= currentTick { tick = currentTick + 1 }
        // Deadlines beyond one revolution land in the last reachable slot and are re-checked there.
        let horizon = currentTick + UInt64(slots.count) - 1
        if tick > horizon { tick = horizon }
        slots[Int(tick % UInt64(slots.count))].append(Entry(client: client, generation: client.timerGeneration))
        count += 1
    }

    /// Fires every deadline up to `now`; call from the queue's periodic tick.
    public func advance(to now: UInt64) {
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
