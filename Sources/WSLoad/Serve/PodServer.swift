import Dispatch
import Foundation
import Logging
import WSProtocol

/// Settings of the reference pod server (`wsload serve`).
public struct PodServerConfiguration: Sendable {
    /// How the `Active connections` lines are written.
    public enum LogFormat: String, Sendable, CaseIterable, Codable {
        /// `2026-11-25T12:00:01.123Z pod=ws-0 Active connections: 5`
        case plain
        /// `{"ts":"…","pod":"ws-0","msg":"connections changed","active_connections":5}`
        case json
    }

    /// Address to listen on (port 0 picks a free port).
    public var listen: SocketAddress
    /// The pod's identity, sent as `X-Pod-Name` on every 101.
    public var podName: String
    /// Also send `{"pod":"NAME"}` as the first message of every connection.
    public var sendIdentityMessage: Bool
    /// Echo every message back.
    public var echo: Bool
    /// Log line format.
    public var logFormat: LogFormat
    /// Refuse upgrades with 503 beyond this many open connections (nil: unlimited).
    public var capacity: Int?
    /// Seconds between server pings (0: none).
    public var pingInterval: Double
    /// Negotiate permessage-deflate when offered.
    public var deflate: Bool
    /// TLS certificate and key, for a wss:// server.
    public var tls: TLSServerConfiguration?
    /// Extra response headers on every 101 (e.g. a `Set-Cookie`).
    public var extraHeaders: [(String, String)]
    /// Number of I/O queues.
    public var ioQueues: Int
    /// Share the port with other listeners (`SO_REUSEPORT`, `serve --reuse-port`); otherwise a busy port is an error.
    public var reusePort: Bool
    /// Descriptors kept free below the process's limit: connections accepted beyond it are closed at once and
    /// counted as rejected (see ``Listener``). Default 64.
    public var fdHeadroom = 64

    /// Creates a configuration.
    public init(
        listen: SocketAddress, podName: String, sendIdentityMessage: Bool = false, echo: Bool = true,
        logFormat: LogFormat = .plain, capacity: Int? = nil, pingInterval: Double = 0, deflate: Bool = true,
        tls: TLSServerConfiguration? = nil, extraHeaders: [(String, String)] = [], ioQueues: Int = 2, reusePort: Bool = false
    ) {
        self.listen = listen; self.podName = podName; self.sendIdentityMessage = sendIdentityMessage; self.echo = echo
        self.logFormat = logFormat; self.capacity = capacity; self.pingInterval = pingInterval; self.deflate = deflate
        self.tls = tls; self.extraHeaders = extraHeaders; self.ioQueues = max(1, ioQueues)
        self.reusePort = reusePort
    }
}

/// The reference backend: echo, identity header, `Active connections: N` log lines, capacity limit,
/// server pings and a graceful drain that sends 1001 close frames.
///
/// Thread-safety: the connection table and counters are guarded by a lock (accepts and ends happen on
/// several I/O queues); connection state itself stays on each connection's queue.
public final class PodServer: WSConnectionDelegate, @unchecked Sendable {
    /// The configuration.
    public let configuration: PodServerConfiguration
    private let settings: ConnectionSettings
    private let queues: [IOQueue]
    private var listener: Listener?
    private let logger: Logger
    private struct Table {
        var connections: [ObjectIdentifier: WSConnection] = [:]; var active = 0; var total = 0; var rejected = 0; var closed = 0; var nextID = 0;
        var draining = false; var crashed = false
        var refusedAtLimit = 0; var nextRefusalLog: UInt64 = 0
    }
    private let table = Locked(Table())
    private let crashedFlag = Locked(false)
    private let allClosed = DispatchSemaphore(value: 0)
    let metrics: PodServerMetrics

    /// Creates a server; `log` receives each log line (without a newline).
    public init(_ configuration: PodServerConfiguration, logger: Logger) throws(TLSError) {
        self.configuration = configuration
        self.logger = logger
        metrics = PodServerMetrics(pod: configuration.podName)
        var tlsContext: TLSContext?
        if let t = configuration.tls { tlsContext = try TLSContext(server: t) }
        settings = ConnectionSettings(
            serverDeflate: configuration.deflate ? PerMessageDeflateServerConfig() : nil, tls: tlsContext,
            upgradeTimeout: 30, closeTimeout: 5, pingInterval: configuration.pingInterval,
            pongTimeout: configuration.pingInterval > 0 ? configuration.pingInterval : 0)
        queues = (0..<configuration.ioQueues).map { IOQueue(label: "wsload.serve.\($0)") }
    }

