import Dispatch
import Foundation
import Testing
import WSProtocol

@testable import WSLoad

/// The I/O queue's one-shot ticker: woken when a deadline on its wheel falls due, not every tick.
@Suite struct IOQueueTickerTests {
    /// Ends a semaphore when the connection ends and keeps its outcome.
    final class EndWatcher: WSConnectionDelegate, @unchecked Sendable {
        let ended = DispatchSemaphore(value: 0)
        var outcome: ConnectionOutcome?
        func connectionDidEnd(_ connection: WSConnection, outcome: ConnectionOutcome) {
            self.outcome = outcome
            ended.signal()
        }
    }

    @Test func aQueueWithNothingDueIsNotWoken() {
        let io = IOQueue(label: "test.idle")
        defer { io.shutdown() }
        usleep(300_000)
        // A ticker repeating every 10 ms fired ~30 times here.
        #expect(io.queue.sync { io.ticksFired } == 0)
    }

    @Test func aPendingDeadlineWakesTheQueueWhenDueAndOnlyThen() throws {
        // A listener that accepts TCP (kernel backlog) but never answers: the upgrade deadline (0.3 s) ends it.
        let fd = try #require(try? Socket.listen(on: SocketAddress(ip: "127.0.0.1", port: 0)!).get())
        defer { close(fd) }
        let port = Socket.localAddress(fd)!.port
        let io = IOQueue(label: "test.deadline")
        defer { io.shutdown() }
        let watcher = EndWatcher()
        let dialer = try Dialer(
            url: try WebSocketURL("ws://127.0.0.1:\(port)/"), tlsIdentity: nil,
            options: DialOptions(connectTimeout: 0.3, tlsTimeout: 0.3, upgradeTimeout: 0.3, closeTimeout: 1))
        let request = dialer.request(cookieHeader: nil, headers: HTTPHeaders())
        let c = dialer.connection(id: 0, io: io, delegate: watcher)
        let start = Date()
        io.queue.async { dialer.start(c, request: request, from: nil) }
        #expect(watcher.ended.wait(timeout: .now() + 5) == .success)
        let elapsed = Date().timeIntervalSince(start)
        let outcome = io.queue.sync { watcher.outcome }
        guard case .failed(let failure)? = outcome else {
            Issue.record("expected a failure, got \(String(describing: outcome))")
            return
        }
        #expect(failure.phase == .upgrade && failure.kind == .timeout)
        #expect(elapsed >= 0.29 && elapsed < 2, "ended by its 0.3 s deadline, after \(elapsed) s")
        // Woken for the deadline's slot (and perhaps a stale connect-deadline slot), not ~30 times as a repeating
        // 10 ms ticker was.
        #expect(io.queue.sync { io.ticksFired } <= 4)
    }
}
