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

    /// Creates a queue named `label` whose wheel ticks every `tickMillis` milliseconds.
    public init(label: String, tickMillis: Int = 10, readBufferSize: Int = 64 * 1024) {
        queue = DispatchQueue(label: label, target: .global())
        wheel = TimerWheel<WSConnection>(tickNanos: UInt64(tickMillis) * 1_000_000)
        readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: readBufferSize, alignment: 16)
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + .milliseconds(tickMillis), repeating: .milliseconds(tickMillis), leeway: .milliseconds(tickMillis / 2 + 1))
        let wheel = self.wheel
        timer.setEventHandler { wheel.advance(to: MonotonicClock.now()) }
        timer.resume()
        ticker = timer
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
