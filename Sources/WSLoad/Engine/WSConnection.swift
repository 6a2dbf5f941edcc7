import Dispatch
import WSProtocol

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One WebSocket connection on a non-blocking socket, driven by Dispatch sources on its ``IOQueue``.
///
/// The driver around ``ConnectionStateMachine``: it connects (binding a source address first),
/// runs TLS, performs the opening handshake (client or server role), moves bytes between the
/// socket and the state machine, keeps per-phase deadlines and ping/pong deadlines on the queue's
/// timer wheel, and reports one ``ConnectionOutcome``.
///
/// Confinement: every method except `init` must be called on `io.queue`; all sources fire there.
public final class WSConnection: TimerWheelClient, @unchecked Sendable {
    private enum Stage: UInt8 {
        case idle, connecting, tlsHandshake, upgrading, serverHandshake, open, awaitingEOF, finished
    }

    // indirect: boxed while the handshake runs and freed after it, instead of ~120 B inline in every held connection.
    private indirect enum Handshake {
        case client(request: UpgradeRequest, parser: ResponseHeadParser)
        case server(parser: RequestHeadParser)
    }

    /// The connection's I/O queue.
    public let io: IOQueue
    /// Shared settings.
    public let settings: ConnectionSettings
    /// A caller-chosen identifier (e.g. the connection's index in the run).
    public let id: Int
    private unowned(unsafe) let delegate: any WSConnectionDelegate

    // The small fields sit together so they share words (every held connection is one of these objects).
    private var fd: Int32 = -1
    private var writeSuspended = true
    /// This connection reached its ``expire(after:)`` age and began the close itself (`clients.lifetime`).
    public private(set) var expiredByLifetime = false
    private var liveSources: UInt8 = 0
    private var stage: Stage = .idle
    /// Client or server.
    public let role: Role
    /// The close code the peer sent, if any.
    public private(set) var peerCloseCode: CloseCode?
    /// See ``TimerWheelClient``.
    public private(set) var timerGeneration: UInt32 = 0
    // Stored as the concrete class: an optional `DispatchSourceRead` existential takes 40 B, a class reference 8.
    private var readSource: DispatchSource?
    private var writeSource: DispatchSource?
    private var tlsSession: TLSSession?
    private var handshake: Handshake?
    private var outbound: [UInt8] = []
    private var outboundOffset = 0
    private var outcome: ConnectionOutcome?
    private var phaseDeadline: UInt64 = 0
    private var nextPingAt: UInt64 = 0
    private var pongDueAt: UInt64 = 0
    private var lastPingSentAt: UInt64 = 0
    /// When this connection's lifetime ends (monotonic ns; 0: no lifetime), on the queue's timer wheel.
    private var lifetimeEndsAt: UInt64 = 0

    /// Phase timestamps.
    public private(set) var timeline = ConnectionTimeline()
    /// See ``TimerWheelClient``.
    public private(set) var timerDeadline: UInt64 = 0
    // Last: an optional struct ends in its one-byte tag, which would pad the field after it.
    private var machine: ConnectionStateMachine?
    /// The local address, read from the socket while it is open (nil once closed; not stored, to keep a held connection small).
    public var localAddress: SocketAddress? { fd >= 0 ? Socket.localAddress(fd) : nil }
    /// The peer's address, read from the socket while it is open (nil once closed).
    public var peerAddress: SocketAddress? { fd >= 0 ? Socket.peerAddress(fd) : nil }
    /// Whether the connection is open for messages.
    public var isOpen: Bool { stage == .open && machine?.state == .open }
    /// Whether the connection has ended.
    public var isFinished: Bool { stage == .finished }
    /// Whether the TLS handshake resumed a cached session (false without TLS).
    public var tlsSessionReused: Bool { tlsSession?.sessionReused ?? false }

    /// Creates an idle connection; start it with ``startClient(to:from:request:tlsIdentity:)`` or ``startServer(fd:)``.
    public init(id: Int, role: Role, io: IOQueue, settings: ConnectionSettings, delegate: any WSConnectionDelegate) {
        self.id = id; self.role = role; self.io = io; self.settings = settings; self.delegate = delegate
    }

    // MARK: Starting