    /// Starts listening; returns the bound address.
    @discardableResult
    public func start() throws(ConnectionFailure) -> SocketAddress {
        let l = try Listener(
            address: configuration.listen, queues: queues, reusePort: configuration.reusePort,
            fdHeadroom: configuration.fdHeadroom, onRefuse: { [weak self] ceiling in self?.refusedAtDescriptorLimit(ceiling) },
            onAccept: { [self] fd, io in
                io.queue.async { [self] in
                    let id = table.withLock { t -> Int in
                        t.nextID += 1; return t.nextID
                    }
                    let c = WSConnection(id: id, role: .server, io: io, settings: settings, delegate: self)
                    c.startServer(fd: fd)
                }
            })
        listener = l
        emit(active: 0, event: "listening on \(l.address)")
        return l.address
    }

    /// A connection closed at accept because the process is near its descriptor limit (see ``Listener``):
    /// counted as rejected, and said in the log at most once a second with what to change.
    private func refusedAtDescriptorLimit(_ ceiling: Int32) {
        let now = MonotonicClock.now()
        let (active, total, say) = table.withLock { t -> (Int, Int, Bool) in
            t.rejected += 1
            t.refusedAtLimit += 1
            guard now >= t.nextRefusalLog else { return (t.active, t.refusedAtLimit, false) }
            t.nextRefusalLog = now + 1_000_000_000
            return (t.active, t.refusedAtLimit, true)
        }
        if say {
            emit(
                active: active,
                event:
                    "refusing connections: the process is at its file-descriptor limit (\(ceiling) in use, keeping \(configuration.fdHeadroom) free; "
                    + "\(total) refused so far); raise `ulimit -n` or spread the load over more pods")
        }
    }

    /// Open WebSocket connections right now.
    public var activeConnections: Int { table.withLock { $0.active } }
    /// Upgrades refused with 503 because of the capacity limit.
    public var rejectedConnections: Int { table.withLock { $0.rejected } }
    /// The connection counters at one moment, read together under the table lock.
    public var counts: PodServerCounts {
        table.withLock { PodServerCounts(active: $0.active, accepted: $0.total, rejected: $0.rejected, closed: $0.closed) }
    }

    /// Stops accepting, sends every open connection a 1001 close frame and waits up to `timeout` seconds for them to end.
    /// Returns the number of connections still open afterwards.
    @discardableResult
    public func drain(timeout: Double = 10) -> Int {
        listener?.stop()
        let open = table.withLock { t -> [WSConnection] in
            t.draining = true
            emit(active: t.active, event: "draining \(t.connections.count) connections (SIGTERM)")
            return Array(t.connections.values)
        }
        if open.isEmpty { return 0 }
        for c in open { c.io.queue.async { c.close(code: .goingAway, reason: "server shutting down") } }
        let deadline = DispatchTime.now() + timeout
        while activeConnections > 0 {
            if allClosed.wait(timeout: deadline) == .timedOut { break }
        }
        let left = activeConnections
        if left > 0 {
            let rest = table.withLock { Array($0.connections.values) }
            for c in rest { c.io.queue.sync { c.abort(ConnectionFailure(phase: .close, kind: .timeout, message: "drain deadline passed")) } }
        }
        return left
    }

    /// Stops accepting new connections.
    public func stop() { listener?.stop() }

    /// Simulates a killed pod (SIGKILL): stops listening and drops every connection without a close
    /// frame or a final log line, the way a crashed process would.
    public func crash() {
        listener?.stop()
        crashedFlag.withLock { $0 = true }
        let open = table.withLock { t -> [WSConnection] in
            t.crashed = true; return Array(t.connections.values)
        }
        for c in open {
            c.io.queue.sync { c.abort(ConnectionFailure(phase: .open, kind: .cancelled, message: "pod crashed")) }
        }
    }

