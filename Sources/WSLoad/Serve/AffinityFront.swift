import Dispatch
import Foundation
import WSProtocol

#if canImport(Glibc)
    import Glibc
#endif

/// How the local front picks a backend, mimicking what sits in front of pods in a cluster.
public enum AffinityPolicy: String, Sendable, CaseIterable, Codable {
    /// Round robin, no affinity (a plain Service without sessionAffinity, roughly).
    case none
    /// Ingress cookie affinity: like HAProxy `cookie SERVERID insert indirect nocache`.
    case cookie
    /// Client-address affinity on the full address: `sessionAffinity: ClientIP`, HAProxy `balance source`.
    case sourceHash = "source-hash"
    /// nginx `ip_hash`: hashes only the first three octets of an IPv4 client address.
    case ipHash = "ip-hash"
}

/// A small HTTP-aware TCP front for the local demo and tests: it reads the upgrade request, picks a
/// backend by the ``AffinityPolicy``, inserts the affinity cookie into the 101 when needed, then
/// splices bytes both ways.
///
/// Confinement: each proxied pair lives on one ``IOQueue``.
public final class AffinityFront: @unchecked Sendable {
    /// A backend pod.
    public struct Backend: Sendable, Hashable {
        /// The pod name (also the cookie value).
        public var name: String
        /// Where it listens.
        public var address: SocketAddress
        /// Creates a backend.
        public init(name: String, address: SocketAddress) { self.name = name; self.address = address }
    }

    /// The cookie name used by the `cookie` policy.
    public let cookieName: String
    /// The policy.
    public let policy: AffinityPolicy
    private let backends: [Backend]
    private let queues: [IOQueue]
    private var listener: Listener?
    private let roundRobin = Locked(0)
    private let down = Locked(Set<String>())
    /// Backends not yet in rotation (a scale-out's pods before they are added); see ``park(_:)``.
    private let parked = Locked(Set<String>())
    private let pairs = Locked([ObjectIdentifier: ProxyPair]())

    /// Tunnels idle longer than this many seconds are cut without a close frame (0: never), like
    /// HAProxy `timeout tunnel` or nginx `proxy_read_timeout`.
    public let idleTimeout: Double
    private let blackholed = Locked(false)
    private var idleTimer: (any DispatchSourceTimer)?

    /// Creates a front over `backends`.
    public init(backends: [Backend], policy: AffinityPolicy, cookieName: String = "SERVERID", ioQueues: Int = 1, idleTimeout: Double = 0) {
        precondition(!backends.isEmpty)
        self.backends = backends
        self.policy = policy
        self.cookieName = cookieName
        self.idleTimeout = idleTimeout
        self.queues = (0..<max(1, ioQueues)).map { IOQueue(label: "wsload.front.\($0)") }
    }

    /// Takes the named backends out of rotation: no new connection goes to them until ``unpark(_:)`` (existing
    /// tunnels stay). A stand-in for pods that do not exist yet, so a scale-out can be shown locally.
    public func park(_ names: [String]) { parked.withLock { $0.formUnion(names) } }

    /// Puts parked backends (back) into rotation: the scale-out itself.
    public func unpark(_ names: [String]) { parked.withLock { $0.subtract(names) } }

    /// Backends in rotation now (not parked), in order.
    private var inRotation: [Backend] {
        let parked = self.parked.current
        let active = backends.filter { !parked.contains($0.name) }
        return active.isEmpty ? backends : active
    }

    /// Silently drops every byte on existing tunnels in both directions (a half-open path: no FIN, no RST),
    /// the way a blackholing firewall or a dead NAT entry behaves.
    public func blackhole(_ on: Bool = true) { blackholed.withLock { $0 = on } }

    /// Whether tunnels currently drop data.
    var isBlackholed: Bool { blackholed.current }

