import Dispatch
import Foundation
import WSProtocol

/// The WebSocket connections of one pod's ramp, all to one forwarded local port, on one I/O queue.
///
/// The pod's driver thread calls the public methods (they block); connection callbacks run on `io.queue`,
/// where all mutable state lives.
final class ForwardConnectionPool: WSConnectionDelegate, @unchecked Sendable {
    /// What one batch of connection attempts produced.
    struct Batch {
        var requested = 0
        var opened = 0
        var failures: [ConnectionFailure] = []
    }

    let io: IOQueue
    private let dialer: Dialer
    private let headers: HTTPHeaders
    private let maxInFlight: Int

    // Confined to io.queue.
    private var connections: [Int: WSConnection] = [:]
    private var inFlight: Set<Int> = []
    private var open: Set<Int> = []
    private var nextID = 0
    private var toStart = 0
    private var pumping = false
    private var closingAll = false
    private var batch = Batch()
    private var batchDone: DispatchSemaphore?
    private var peakOpen = 0
    private var droppedCount = 0
    private var lastDrop: String?
    private var upgradeSeconds: [Double] = []
    private var tcpSeconds: [Double] = []
    private var buckets: [String: Int] = [:]
    private var handshakes = 0
    private var failures = 0

    init(plan: PortForwardPlan, port: UInt16, label: String) throws {
        guard let address = SocketAddress(ip: plan.localHost, port: port) else {
            throw ConnectionFailure(phase: .resolve, kind: .system, message: "\(plan.localHost) is not an IP address")
        }
        let host = address.isIPv6 ? "[\(plan.localHost)]" : plan.localHost
        let url = try WebSocketURL("\(plan.tls == nil ? "ws" : "wss")://\(host):\(port)\(plan.path)")
        io = IOQueue(label: label)
        dialer = try Dialer(
            url: url, address: address, tls: plan.tls, tlsIdentity: plan.tlsIdentity,
            options: DialOptions(
                deflate: plan.deflate ? PerMessageDeflateOffer() : nil, connectTimeout: plan.connectTimeout,
                tlsTimeout: plan.connectTimeout, upgradeTimeout: plan.upgradeTimeout,
                closeTimeout: plan.closeTimeout, pingInterval: plan.pingInterval,
                pongTimeout: plan.pongTimeout, origin: plan.origin, subprotocols: plan.subprotocols))
        headers = HTTPHeaders(plan.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        maxInFlight = max(1, plan.maxInFlight)
    }

    /// The URL every connection requests.
    var urlDescription: String { dialer.url.description }

    /// Opens `count` more connections (at most `maxInFlight` handshakes at once) and waits until each opened or failed.
    func openBatch(_ count: Int) -> Batch {
        let done = DispatchSemaphore(value: 0)
        io.queue.sync {
            batch = Batch(requested: count)
            toStart = count
            batchDone = done
            pump()
            finishBatchIfDone()
        }
        // Every attempt has its own connect and upgrade deadlines; this outer bound only guards against a bug.
        let bound = dialer.settings.connectTimeout + dialer.settings.upgradeTimeout + 5 + Double(count) * 0.01
        if done.wait(timeout: .now() + bound) == .timedOut {
            io.queue.sync {
                toStart = 0
                for id in inFlight {
                    connections[id]?.abort(ConnectionFailure(phase: .upgrade, kind: .timeout, message: "step did not finish in \(Int(bound)) s"))
                }
            }
            _ = done.wait(timeout: .now() + 2)
        }
        return io.queue.sync {
            batchDone = nil
            return batch
        }
    }

    private func pump() {
        guard !pumping else { return }
        pumping = true
        defer { pumping = false }
        // Bounded by toStart.
        while toStart > 0, inFlight.count < maxInFlight, !closingAll {
            toStart -= 1
            nextID += 1
            let id = nextID
            let c = dialer.connection(id: id, io: io, delegate: self)
            connections[id] = c
            inFlight.insert(id)
            dialer.start(c, request: dialer.request(headers: headers))
        }
    }

    private func finishBatchIfDone() {
        if toStart == 0 || closingAll, inFlight.isEmpty, let done = batchDone {
            toStart = 0
            batchDone = nil
            done.signal()
        }
    }

    /// Connections open right now.
    var openCount: Int { io.queue.sync { open.count } }

    /// The most connections that were open at the same time.
    var maxOpen: Int { io.queue.sync { peakOpen } }

    /// Open connections that ended without wsload closing them, and the last such ending.
    var drops: (count: Int, last: String?) { io.queue.sync { (droppedCount, lastDrop) } }

    /// Totals over the pool's life.
    var totals: (handshakes: Int, failures: Int, buckets: [String: Int], upgrades: [Double], tcp: [Double]) {
        io.queue.sync { (handshakes, failures, buckets, upgradeSeconds, tcpSeconds) }
    }

    /// Forgets drops counted so far (after a forward restart the old connections are gone on purpose).
    func resetDrops() {
        io.queue.sync {
            droppedCount = 0; lastDrop = nil
        }
    }

    /// Ends every connection at once, without closing handshakes (their forward is gone).
    func abortAll(_ reason: String) {
        io.queue.sync {
            let all = Array(connections.values)
            toStart = 0
            for c in all { c.abort(ConnectionFailure(phase: .open, kind: .cancelled, message: reason)) }
        }
    }

    /// Closes every open connection (1000) and aborts those still connecting; waits up to `timeout` seconds,
    /// then aborts what is left.
    func closeAll(timeout: Double) {
        io.queue.sync {
            closingAll = true
            toStart = 0
            for (id, c) in connections {
                if open.contains(id) {
                    c.close(code: .normalClosure, reason: "wsload portforward done")
                } else {
                    c.abort(ConnectionFailure(phase: .upgrade, kind: .cancelled, message: "test finished"))
                }
            }
        }
        let deadline = Date().addingTimeInterval(timeout)
        // Bounded by the deadline.
        while Date() < deadline, io.queue.sync(execute: { !connections.isEmpty }) { usleep(10_000) }
        io.queue.sync {
            for c in Array(connections.values) { c.abort(ConnectionFailure(phase: .close, kind: .timeout, message: "close timed out")) }
        }
    }

    /// Stops the queue's timer; call after ``closeAll(timeout:)``.
    func shutdown() { io.shutdown() }

    /// Re-enables opening after ``closeAll(timeout:)`` (a new ramp after a forward restart).
    func reopen() { io.queue.sync { closingAll = false } }

    // MARK: WSConnectionDelegate (on io.queue)

    func connectionDidOpen(_ connection: WSConnection, handshake: HandshakeResult) {
        let id = connection.id
        guard inFlight.remove(id) != nil else { return }
        open.insert(id)
        peakOpen = max(peakOpen, open.count)
        batch.opened += 1
        handshakes += 1
        if let u = connection.timeline.upgradeSeconds { upgradeSeconds.append(u) }
        if let t = connection.timeline.tcpConnectSeconds { tcpSeconds.append(t) }
        pump()
        finishBatchIfDone()
    }

    func connectionDidEnd(_ connection: WSConnection, outcome: ConnectionOutcome) {
        let id = connection.id
        connections.removeValue(forKey: id)
        if inFlight.remove(id) != nil {
            let failure =
                outcome.failure
                ?? ConnectionFailure(phase: .upgrade, kind: .peerClosed, message: "closed before the upgrade completed")
            if failure.kind != .cancelled {
                batch.failures.append(failure)
                failures += 1
                buckets[failure.bucket, default: 0] += 1
            }
            pump()
            finishBatchIfDone()
        } else if open.remove(id) != nil, !closingAll {
            if case .failed(let f) = outcome, f.kind == .cancelled { return }
            droppedCount += 1
            switch outcome {
            case .failed(let f): lastDrop = f.description
            case .closed(let code, let reason, _):
                lastDrop = "closed by the server (\(code.map { "\($0.rawValue)" } ?? "no code")\(reason.isEmpty ? "" : " \(reason)"))"
            }
        }
    }
}