    private func emit(active: Int, event: String? = nil) {
        if crashedFlag.current { return }  // a killed process writes nothing more
        let ts = Timestamp.rfc3339()
        let pod = configuration.podName
        switch configuration.logFormat {
        case .plain:
            if let event { logger.info("\(ts) pod=\(pod) \(event)") }
            logger.info("\(ts) pod=\(pod) Active connections: \(active)")
        case .json:
            // The pod name is the operator's (`--pod-name`): escaped like every string in the line (RFC 8259 §7).
            let msg = JSONString.quoted(event ?? "connections changed")
            logger.info("{\"ts\":\"\(ts)\",\"pod\":\(JSONString.quoted(pod)),\"msg\":\(msg),\"active_connections\":\(active)}")
        }
    }

    // MARK: WSConnectionDelegate (called on the connection's queue)

    /// Accepts unless draining or at capacity; adds `X-Pod-Name` and configured headers.
    public func connection(_ connection: WSConnection, shouldAccept request: RequestHead) -> ServerUpgradeDecision {
        let verdict = table.withLock { t -> Int in
            if t.draining { return 1 }
            if let cap = configuration.capacity, t.active >= cap { t.rejected += 1; return 2 }
            // Reserve the slot now so concurrent upgrades cannot overshoot the capacity.
            t.active += 1
            t.total += 1
            t.connections[ObjectIdentifier(connection)] = connection
            return 0
        }
        switch verdict {
        case 1: return .reject(status: 503, reason: "Service Unavailable", body: "pod \(configuration.podName) is shutting down\n")
        case 2:
            return .reject(
                status: 503, reason: "Service Unavailable",
                body: "pod \(configuration.podName) is at capacity (\(configuration.capacity ?? 0) connections)\n")
        default:
            var headers = HTTPHeaders([("X-Pod-Name", configuration.podName)])
            for (n, v) in configuration.extraHeaders { headers.add(n, v) }
            return .accept(extraHeaders: headers)
        }
    }

    /// Answers plain HTTP requests (health checks, pre-flight GETs) with 200 and the pod's identity.
    /// `GET /metrics` gets the pod's metrics (see ``metricsText(format:)``).
    public func connection(_ connection: WSConnection, plainHTTPRequest request: RequestHead) -> (
        status: Int, reason: String, body: String, headers: HTTPHeaders
    )? {
        if request.method == "GET", request.target == "/metrics" || request.target.hasPrefix("/metrics?") {
            let format = MetricsExposition.negotiate(accept: request.headers.listElements("Accept"))
            return (
                200, "OK", metricsText(format: format), HTTPHeaders([("Content-Type", format.contentType), ("X-Pod-Name", configuration.podName)])
            )
        }
        return (
            200, "OK", "pod \(configuration.podName): \(activeConnections) active connections\n", HTTPHeaders([("X-Pod-Name", configuration.podName)])
        )
    }

    /// Logs the new count and sends the identity message when configured.
    public func connectionDidAccept(_ connection: WSConnection, request: RequestHead) {
        // Log under the table lock: connections on different I/O queues must not write their counts out of order.
        table.withLock { t in emit(active: t.active) }
        if configuration.sendIdentityMessage {
            connection.send(.text("{\"pod\":\"\(configuration.podName)\"}"))
        }
    }

    /// Echoes messages when configured.
    public func connection(_ connection: WSConnection, didReceive message: Message) {
        if configuration.echo { connection.send(message) }
    }

    /// Releases the slot and logs the new count.
    public func connectionDidEnd(_ connection: WSConnection, outcome: ConnectionOutcome) {
        let (wasOpen, active, draining) = table.withLock { t -> (Bool, Int, Bool) in
            guard t.connections.removeValue(forKey: ObjectIdentifier(connection)) != nil else { return (false, t.active, t.draining) }
            t.active -= 1
            t.closed += 1
            emit(active: t.active)  // under the lock, so the last line is always the current count
            return (true, t.active, t.draining)
        }
        if wasOpen && draining && active == 0 { allClosed.signal() }
    }
}

extension PodServer {
    /// The pod's metrics in `format` (what `GET /metrics` answers): `wsload_serve_active_connections` and the
    /// counters `wsload_serve_{accepted,rejected,closed}_connections_total`, each labelled `pod`.
    public func metricsText(format: MetricsExposition = .prometheusText) -> String {
        metrics.render(counts, format: format)
    }
}