    /// Starts listening on `address`; returns the bound address.
    @discardableResult
    public func start(on address: SocketAddress) throws(ConnectionFailure) -> SocketAddress {
        let l = try Listener(address: address, queues: queues) { [self] fd, io in
            io.queue.async { [self] in
                let pair = ProxyPair(front: self, clientFD: fd, io: io)
                pairs.withLock { $0[ObjectIdentifier(pair)] = pair }
                pair.start()
            }
        }
        listener = l
        if idleTimeout > 0 {
            let t = DispatchSource.makeTimerSource(queue: DispatchQueue.global())
            t.schedule(deadline: .now() + 0.05, repeating: 0.05)
            t.setEventHandler { [weak self] in self?.cutIdleTunnels() }
            t.resume()
            idleTimer = t
        }
        return l.address
    }

    private func cutIdleTunnels() {
        let now = MonotonicClock.now()
        let limit = MonotonicClock.nanos(idleTimeout)
        for p in pairs.withLock({ Array($0.values) }) {
            p.io.queue.async { if now > p.lastActivity && now - p.lastActivity > limit { p.teardown() } }
        }
    }

    /// Stops accepting and closes every proxied connection.
    public func stop() {
        idleTimer?.cancel()
        idleTimer = nil
        listener?.stop()
        let all = pairs.withLock { p -> [ProxyPair] in
            defer { p = [:] }; return Array(p.values)
        }
        for p in all { p.io.queue.sync { p.teardown() } }
    }

    fileprivate func ended(_ pair: ProxyPair) { pairs.withLock { _ = $0.removeValue(forKey: ObjectIdentifier(pair)) } }

    /// Picks the backend for a request from `client`; returns it and whether the cookie must be inserted.
    func choose(request: RequestHead, client: SocketAddress?) -> (Backend, insertCookie: Bool) {
        switch policy {
        case .none:
            return (nextRoundRobin(), false)
        case .cookie:
            if let value = Self.cookieValue(named: cookieName, in: request.headers), let b = inRotation.first(where: { $0.name == value }) {
                return (b, false)
            }
            return (nextRoundRobin(), true)
        case .sourceHash:
            let key = client?.ip ?? ""
            let pool = inRotation
            return (pool[Int(FNV1a.hash64(key.utf8) % UInt64(pool.count))], false)
        case .ipHash:
            // nginx ip_hash: the first three octets of an IPv4 address.
            let ip = client?.ip ?? ""
            let key = ip.contains(":") ? ip : ip.split(separator: ".").prefix(3).joined(separator: ".")
            let pool = inRotation
            return (pool[Int(FNV1a.hash64(key.utf8) % UInt64(pool.count))], false)
        }
    }

    private func nextRoundRobin() -> Backend {
        let down = self.down.current
        let rotation = inRotation
        let up = rotation.filter { !down.contains($0.name) }
        let pool = up.isEmpty ? rotation : up
        let i = roundRobin.withLock { n -> Int in
            defer { n += 1 }; return n
        }
        return pool[i % pool.count]
    }

    /// Number of backends.
    var backendCount: Int { backends.count }

    /// Marks a backend as refusing connections (it stays down for the life of the front).
    func markDown(_ backend: Backend) { _ = down.withLock { $0.insert(backend.name) } }

    /// Another backend that is not marked down, chosen the policy's way among the rest; nil if none is left.
    func redispatch(request: RequestHead, client: SocketAddress?) -> Backend? {
        let down = self.down.current
        let up = inRotation.filter { !down.contains($0.name) }
        guard !up.isEmpty else { return nil }
        switch policy {
        case .sourceHash, .ipHash:
            return up[Int(FNV1a.hash64((client?.ip ?? "").utf8) % UInt64(up.count))]
        case .none, .cookie:
            return nextRoundRobin()
        }
    }

    static func cookieValue(named name: String, in headers: HTTPHeaders) -> String? {
        headers.values("Cookie").lazy.compactMap { CookieHeader.value(named: name, in: $0) }.first
    }

}

