import Dispatch
import WSProtocol

/// A serial I/O queue with its timer wheel and a shared read buffer.
///
/// Every connection is confined to one `IOQueue`; all its sources fire here, so connection state
/// needs no locks. The engine creates about one queue per core, targeting the global concurrent
/// queue so libdispatch keeps the thread count small (PLATFORM.md).
public final class IOQueue: @unchecked Sendable {
    /// The serial queue.
    public let queue: DispatchQueue
    /// The queue's timer wheel.
    public let wheel: TimerWheel<WSConnection>
    /// A read buffer shared by all connections of this queue (reads never overlap on a serial queue).
    public let readBuffer: UnsafeMutableRawBufferPointer
    /// Masking keys for this queue's connections: a ChaCha20 stream keyed once from the system generator, so a
    /// frame costs no `getrandom(2)` (RFC 6455 §10.3 asks for unpredictable keys, not a syscall each).
    public let keys = KeyStream()
    private var ticker: (any DispatchSourceTimer)?
    /// When the ticker is armed to fire (monotonic ns; `UInt64.max`: not armed).
    private var armedFor: UInt64 = .max
    private let leeway: DispatchTimeInterval
    /// How often the ticker has fired (tests: an idle queue is not woken).
    private(set) var ticksFired = 0

    /// Creates a queue named `label` whose wheel has `tickMillis`-millisecond ticks.
    ///
    /// The ticker is one-shot, armed for the wheel's ``TimerWheel/nextDue``: a queue whose connections have no
    /// deadline (held without pings, or a server's open connections) is not woken at all. A ticker repeating every
    /// tick cost each queue 100 wake-ups a second, two context switches each, while nothing was due.
    public init(label: String, tickMillis: Int = 10, readBufferSize: Int = 64 * 1024) {
        queue = DispatchQueue(label: label, target: .global())
        wheel = TimerWheel<WSConnection>(tickNanos: UInt64(tickMillis) * 1_000_000)
        readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: readBufferSize, alignment: 16)
        leeway = .milliseconds(tickMillis / 2 + 1)
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .distantFuture, leeway: leeway)
        timer.setEventHandler { [weak self] in self?.tick() }
        timer.resume()
        ticker = timer
        wheel.onEarlierDue = { [weak self] due in self?.arm(for: due) }
    }

    private func tick() {
        armedFor = .max  // a one-shot timer that fired is no longer armed
        ticksFired += 1
        wheel.advance(to: MonotonicClock.now())
        arm(for: wheel.nextDue)
    }

    /// Arms the ticker for `due` (monotonic ns); `UInt64.max` (nothing due) leaves it unarmed — a one-shot timer that
    /// fired stays silent until armed again. On the queue.
    private func arm(for due: UInt64) {
        guard due != .max, due != armedFor, let ticker else { return }
        armedFor = due
        let now = MonotonicClock.now()
        let delay = due > now ? Int(clamping: due - now) : 0
        ticker.schedule(deadline: .now() + .nanoseconds(delay), leeway: leeway)
    }

    /// Stops the wheel's ticker; pending deadlines no longer fire.
    public func shutdown() {
        queue.sync {
            ticker?.cancel()
            ticker = nil
        }
    }

    deinit {
        ticker?.cancel()
        readBuffer.deallocate()
    }
}