    /// Connects to `destination` (optionally from `source`) and performs the client handshake; over TLS the
    /// server's certificate must prove `tlsIdentity` (see ``TLSPeerIdentity``), never `destination`.
    public func startClient(to destination: SocketAddress, from source: SocketAddress?, request: UpgradeRequest, tlsIdentity: TLSPeerIdentity?) {
        dispatchPrecondition(condition: .onQueue(io.queue))
        precondition(role == .client && stage == .idle)
        timeline.started = MonotonicClock.now()
        stage = .connecting
        switch Socket.makeTCP(family: destination.family) {
        case .success(let s): fd = s
        case .failure(let e):
            let kind: ConnectionFailure.Kind = (e.code == EMFILE || e.code == ENFILE) ? .resource : .system
            return finish(.failed(ConnectionFailure(phase: .tcpConnect, kind: kind, errno: e.code, message: "socket: \(e)")))
        }
        Socket.setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
        if let source {
            if let e = Socket.bindSource(fd, source) {
                return finish(
                    .failed(
                        ConnectionFailure(
                            phase: .tcpConnect, kind: e.code == EADDRINUSE ? .resource : .system, errno: e.code,
                            message: "bind to source \(source.ip): \(e)")))
            }
        }
        if let e = Socket.startConnect(fd, to: destination) {
            let kind: ConnectionFailure.Kind = e.code == EADDRNOTAVAIL ? .resource : .system
            return finish(.failed(ConnectionFailure(phase: .tcpConnect, kind: kind, errno: e.code, message: "connect to \(destination): \(e)")))
        }
        handshake = .client(request: request, parser: ResponseHeadParser())
        if let tls = settings.tls {
            do { tlsSession = try tls.makeSession(fd: fd, identity: tlsIdentity) } catch {
                return finish(.failed(ConnectionFailure.tls(.tls, error)))
            }
        }
        setPhaseDeadline(settings.connectTimeout)
        installSources()
        // Writable = connected (or failed). Often already so: then no write source is made at all.
        if Socket.isReadyForWriting(fd) { return handleWritable() }
        resumeWriteSource()
    }

    /// Takes over an accepted socket and performs the server handshake.
    public func startServer(fd acceptedFD: Int32) {
        dispatchPrecondition(condition: .onQueue(io.queue))
        precondition(role == .server && stage == .idle)
        timeline.started = MonotonicClock.now()
        timeline.tcpConnected = timeline.started
        fd = acceptedFD
        Socket.setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
        handshake = .server(parser: RequestHeadParser())
        if let tls = settings.tls {
            do { tlsSession = try tls.makeSession(fd: fd, identity: nil) } catch {
                return finish(.failed(ConnectionFailure.tls(.tls, error)))
            }
            stage = .tlsHandshake
            setPhaseDeadline(settings.tlsTimeout)
        } else {
            stage = .serverHandshake
            setPhaseDeadline(settings.upgradeTimeout)
        }
        installSources()
        if stage == .tlsHandshake { continueTLSHandshake() }
    }

    private func installSources() {
        // swift-corelibs-libdispatch returns its `DispatchSource` class for every source kind.
        let read = DispatchSource.makeReadSource(fileDescriptor: fd, queue: io.queue) as! DispatchSource
        // The sources hold the connection strongly until they are cancelled at teardown. The cancel
        // handler is installed by `cancel(_:)`, not here, so a held connection does not carry it.
        read.setEventHandler { [self] in handleReadable() }
        liveSources = 1
        readSource = read
        read.resume()
    }

    /// Creates the (suspended) write source, on demand: while a connect is pending, a TLS handshake wants to
    /// write, or a write is blocked. A connection whose writes all go through at once never has one, which
    /// saves ~500 B per held connection and two `epoll_ctl` calls and a wake-up per connection.
    private func makeWriteSource() {
        let write = DispatchSource.makeWriteSource(fileDescriptor: fd, queue: io.queue) as! DispatchSource
        write.setEventHandler { [self] in handleWritable() }
        liveSources += 1
        writeSource = write
        writeSuspended = true
    }

    /// Cancels the write source of an open connection whose output is flushed.
    private func dropWriteSource() {
        guard let w = writeSource else { return }
        if writeSuspended { writeSuspended = false; w.resume() }  // a suspended source must be resumed before it is cancelled
        writeSource = nil
        cancel(w)
    }