/// One client connection and its backend connection, spliced through the front.
final class ProxyPair: @unchecked Sendable {
    unowned let front: AffinityFront
    let io: IOQueue
    private var client: SpliceEnd
    private var backend_: SpliceEnd?
    private var chosenBackend: AffinityFront.Backend?
    private var pendingRequest: (RequestHead, [UInt8])?
    private var requestParser: RequestHeadParser? = RequestHeadParser()
    private var responseParser: ResponseHeadParser?
    private var insertCookieValue: String?
    private var finished = false
    /// When bytes last crossed the tunnel (I/O-queue confined).
    var lastActivity = MonotonicClock.now()

    init(front: AffinityFront, clientFD: Int32, io: IOQueue) {
        self.front = front
        self.io = io
        self.client = SpliceEnd(fd: clientFD, io: io)
    }

    func start() {
        client.onData = { [unowned self] bytes in clientData(bytes) }
        client.onClosed = { [unowned self] in teardown() }
        client.start()
    }

    private func clientData(_ bytes: [UInt8]) {
        if front.isBlackholed && requestParser == nil { return }
        lastActivity = MonotonicClock.now()
        if var parser = requestParser {
            let parsed: (head: RequestHead, remainder: [UInt8])?
            do { parsed = try parser.feed(bytes) } catch {
                client.write(ServerHandshake.errorResponse(status: 400, reason: "Bad Request", body: "\(error)\n"))
                return teardown()
            }
            guard let (head, remainder) = parsed else { requestParser = parser; return }
            requestParser = nil
            let (chosen, insert) = front.choose(request: head, client: Socket.peerAddress(client.fd))
            pendingRequest = (head, Self.serialize(head) + remainder)
            insertCookieValue = insert ? chosen.name : nil
            connectBackend(chosen, attemptsLeft: front.backendCount)
        } else {
            backend_?.write(bytes)
        }
    }

    /// Connects to `backend` and forwards the pending request. A backend that refuses — at once or
    /// asynchronously, before its response head — is marked down and the request goes to another one,
    /// like HAProxy with `option redispatch` (under the cookie policy with a fresh affinity cookie).
    private func connectBackend(_ backend: AffinityFront.Backend, attemptsLeft: Int) {
        guard let (head, bytes) = pendingRequest else { return }
        chosenBackend = backend
        if case .success(let fd) = Socket.makeTCP(family: backend.address.family) {
            if Socket.startConnect(fd, to: backend.address) == nil {
                let b = SpliceEnd(fd: fd, io: io)
                b.onData = { [unowned self] bytes in backendData(bytes) }
                b.onClosed = { [unowned self] in backendClosed(attemptsLeft: attemptsLeft - 1) }
                backend_ = b
                responseParser = ResponseHeadParser()
                b.start()
                b.write(bytes)
                return
            }
            Glibc.close(fd)
        }
        backendFailed(head: head, attemptsLeft: attemptsLeft - 1)
    }

    private func backendClosed(attemptsLeft: Int) {
        // Closed before any response head: the backend is gone; try another one.
        if responseParser != nil, !finished, let (head, _) = pendingRequest {
            backend_?.close()
            backend_ = nil
            return backendFailed(head: head, attemptsLeft: attemptsLeft)
        }
        teardown()
    }

    private func backendFailed(head: RequestHead, attemptsLeft: Int) {
        if let b = chosenBackend { front.markDown(b) }
        guard attemptsLeft > 0, let next = front.redispatch(request: head, client: Socket.peerAddress(client.fd)) else {
            client.write(ServerHandshake.errorResponse(status: 503, reason: "Service Unavailable", body: "no backend reachable\n"))
            return teardown()
        }
        if front.policy == .cookie { insertCookieValue = next.name }
        connectBackend(next, attemptsLeft: attemptsLeft)
    }

