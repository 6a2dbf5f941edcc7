import Testing

@testable import WSLoad

/// The per-queue hashed timer wheel: deadlines rounded up to the tick, moved deadlines dropped by generation,
/// far deadlines re-filed until due.
@Suite struct TimerWheelTests {
    final class Client: TimerWheelClient {
        var timerGeneration: UInt32 = 0
        var timerDeadline: UInt64 = 0
        var fired: [UInt64] = []
        func timerFired(now: UInt64) { fired.append(now); timerDeadline = 0 }
        func set(_ deadline: UInt64) { timerDeadline = deadline; timerGeneration &+= 1 }
    }

    static let ms: UInt64 = 1_000_000

    @Test func anEntryIsAReferenceAndAGeneration() {
        // 8 bytes of reference + 4 of generation, padded to the reference's alignment; an existential client
        // (reference + witness table) made it 24.
        #expect(TimerWheel<Client>.entryStride == 16)
    }

    @Test func aDeadlineFiresAtTheFirstTickAfterIt() {
        let wheel = TimerWheel<Client>(tickNanos: 10 * Self.ms, slotCount: 8, now: 0)
        let c = Client()
        c.set(25 * Self.ms)
        wheel.schedule(c)
        wheel.advance(to: 29 * Self.ms)
        #expect(c.fired.isEmpty, "25 ms rounds up to the 30 ms tick")
        wheel.advance(to: 30 * Self.ms)
        #expect(c.fired == [30 * Self.ms])
        wheel.advance(to: 200 * Self.ms)
        #expect(c.fired.count == 1, "fires once")
    }

    @Test func aMovedDeadlineFiresOnlyAtItsNewTime() {
        let wheel = TimerWheel<Client>(tickNanos: 10 * Self.ms, slotCount: 8, now: 0)
        let c = Client()
        c.set(20 * Self.ms)
        wheel.schedule(c)
        c.set(50 * Self.ms)
        wheel.schedule(c)
        wheel.advance(to: 40 * Self.ms)
        #expect(c.fired.isEmpty, "the 20 ms entry is stale")
        wheel.advance(to: 50 * Self.ms)
        #expect(c.fired == [50 * Self.ms])
    }

    @Test func aClearedDeadlineNeverFiresAndStaleEntriesAreSwept() {
        let wheel = TimerWheel<Client>(tickNanos: 10 * Self.ms, slotCount: 4, now: 0)
        let c = Client()
        c.set(30 * Self.ms)
        wheel.schedule(c)
        #expect(wheel.count == 1)
        c.set(0)
        // A stale entry is dropped when its slot comes round (or by the one-slot-per-tick sweep), never fired.
        wheel.advance(to: 80 * Self.ms)
        #expect(c.fired.isEmpty)
        #expect(wheel.count == 0)
    }

    @Test func aDeadlineBeyondOneRevolutionIsRefiledUntilDue() {
        // 4 slots of 10 ms: a 100 ms deadline is 2.5 revolutions away.
        let wheel = TimerWheel<Client>(tickNanos: 10 * Self.ms, slotCount: 4, now: 0)
        let c = Client()
        c.set(100 * Self.ms)
        wheel.schedule(c)
        for t in stride(from: 10, through: 90, by: 10) { wheel.advance(to: UInt64(t) * Self.ms) }
        #expect(c.fired.isEmpty, "not before 100 ms")
        wheel.advance(to: 99 * Self.ms)
        #expect(c.fired.isEmpty)
        wheel.advance(to: 100 * Self.ms)
        #expect(c.fired == [100 * Self.ms])
    }

    @Test func aDeadlineInThePastFiresAtTheNextTick() {
        let wheel = TimerWheel<Client>(tickNanos: 10 * Self.ms, slotCount: 8, now: 100 * Self.ms)
        let c = Client()
        c.set(5 * Self.ms)
        wheel.schedule(c)
        wheel.advance(to: 109 * Self.ms)
        #expect(c.fired.isEmpty)
        wheel.advance(to: 110 * Self.ms)
        #expect(c.fired == [110 * Self.ms])
    }

    @Test func dropStaleKeepsLiveEntriesAndReleasesTheRest() {
        let wheel = TimerWheel<Client>(tickNanos: 10 * Self.ms, slotCount: 8, now: 0)
        let live = Client(), moved = Client()
        var ended: Client? = Client()
        weak let endedRef = ended
        for c in [live, moved, ended!] {
            c.set(50 * Self.ms)
            wheel.schedule(c)
        }
        moved.set(60 * Self.ms)
        wheel.schedule(moved)
        ended!.set(0)
        ended = nil
        #expect(wheel.count == 4)
        wheel.dropStale()
        #expect(wheel.count == 2, "the live entry and the moved one's new entry")
        #expect(endedRef == nil)
        wheel.advance(to: 50 * Self.ms)
        wheel.advance(to: 60 * Self.ms)
        #expect(live.fired == [50 * Self.ms] && moved.fired == [60 * Self.ms])
    }
}