    /// Cancels a source, installing its cancel handler first: the handler block and its continuation
    /// (~150 B) exist only from here on instead of for the connection's whole life. Setting a handler on
    /// an active source is allowed; libdispatch runs the mutation as a barrier on the source, which it
    /// drains before the cancellation callout, so the handler always runs (the fd-leak tests check it).
    private func cancel(_ source: DispatchSource) {
        source.setCancelHandler { [self] in sourceCancelled() }
        source.cancel()
    }

    private func sourceCancelled() {
        liveSources -= 1
        if liveSources == 0 {
            // PLATFORM.md: close the fd in the cancel handler of the last source that uses it.
            if fd >= 0 { Glibc.close(fd); fd = -1 }
            tlsSession = nil
            // Break the retain cycle sources ↔ connection.
            readSource = nil
            writeSource = nil
        }
    }

    private func resumeWriteSource() {
        if writeSource == nil, fd >= 0, stage != .finished { makeWriteSource() }
        if writeSuspended, let w = writeSource { writeSuspended = false; w.resume() }
    }

    private func suspendWriteSource() {
        if !writeSuspended, let w = writeSource { writeSuspended = true; w.suspend() }
    }

    // MARK: Events

    private func handleWritable() {
        switch stage {
        case .connecting:
            if let e = Socket.pendingError(fd) {
                return finish(.failed(.system(.tcpConnect, "connect to \(Socket.peerAddress(fd)?.description ?? "peer")", errno: e.code)))
            }
            timeline.tcpConnected = MonotonicClock.now()
            if tlsSession != nil {
                stage = .tlsHandshake
                setPhaseDeadline(settings.tlsTimeout)
                continueTLSHandshake()
            } else {
                beginUpgrade()
            }
        case .tlsHandshake:
            continueTLSHandshake()
        case .finished, .idle:
            suspendWriteSource()
        default:
            flushOutbound()
        }
    }

    private func continueTLSHandshake() {
        guard let tls = tlsSession else { return }
        switch tls.handshake() {
        case .done:
            timeline.tlsCompleted = MonotonicClock.now()
            suspendWriteSource()
            if role == .client {
                beginUpgrade()
            } else {
                stage = .serverHandshake
                setPhaseDeadline(settings.upgradeTimeout)
            }
        case .wantRead:
            suspendWriteSource()
        case .wantWrite:
            resumeWriteSource()
        case .closed:
            finish(.failed(ConnectionFailure(phase: .tls, kind: .peerClosed, message: "peer closed the connection during the TLS handshake")))
        case .failed(let e):
            finish(.failed(ConnectionFailure.tls(.tls, e)))
        }
    }

    private func beginUpgrade() {
        guard case .client(let request, _)? = handshake else { return }
        stage = .upgrading
        setPhaseDeadline(settings.upgradeTimeout)
        suspendWriteSource()
        enqueue(request.serialize())
    }