    private func backendData(_ bytes: [UInt8]) {
        if front.isBlackholed && responseParser == nil { return }
        lastActivity = MonotonicClock.now()
        guard var parser = responseParser else { client.write(bytes); return }
        let parsed: (head: ResponseHead, remainder: [UInt8])?
        do { parsed = try parser.feed(bytes) } catch { return teardown() }
        guard var (head, remainder) = parsed else { responseParser = parser; return }
        responseParser = nil
        pendingRequest = nil
        if let value = insertCookieValue {
            // HAProxy `insert indirect nocache`: add the cookie and keep caches from storing it.
            head.headers.add("Set-Cookie", "\(front.cookieName)=\(value); path=/")
            head.headers.add("Cache-Control", "private")
        }
        var out = Array("\(head.version) \(head.status) \(head.reason)\r\n".utf8)
        for (n, v) in head.headers { out += Array("\(n): \(v)\r\n".utf8) }
        out += [13, 10]
        out += remainder
        remainder = []
        client.write(out)
    }

    static func serialize(_ head: RequestHead) -> [UInt8] {
        var out = Array("\(head.method) \(head.target) \(head.version)\r\n".utf8)
        for (n, v) in head.headers { out += Array("\(n): \(v)\r\n".utf8) }
        out += [13, 10]
        return out
    }

    func teardown() {
        guard !finished else { return }
        finished = true
        client.close()
        backend_?.close()
        front.ended(self)
    }
}

/// One socket of a spliced pair: non-blocking reads delivered to `onData`, buffered writes.
final class SpliceEnd: @unchecked Sendable {
    let fd: Int32
    let io: IOQueue
    var onData: ([UInt8]) -> Void = { _ in }
    var onClosed: () -> Void = {}
    private var readSource: (any DispatchSourceRead)?
    private var writeSource: (any DispatchSourceWrite)?
    private var writeSuspended = true
    private var pending: [UInt8] = []
    private var closed = false
    private var notifiedClosed = false

    /// Reports the end once, however many sources notice it.
    private func ended() {
        guard !notifiedClosed, !closed else { return }
        notifiedClosed = true
        onClosed()
    }

    init(fd: Int32, io: IOQueue) { self.fd = fd; self.io = io }

    func start() {
        let r = DispatchSource.makeReadSource(fileDescriptor: fd, queue: io.queue)
        let w = DispatchSource.makeWriteSource(fileDescriptor: fd, queue: io.queue)
        r.setEventHandler { [unowned self] in readable() }
        w.setEventHandler { [unowned self] in flush() }
        let fd = self.fd
        let remaining = Locked(2)
        let cancel: @Sendable () -> Void = {
            if remaining.withLock({
                $0 -= 1; return $0
            }) == 0 {
                Glibc.close(fd)
            }
        }
        r.setCancelHandler(handler: cancel)
        w.setCancelHandler(handler: cancel)
        readSource = r
        writeSource = w
        r.resume()
    }

    private func readable() {
        let buffer = io.readBuffer
        let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
        if n > 0 { return onData(Array(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))) }
        if n < 0 && (errno == EAGAIN || errno == EINTR) { return }
        ended()
    }

    func write(_ bytes: [UInt8]) {
        guard !closed else { return }
        pending += bytes
        flush()
    }

    private func flush() {
        while !pending.isEmpty {
            let n = pending.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n > 0 { pending.removeFirst(n); continue }
            if n < 0 && (errno == EAGAIN || errno == EINTR) {
                // Connect in progress or socket buffer full: wait for writability.
                if writeSuspended, let w = writeSource { writeSuspended = false; w.resume() }
                return
            }
            return ended()
        }
        if !writeSuspended, let w = writeSource { writeSuspended = true; w.suspend() }
    }

    func close() {
        guard !closed else { return }
        closed = true
        if writeSuspended, let w = writeSource { writeSuspended = false; w.resume() }
        readSource?.cancel()
        writeSource?.cancel()
        readSource = nil
        writeSource = nil
    }
}
