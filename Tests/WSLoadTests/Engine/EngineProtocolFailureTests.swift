import Foundation
import Testing
import WSProtocol

@testable import WSLoad

/// A server that answers a valid 101 and then sends garbage: each connection must be recorded as dropped in the
/// open phase with the protocol error when it happens (not after a close timeout), and must count against the gate.
@Suite struct EngineProtocolFailureTests {
    @Test func garbageAfterThe101IsADropRecordedAtOnce() throws {
        let peer = try GarbageAfterUpgradePeer(connections: 3)
        var plan = RunPlan(url: try WebSocketURL("ws://127.0.0.1:\(peer.port)/ws"), clients: 3, connectionsPerClient: 1)
        plan.cookiePolicy = .none
        plan.hold = 1.5
        plan.closeTimeout = 5
        let started = Date()
        let result = try LoadEngine(plan: plan).run()
        let elapsed = Date().timeIntervalSince(started)
        peer.stop()
        #expect(result.established == 3)
        #expect(result.held == 0 && result.dropped == 3, "\(result.records.map(\.status))")
        for r in result.records {
            #expect(
                r.failure?.phase == .open && r.failure?.kind == .protocolViolation && r.failure?.closeCode == 1002,
                "\(String(describing: r.failure))")
        }
        // The close timeout (5 s) is not waited out: the run ends after its hold.
        #expect(elapsed < 4.5, "run took \(elapsed) s")
        let report = ReportBuilder.build(
            result: result,
            context: ReportContext(
                target: plan.url.description,
                thresholds: GateThresholds(maxFailed: 0)))
        #expect(report.gate.status == .fail)
        #expect(report.totals.failures.map(\.reason) == ["protocol error 1002"])
    }

    /// A server that upgrades and then says nothing (a total outage behind a proxy that still accepts): with a
    /// pong deadline every connection drops, and a gate that only sets `max_failed: 0` fails on `max_dropped`.
    @Test func aSilentServerUnderAPongDeadlineFailsTheGate() throws {
        let peer = try GarbageAfterUpgradePeer(connections: 3, garbage: false)
        var plan = RunPlan(url: try WebSocketURL("ws://127.0.0.1:\(peer.port)/ws"), clients: 3, connectionsPerClient: 1)
        plan.cookiePolicy = .none
        plan.hold = 2
        plan.pingInterval = 0.3
        plan.pongTimeout = 0.3
        let result = try LoadEngine(plan: plan).run()
        peer.stop()
        #expect(result.established == 3 && result.held == 0 && result.dropped == 3 && result.failed == 0)
        let report = ReportBuilder.build(
            result: result,
            context: ReportContext(
                target: plan.url.description,
                thresholds: GateThresholds(maxFailed: 0)))
        #expect(report.gate.status == .fail && report.exitCode == .gateFailed)
        #expect(report.gate.failedChecks.map(\.name) == ["max_dropped"])
        #expect(report.totals.failures == [FailureBucket(phase: "open", reason: "pong-timeout", count: 3)])
    }
}

/// Accepts `connections` upgrades, answers each with a valid 101 followed by a frame with a reserved opcode
/// (0x3, RFC 6455 §5.2: a protocol error) unless `garbage` is false, and keeps the sockets open without ever
/// answering a ping or a Close.
final class GarbageAfterUpgradePeer: @unchecked Sendable {
    let port: UInt16
    private let listener: Int32
    private let clients = Locked([Int32]())
    private let stopped = Locked(false)
    private let done = DispatchSemaphore(value: 0)

    init(connections: Int, garbage: Bool = true) throws {
        listener = try Socket.listen(on: SocketAddress(ip: "127.0.0.1", port: 0)!).get()
        port = Socket.localAddress(listener)!.port
        let listener = self.listener, clients = self.clients, stopped = self.stopped, done = self.done
        Thread.detachNewThread {
            defer { done.signal() }
            let deadline = Date().addingTimeInterval(10)
            var served = 0
            while served < connections, Date() < deadline, !stopped.withLock({ $0 }) {
                var pfd = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
                guard poll(&pfd, 1, 100) > 0, case .success(let fd) = Socket.accept(listener) else { continue }
                clients.withLock { $0.append(fd) }
                var head = [UInt8]()
                var buffer = [UInt8](repeating: 0, count: 4096)
                while Date() < deadline, !String(decoding: head, as: UTF8.self).contains("\r\n\r\n") {
                    var cfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                    guard poll(&cfd, 1, 100) > 0 else { continue }
                    let n = read(fd, &buffer, buffer.count)
                    if n <= 0 { break }
                    head += buffer[0..<n]
                }
                let text = String(decoding: head, as: UTF8.self)
                let key =
                    text.components(separatedBy: "\r\n").first { $0.lowercased().hasPrefix("sec-websocket-key:") }
                    .map { String($0.dropFirst("sec-websocket-key:".count)).trimmingCharacters(in: .whitespaces) } ?? ""
                let reply =
                    Array(
                        ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                            + "Sec-WebSocket-Accept: \(HandshakeKey.accept(for: key))\r\n\r\n").utf8) + (garbage ? [0x83, 0x00] : [])
                _ = reply.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                served += 1
            }
        }
    }

    /// Closes every socket (bounded wait for the accept thread).
    func stop() {
        stopped.withLock { $0 = true }
        _ = done.wait(timeout: .now() + 12)
        for fd in clients.withLock({ $0 }) { close(fd) }
        close(listener)
    }
}