    private func handleReadable() {
        if stage == .tlsHandshake { return continueTLSHandshake() }
        // A refused or reset connect can surface as a read event (EPOLLERR/EPOLLHUP) rather than a write event.
        if stage == .connecting { return handleWritable() }
        if stage == .finished || stage == .idle { return }
        let buffer = io.readBuffer
        // Bounded loop: at most 4 buffers per wake-up keeps one busy connection from starving others.
        for _ in 0..<4 {
            let n: Int
            if let tls = tlsSession {
                switch tls.read(into: buffer) {
                case .done(let count): n = count
                case .wantRead:
                    // Nothing more to read: an idle TLS connection gives its 16 KB read buffer back.
                    if stage == .open { tls.releaseBuffers() }
                    return
                case .wantWrite: resumeWriteSource(); return
                case .closed: n = 0
                case .failed(let e):
                    return finish(.failed(ConnectionFailure.tls(currentPhase, e)))
                }
            } else {
                n = Glibc.read(fd, buffer.baseAddress, buffer.count)
                if n < 0 {
                    let e = errno
                    if e == EAGAIN || e == EWOULDBLOCK || e == EINTR { return }
                    // A reset after both close frames were exchanged ends a completed handshake.
                    if stage == .awaitingEOF, let o = outcome { return finish(o) }
                    return finish(.failed(.system(currentPhase, "read", errno: e)))
                }
            }
            if n == 0 { return handleEOF() }
            timeline.lastReceived = MonotonicClock.now()
            received(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            if stage == .finished { return }
            // A TLS read returns at most one record. Records still in the socket keep it readable (the source is
            // level-triggered); only bytes OpenSSL has already decrypted need another read now. Stopping here
            // instead of reading until "want read" keeps SSL_MODE_RELEASE_BUFFERS effective (an extra SSL_read
            // re-allocates the 16 KB read buffer of an idle connection).
            if n < buffer.count && (tlsSession?.pendingReadableBytes ?? 0) == 0 {
                if stage == .open { tlsSession?.releaseBuffers() }
                return
            }
        }
        // Budget spent with data still buffered inside OpenSSL: continue on a later turn of the queue.
        if let tls = tlsSession, tls.pendingReadableBytes > 0 {
            io.queue.async { [self] in handleReadable() }
        }
    }

    private var currentPhase: ConnectionPhase {
        switch stage {
        case .idle, .connecting: return .tcpConnect
        case .tlsHandshake: return .tls
        case .upgrading, .serverHandshake: return .upgrade
        case .open: return machine?.state == .open ? .open : .close
        case .awaitingEOF, .finished: return .close
        }
    }

    private func handleEOF() {
        switch stage {
        case .awaitingEOF:
            finish(outcome ?? .closed(code: peerCloseCode, reason: "", byPeer: true))
        case .open where machine?.state == .closed:
            finish(outcome ?? .closed(code: peerCloseCode, reason: "", byPeer: true))
        default:
            let phase = currentPhase
            finish(
                .failed(
                    ConnectionFailure(
                        phase: phase, kind: .peerClosed, closeCode: 1006,
                        message: phase == .upgrade
                            ? "peer closed the connection before the upgrade completed"
                            : "peer closed the TCP connection without a close frame (1006)")))
        }
    }

    private func received(_ bytes: UnsafeRawBufferPointer) {
        switch stage {
        case .upgrading:
            guard case .client(let request, var parser)? = handshake else { return }
            let result: (head: ResponseHead, remainder: [UInt8])?
            do { result = try parser.feed(bytes) } catch {
                return finish(.failed(handshakeFailure(error)))
            }
            guard let (head, remainder) = result else {
                handshake = .client(request: request, parser: parser)
                return
            }
            let negotiated: HandshakeResult
            do {
                negotiated = try HandshakeValidator.validate(head, request: request, deflateOffer: settings.deflateOffer)
            } catch {
                return finish(.failed(handshakeFailure(error)))
            }
            var codec: PerMessageDeflate?
            if let p = negotiated.deflate {
                do { codec = try PerMessageDeflate(p) } catch {
                    return finish(.failed(ConnectionFailure(phase: .upgrade, kind: .handshake, message: error.description)))
                }
            }
            handshake = nil
            let keys = settings.maskingKeys.isSystemRandom ? MaskingKeySource.stream(io.keys) : settings.maskingKeys
            machine = ConnectionStateMachine(role: .client, limits: settings.limits, deflate: codec, maskingKeys: keys)
            timeline.upgraded = MonotonicClock.now()
            enterOpen()
            delegate.connectionDidOpen(self, handshake: negotiated)
            if !remainder.isEmpty, stage == .open { remainder.withUnsafeBytes { feedMachine($0) } }
        case .serverHandshake:
            guard case .server(var parser)? = handshake else { return }
            let result: (head: RequestHead, remainder: [UInt8])?
            do { result = try parser.feed(bytes) } catch {
                enqueue(ServerHandshake.errorResponse(status: 400, reason: "Bad Request", body: "\(error)\n"))
                return fail(handshakeFailure(error))
            }
            guard let (head, remainder) = result else { handshake = .server(parser: parser); return }
            handshake = nil
            if !head.headers.tokens("Upgrade").contains("websocket"), let plain = delegate.connection(self, plainHTTPRequest: head) {
                enqueue(ServerHandshake.errorResponse(status: plain.status, reason: plain.reason, body: plain.body, extraHeaders: plain.headers))
                outcome = .closed(code: nil, reason: "plain HTTP \(head.method) \(head.target) answered \(plain.status)", byPeer: false)
                if outboundOffset >= outbound.count { finish(outcome!) } else { setPhaseDeadline(1) }
                return
            }
            // RFC 6455 §4.2.1: validate the request before the application decides, so an invalid one
            // never takes a slot (or a capacity 503 instead of its 400/426).
            do {
                _ = try ServerHandshake.accept(head, subprotocols: settings.serverSubprotocols, deflate: nil)
            } catch {
                return rejectInvalidUpgrade(error)
            }
            switch delegate.connection(self, shouldAccept: head) {
            case .reject(let status, let reason, let body):
                enqueue(ServerHandshake.errorResponse(status: status, reason: reason, body: body))
                return fail(
                    ConnectionFailure(phase: .upgrade, kind: .httpStatus, httpStatus: status, message: "rejected with HTTP \(status) \(reason)"))
            case .accept(let extra):
                do {
                    let accepted = try ServerHandshake.accept(
                        head, subprotocols: settings.serverSubprotocols, deflate: settings.serverDeflate, extraHeaders: extra)
                    var codec: PerMessageDeflate?
                    if let p = accepted.deflate { codec = try? PerMessageDeflate(p) }
                    machine = ConnectionStateMachine(role: .server, limits: settings.limits, deflate: codec)
                    enqueue(accepted.response)
                    guard stage != .finished else { return }  // the 101 could not be written: already ended
                } catch {
                    return rejectInvalidUpgrade(error)
                }
            }
            timeline.upgraded = MonotonicClock.now()
            enterOpen()
            delegate.connectionDidAccept(self, request: head)
            if !remainder.isEmpty, stage == .open { remainder.withUnsafeBytes { feedMachine($0) } }
        case .open:
            feedMachine(bytes)
        default:
            break  // awaitingEOF: discard
        }
    }

    /// Answers an invalid upgrade request: 426 with our version for a version mismatch (§4.2.2), else 400.
    private func rejectInvalidUpgrade(_ error: HandshakeError) {
        var versionMismatch = false
        if case .badRequest(let why) = error, why.hasPrefix("unsupported Sec-WebSocket-Version") { versionMismatch = true }
        enqueue(
            ServerHandshake.errorResponse(
                status: versionMismatch ? 426 : 400, reason: versionMismatch ? "Upgrade Required" : "Bad Request",
                body: "\(error)\n",
                extraHeaders: versionMismatch ? HTTPHeaders([("Sec-WebSocket-Version", "13")]) : HTTPHeaders()))
        fail(handshakeFailure(error))
    }

    private func handshakeFailure(_ error: HandshakeError) -> ConnectionFailure {
        if case .unexpectedStatus(let status, let reason) = error {
            return ConnectionFailure(
                phase: .upgrade, kind: .httpStatus, httpStatus: status, message: "server answered HTTP \(status) \(reason) instead of 101")
        }
        return ConnectionFailure(phase: .upgrade, kind: .handshake, message: error.description)
    }

    private func enterOpen() {
        stage = .open
        phaseDeadline = 0
        // An open connection with nothing to write needs no write source until a write blocks.
        if outboundOffset >= outbound.count { dropWriteSource() }
        if settings.pingInterval > 0 { nextPingAt = MonotonicClock.now() + MonotonicClock.nanos(settings.pingInterval) }
        reschedule()
    }

    private func feedMachine(_ bytes: UnsafeRawBufferPointer) {
        guard machine != nil else { return }
        machine!.receive(bytes)
        while stage == .open, let event = machine!.nextEvent() {
            switch event {
            case .message(let m):
                // Stamped after the callback, so a delegate sees `timeline.firstMessage == 0` on the first message.
                let now = MonotonicClock.now()
                delegate.connection(self, didReceive: m)
                if timeline.firstMessage == 0 { timeline.firstMessage = now }
            case .ping:
                break  // pong queued by the state machine
            case .pong(let payload):
                var rtt: Double?
                if pongDueAt != 0, lastPingSentAt != 0 { rtt = Double(MonotonicClock.now() - lastPingSentAt) / 1e9 }
                pongDueAt = 0
                reschedule()
                delegate.connection(self, didReceivePong: payload, rttSeconds: rtt)
            case .closeReceived(let body):
                peerCloseCode = body.code
                timeline.closeStarted = MonotonicClock.now()
                outcome = .closed(code: body.code, reason: body.reason, byPeer: true)
            case .closeCompleted(let body):
                peerCloseCode = body.code
                if outcome == nil { outcome = .closed(code: body.code, reason: body.reason, byPeer: false) }
            case .failed(let error):
                // RFC 6455 §7.1.7: _Fail the WebSocket Connection_ — send the Close frame (queued by the state
                // machine), then close the TCP connection without waiting for the peer's Close (§7.1.1). The
                // failure is recorded now, with its phase and cause, not after a close timeout.
                let failure = ConnectionFailure(
                    phase: .open, kind: .protocolViolation, closeCode: error.closeCode.rawValue, message: error.description)
                outcome = .failed(failure)
                pumpMachineOutput()
                return finish(.failed(failure))
            }
        }
        pumpMachineOutput()
    }

    /// Moves the state machine's output to the socket and handles the end of the closing handshake.
    private func pumpMachineOutput() {
        guard machine != nil else { return }
        if machine!.hasOutput { enqueue(machine!.takeOutput()) }
        // The write may have failed and finished the connection (machine gone).
        if stage == .open, machine?.isClosed == true { closingHandshakeDone() }
    }

    private func closingHandshakeDone() {
        stage = .awaitingEOF
        nextPingAt = 0; pongDueAt = 0; lifetimeEndsAt = 0
        if timeline.closeStarted == 0 { timeline.closeStarted = MonotonicClock.now() }
        if role == .server {
            // RFC 6455 §7.1.1: the server closes the TCP connection first, once its close frame is out.
            if outboundOffset >= outbound.count { shutdown(fd, Int32(SHUT_WR)) }
        }
        setPhaseDeadline(settings.closeTimeout)
    }

    // MARK: Writing

    private func enqueue(_ bytes: [UInt8]) {
        if outboundOffset >= outbound.count { outbound = bytes; outboundOffset = 0 } else { outbound.append(contentsOf: bytes) }
        flushOutbound()
    }

    private func flushOutbound() {
        while outboundOffset < outbound.count {
            let n: Int = outbound.withUnsafeBytes { raw in
                let slice = UnsafeRawBufferPointer(rebasing: raw[outboundOffset...])
                if let tls = tlsSession {
                    switch tls.write(slice) {
                    case .done(let w): return w
                    case .wantRead, .wantWrite: return 0
                    case .closed: return -Int(EPIPE)
                    case .failed: return -Int(EIO)
                    }
                }
                let w = Glibc.send(fd, slice.baseAddress, slice.count, Int32(MSG_NOSIGNAL))
                if w < 0 { let e = errno; return (e == EAGAIN || e == EWOULDBLOCK || e == EINTR) ? 0 : -Int(e) }
                return w
            }
            if n < 0 { return finish(.failed(.system(currentPhase, "write", errno: Int32(-n)))) }
            if n == 0 { resumeWriteSource(); return }
            outboundOffset += n
        }
        outbound = []
        outboundOffset = 0
        if stage == .open && machine?.state == .open {
            dropWriteSource()
        } else if stage != .connecting && stage != .tlsHandshake {
            suspendWriteSource()
        }
        if stage == .awaitingEOF && role == .server { shutdown(fd, Int32(SHUT_WR)) }
        if outcome != nil, stage == .serverHandshake || stage == .upgrading { finish(outcome!) }
    }

    /// Bytes queued but not yet written to the socket.
    public var pendingWriteBytes: Int { outbound.count - outboundOffset }

    // MARK: Public operations (on io.queue)

    /// Sends a message; returns `false` if the connection is not open.
    @discardableResult
    public func send(_ message: Message) -> Bool {
        guard stage == .open, machine != nil, machine!.send(message) else { return false }
        pumpMachineOutput()
        return true
    }

    /// Sends a ping now and arms the pong deadline when configured.
    @discardableResult
    public func sendPing(_ payload: [UInt8] = []) -> Bool {
        guard stage == .open, machine != nil, machine!.ping(payload) else { return false }
        lastPingSentAt = MonotonicClock.now()
        if settings.pongTimeout > 0 && pongDueAt == 0 { pongDueAt = lastPingSentAt + MonotonicClock.nanos(settings.pongTimeout) }
        pumpMachineOutput()
        reschedule()
        return true
    }

    /// Ends this open connection `seconds` from now with a clean close (1000, bounded by the close timeout):
    /// its lifetime (`clients.lifetime`). The deadline sits on the queue's timer wheel; ``expiredByLifetime`` tells
    /// the owner afterwards that the close was this, not a drop. Ignored unless the connection is open.
    public func expire(after seconds: Double) {
        guard stage == .open, machine?.state == .open else { return }
        lifetimeEndsAt = MonotonicClock.now() + MonotonicClock.nanos(max(0, seconds))
        reschedule()
    }

    /// Starts the closing handshake; the outcome follows when it completes or times out.
    public func close(code: CloseCode = .normalClosure, reason: String = "") {
        switch stage {
        case .open:
            guard machine != nil, machine!.close(CloseFrameBody(code: code, reason: reason)) else { return }
            timeline.closeStarted = MonotonicClock.now()
            nextPingAt = 0; pongDueAt = 0; lifetimeEndsAt = 0
            setPhaseDeadline(settings.closeTimeout)
            pumpMachineOutput()
        case .idle, .connecting, .tlsHandshake, .upgrading, .serverHandshake:
            finish(.failed(ConnectionFailure(phase: currentPhase, kind: .cancelled, message: "cancelled before the connection opened")))
        case .awaitingEOF, .finished:
            break
        }
    }

    /// Ends the connection at once without a closing handshake (e.g. the run is aborting).
    public func abort(_ failure: ConnectionFailure) {
        guard stage != .finished else { return }
        finish(.failed(failure))
    }

    private func fail(_ failure: ConnectionFailure) {
        outcome = .failed(failure)
        // Let a queued error response go out first; finish once flushed or at the deadline.
        if outboundOffset >= outbound.count { finish(.failed(failure)) } else { setPhaseDeadline(1) }
    }

    // MARK: Timers

    private func setPhaseDeadline(_ seconds: Double) {
        phaseDeadline = seconds > 0 ? MonotonicClock.now() + MonotonicClock.nanos(seconds) : 0
        reschedule()
    }

    private func reschedule() {
        var d: UInt64 = 0
        for c in [phaseDeadline, nextPingAt, pongDueAt, lifetimeEndsAt] where c != 0 { d = d == 0 ? c : min(d, c) }
        guard d != timerDeadline else { return }
        timerDeadline = d
        timerGeneration &+= 1
        if d != 0 { io.wheel.schedule(self) }
    }

    /// See ``TimerWheelClient``.
    public func timerFired(now: UInt64) {
        guard stage != .finished else { return }
        if phaseDeadline != 0 && now >= phaseDeadline {
            phaseDeadline = 0
            switch stage {
            case .awaitingEOF:
                return finish(outcome ?? .closed(code: peerCloseCode, reason: "", byPeer: false))
            case .open:
                // Our close frame got no answer in time.
                return finish(
                    outcome
                        ?? .failed(
                            ConnectionFailure(
                                phase: .close, kind: .timeout, message: "no close frame from the peer within \(settings.closeTimeout) s")))
            default:
                if let o = outcome { return finish(o) }
                let phase = currentPhase
                let limit = phase == .tcpConnect ? settings.connectTimeout : phase == .tls ? settings.tlsTimeout : settings.upgradeTimeout
                return finish(.failed(ConnectionFailure(phase: phase, kind: .timeout, message: "\(phase) did not complete within \(limit) s")))
            }
        }
        if pongDueAt != 0 && now >= pongDueAt {
            return finish(
                .failed(
                    ConnectionFailure(
                        phase: .open, kind: .pongTimeout,
                        message: "no pong within \(settings.pongTimeout) s of a ping: the connection is half-open or the peer is stuck")))
        }
        if lifetimeEndsAt != 0 && now >= lifetimeEndsAt {
            lifetimeEndsAt = 0
            if stage == .open, machine?.state == .open {
                expiredByLifetime = true
                return close(code: .normalClosure, reason: "connection lifetime reached")
            }
        }
        if nextPingAt != 0 && now >= nextPingAt {
            nextPingAt = now + MonotonicClock.nanos(settings.pingInterval)
            sendPing()
        }
        reschedule()
    }

    // MARK: Teardown

    private func finish(_ result: ConnectionOutcome) {
        guard stage != .finished else { return }
        stage = .finished
        timeline.ended = MonotonicClock.now()
        phaseDeadline = 0; nextPingAt = 0; pongDueAt = 0; lifetimeEndsAt = 0
        timerDeadline = 0
        timerGeneration &+= 1
        machine?.transportClosed()
        machine = nil
        handshake = nil
        outbound = []
        outboundOffset = 0
        tlsSession?.shutdown()
        if readSource != nil || writeSource != nil {
            if let w = writeSource, writeSuspended { writeSuspended = false; w.resume() }  // resume before cancel
            if let r = readSource { cancel(r) }
            if let w = writeSource { cancel(w) }
        } else if fd >= 0 {
            Glibc.close(fd); fd = -1
        }
        delegate.connectionDidEnd(self, outcome: result)
    }
}
