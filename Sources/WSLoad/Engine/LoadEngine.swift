import Dispatch
import Foundation
import Histogram
import WSProtocol

/// Runs a ``RunPlan``: ramps connections up at a controlled rate from virtual clients, holds them,
/// optionally sends traffic, then closes them, accounting for every attempt.
///
/// Threading: run state lives on one serial control queue; connections live on a few I/O queues and
/// report to the control queue with small asynchronous hops (never per frame).
public final class LoadEngine: @unchecked Sendable {
    /// The plan.
    public let plan: RunPlan
    private let dialer: Dialer
    private let attributor: PodAttributor
    private let queues: [IOQueue]
    private let control = DispatchQueue(label: "wsload.control")
    private let jars: [CookieJar?]
    private let sharedJar = CookieJar()
    private let finished = DispatchSemaphore(value: 0)
    private let log: @Sendable (String) -> Void

    // Control-queue state.
    private var records: [ConnectionRecord]
    /// The live connection of each record (control-queue owned; nil before launch and after it ended).
    private var connections: [WSConnection?]
    /// One delegate per I/O queue (not one object per connection: ~80 B less per held connection).
    private lazy var delegates: [ClientConnectionDelegate] = queues.map { _ in ClientConnectionDelegate(engine: self) }
    /// The client number of each slot (`index / connectionsPerClient`); immutable, readable from any queue.
    private let clientOfSlot: [Int]
    private var ready: [Int] = []
    private var readyHead = 0
    private var heldBack: [[Int]]
    private var phase: EngineSnapshot.Phase = .ramp
    /// TLS with session resumption: the first connection runs alone, so the rest resume its session
    /// (a full handshake costs the server and the client several times a resumed one, and ~4 KB more
    /// memory per held client connection) instead of a first wave of `maxInFlight` full handshakes.
    private var tlsWarmup: Bool
    private var inFlight = 0, launched = 0, established = 0, failedCount = 0, dropped = 0, ended = 0, openCount = 0
    private var tokens = 0.0
    private var lastTick = MonotonicClock.now()
    private var pacer: DispatchSourceTimer?
    private var phaseTimer: DispatchSourceTimer?
    private var trafficTimer: DispatchSourceTimer?
    private var progressTimer: DispatchSourceTimer?
    private var histograms: [String: Histogram<UInt64>] = [:]
    private var startedAt = Date(), holdStartedAt = Date(), holdEndedAt = Date(), endedAt = Date()
    private var holdStartMono: UInt64 = 0
    private var heldPerPod: [String: Int] = [:]
    private var warnings: [String] = []
    private var interrupted = false
    private var cookieValues = Set<String>()
    /// A recognised (not configured) affinity cookie each connection sent from its jar, by record index: used
    /// for attribution only when nothing else names the pod (HAProxy `indirect` sends no new Set-Cookie).
    private var recognisedSentCookie: [Int: String] = [:]
    private var reconnectInFlight = 0, reconnectsDone = 0
    private var dropTimes: [Int: UInt64] = [:]
    private var pendingReconnects = Set<Int>()
    private var timeline: [TimelinePoint] = []
    private var timelineTimer: DispatchSourceTimer?
    private var onProgress: (@Sendable (EngineSnapshot) -> Void)?
    /// Told each phase as it begins, on the control queue: `.ramp` just before the first connection attempt,
    /// `.hold` when every connection is up, `.close` before the first close is sent, `.done` at the end.
    /// Server-log followers use it to stamp each line with the phase it arrived in. Set before ``run(progressInterval:progress:)``.
    public var phaseObserver: (@Sendable (EngineSnapshot.Phase) -> Void)?

    /// Resolves the target, checks the plan against resources and prepares virtual clients.
    public init(plan: RunPlan, log: @escaping @Sendable (String) -> Void = { _ in }) throws {
        self.plan = plan
        self.log = log
        tlsWarmup = plan.url.isTLS && plan.tls?.sessionResumption == true
        // Resolved in the sources' family (a source of another family is an error before anything connects).
        let dialer = try Dialer(url: plan.url, connectTo: plan.resolveOverride, sources: plan.sources, tls: plan.tls, tlsIdentity: plan.tlsIdentity,
                                options: DialOptions(limits: plan.limits, deflate: plan.deflate ? PerMessageDeflateOffer() : nil,
                                                     connectTimeout: plan.connectTimeout, tlsTimeout: plan.tlsTimeout,
                                                     upgradeTimeout: plan.upgradeTimeout, closeTimeout: plan.closeTimeout,
                                                     pingInterval: plan.pingInterval, pongTimeout: plan.pongTimeout,
                                                     origin: plan.origin, subprotocols: plan.subprotocols))
        self.dialer = dialer
        // Before anything connects: an unbindable source would fail every one of its connections (EADDRNOTAVAIL).
        let unbindable = SourceAddressCheck.unbindable(plan.sources)
        if let first = unbindable.first {
            throw PlanError("\(unbindable.count) source address\(unbindable.count == 1 ? "" : "es") cannot be bound on this machine "
                + "(first: \(first)); add each with `\(Profile.addCommand(first.address))` or a block with an AnyIP route "
                + "(`ip route add local NET/PREFIX dev lo`)")
        }
        warnings = try ResourceBudget.current().check(plan)
        attributor = try PodAttributor(rules: plan.attribution)
        queues = (0 ..< max(1, plan.ioQueues)).map { IOQueue(label: "wsload.io.\($0)") }
        jars = (0 ..< plan.clients).map { plan.cookiePolicy == .perClient && plan.shard?.contains(client: $0) != false ? CookieJar() : nil }
        let clientList = plan.clientIndices  // all clients, or a shard's (client numbers stay global)
        var recs: [ConnectionRecord] = []
        recs.reserveCapacity(plan.totalConnections)
        var held: [[Int]] = Array(repeating: [], count: plan.clients)
        var order: [Int] = []
        // Interleave clients (client 0 conn 0, client 1 conn 0, …) so every client starts early.
        for conn in 0 ..< plan.connectionsPerClient {
            for slot in clientList.indices {
                let index = slot * plan.connectionsPerClient + conn
                order.append(index)
            }
        }
        for client in clientList {
            for conn in 0 ..< plan.connectionsPerClient { recs.append(ConnectionRecord(index: recs.count, client: client, conn: conn)) }
        }
        let waitForFirst = plan.firstConnectionFirst && (plan.cookiePolicy == .perClient || plan.cookiePolicy == .shared)
        for index in order {
            let r = recs[index]
            if waitForFirst && (r.conn > 0 || (plan.cookiePolicy == .shared && r.client != clientList.first)) {
                // Shared jar: everyone waits for the very first connection; per-client: for their own first.
                held[plan.cookiePolicy == .shared ? 0 : r.client].append(index)
            } else {
                ready.append(index)
            }
        }
        records = recs
        heldBack = held
        connections = Array(repeating: nil, count: recs.count)
        clientOfSlot = clientList
    }

    /// Runs to completion (or until ``stop()``), calling `progress` every `progressInterval` seconds
    /// on a background queue. Blocks the calling thread.
    public func run(progressInterval: Double = 1, progress: (@Sendable (EngineSnapshot) -> Void)? = nil) -> EngineResult {
        runPreflights()
        control.async { [self] in
            // A stop() that arrived while pre-flights ran has already finished the run: start no timers.
            guard phase == .ramp else { return }
            onProgress = progress
            phaseObserver?(.ramp)
            startedAt = Date()
            lastTick = MonotonicClock.now()
            for w in warnings { log("warning: \(w)") }
            let t = DispatchSource.makeTimerSource(queue: control)
            t.schedule(deadline: .now(), repeating: .milliseconds(5), leeway: .milliseconds(1))
            t.setEventHandler { [unowned self] in pace() }
            t.resume()
            pacer = t
            if plan.timelineInterval > 0 {
                let tl = DispatchSource.makeTimerSource(queue: control)
                tl.schedule(deadline: .now(), repeating: plan.timelineInterval, leeway: .milliseconds(10))
                tl.setEventHandler { [unowned self] in sampleTimeline() }
                tl.resume()
                timelineTimer = tl
            }
            if progress != nil, progressInterval > 0 {
                let p = DispatchSource.makeTimerSource(queue: control)
                p.schedule(deadline: .now() + progressInterval, repeating: progressInterval)
                p.setEventHandler { [unowned self] in onProgress?(snapshotLocked()) }
                p.resume()
                progressTimer = p
            }
        }
        finished.wait()
        return control.sync { resultLocked() }
    }

    /// Runs the plan's pre-flight request once per cookie jar (per client, or once for a shared jar)
    /// before the ramp, at most `maxInFlight` (≤ 32) at a time, so the first upgrade already carries the cookie.
    private func runPreflights() {
        guard let (url, method) = plan.preflight else { return }
        let jarsToFill: [(client: Int, jar: CookieJar)] = switch plan.cookiePolicy {
        case .perClient: jars.enumerated().compactMap { i, j in j.map { (i, $0) } }
        case .shared: [(0, sharedJar)]
        case .none, .perConnection: []
        }
        if jarsToFill.isEmpty {
            warnings.append("pre-flight skipped: cookie policy \(plan.cookiePolicy.rawValue) keeps no jar to fill")
            return
        }
        let failures = Locked([String]())
        // One dialer for every jar: resolved once (with `target.resolve`), in the sources' family, its own TLS context.
        let dialer: Dialer
        do {
            dialer = try Dialer(url: url, connectTo: plan.resolveOverride, sources: plan.sources, tls: plan.tls, tlsIdentity: plan.tlsIdentity)
        } catch {
            return preflightDone(url: url, method: method, jars: jarsToFill.count, failed: jarsToFill.map { "client \($0.client): \(error)" })
        }
        let limit = DispatchSemaphore(value: max(1, min(32, plan.maxInFlight)))
        let group = DispatchGroup()
        let plan = self.plan
        for (client, jar) in jarsToFill {
            limit.wait()
            group.enter()
            DispatchQueue.global().async {
                defer { limit.signal(); group.leave() }
                do {
                    let r = try Preflight.run(dialer: dialer, method: method, source: plan.source(ofClient: client), jar: jar,
                                              timeout: plan.upgradeTimeout)
                    if r.status >= 400 { failures.withLock { $0.append("client \(client): HTTP \(r.status)") } }
                } catch {
                    failures.withLock { $0.append("client \(client): \(error)") }
                }
            }
        }
        group.wait()
        preflightDone(url: url, method: method, jars: jarsToFill.count, failed: failures.current)
    }

    private func preflightDone(url: WebSocketURL, method: String, jars: Int, failed: [String]) {
        if !failed.isEmpty {
            warnings.append("pre-flight \(method) \(Redaction.redactURL(url.description)) failed for \(failed.count) of \(jars) jars (first: \(failed[0])); their connections start without its cookies")
        }
        log("pre-flight: \(jars - failed.count) of \(jars) jars filled from \(method) \(Redaction.redactURL(url.description))")
    }

    /// Stops the run early: no new connections, open ones are closed, the result is complete for what happened.
    public func stop() {
        control.async { [self] in
            guard phase == .ramp || phase == .hold else { return }
            interrupted = true
            log("interrupted: closing \(openCount) open connections")
            beginClose()
        }
    }

    /// A snapshot of the run (thread-safe).
    public func snapshot() -> EngineSnapshot { control.sync { snapshotLocked() } }

    /// Per-pod counts and handshake histograms for a metrics scrape (`run --metrics-listen`), taken on the control queue.
    public func liveMetrics() -> EngineLiveMetrics {
        control.sync {
            var m = EngineLiveMetrics(phase: phase, planned: plan.totalConnections, attempted: launched, established: established)
            for r in records {
                let pod = r.pod ?? EngineLiveMetrics.unknownPod
                switch r.status {
                case .open: m.openPerPod[pod, default: 0] += 1
                case .failed: m.failedPerPod[pod, default: 0] += 1
                case .dropped: m.droppedPerPod[pod, default: 0] += 1
                default: break
                }
            }
            for name in ["tcp-connect", "tls", "upgrade"] { m.handshakes[name] = histograms[name] }
            return m
        }
    }

    // MARK: Ramp

    private func pace() {
        guard phase == .ramp else { return }
        let now = MonotonicClock.now()
        if plan.rate > 0 {
            tokens = min(tokens + plan.rate * Double(now - lastTick) / 1e9, max(1, plan.rate * 0.05))
        } else {
            tokens = Double(plan.maxInFlight)
        }
        lastTick = now
        let cap = tlsWarmup ? 1 : plan.maxInFlight
        while tokens >= 1, inFlight < cap, readyHead < ready.count {
            tokens -= 1
            launch(ready[readyHead])
            readyHead += 1
        }
        if readyHead > 4096 && readyHead * 2 > ready.count { ready.removeFirst(readyHead); readyHead = 0 }
        if inFlight == 0 && readyHead >= ready.count && heldBack.allSatisfy(\.isEmpty) { rampDone() }
    }

    private func launch(_ index: Int, reconnect: Bool = false) {
        var r = records[index]
        r.status = reconnect ? .reconnecting : .connecting
        let source = plan.source(ofClient: r.client)
        let jar = jar(forIndex: index)
        let jarCookies = jar?.header(host: plan.url.host, path: plan.url.target, secure: plan.url.isTLS)
        r.sentCookie = jarCookies != nil
        var headers = HTTPHeaders(plan.headers)
        let sourceText = source?.ip ?? ""
        for t in plan.headerTemplates { headers.add(t.name, t.render(client: r.client, conn: r.conn, index: r.client * plan.connectionsPerClient + r.conn, source: sourceText)) }
        // One Cookie header: the profile's cookies, then the jar's (the jar wins on a repeated name).
        let cookieHeader = CookieHeader.merge(profile: headers.values("Cookie"), jar: jarCookies)
        headers.remove("Cookie")
        if let name = plan.attribution.cookieName, let v = PodAttributor.cookieValue(named: name, cookieHeader: cookieHeader) {
            r.affinityCookie = v
        } else if let (_, v) = AffinityCookieNames.first(inCookieHeader: cookieHeader, excluding: plan.attribution.cookieName) {
            recognisedSentCookie[index] = v
        }
        records[index] = r
        let request = dialer.request(cookieHeader: cookieHeader, headers: headers)
        let io = queues[index % queues.count]
        let connection = dialer.connection(id: index, io: io, delegate: delegates[index % queues.count])
        connections[index] = connection
        if reconnect { reconnectInFlight += 1 } else { inFlight += 1 }
        launched += 1
        let dialer = self.dialer
        io.queue.async { dialer.start(connection, request: request, from: source) }
    }

    private func release(client: Int) {
        let key = plan.cookiePolicy == .shared ? 0 : client
        guard key < heldBack.count, !heldBack[key].isEmpty else { return }
        ready.append(contentsOf: heldBack[key])
        heldBack[key] = []
    }

    private func rampDone() {
        guard phase == .ramp else { return }
        phase = .hold
        phaseObserver?(.hold)
        holdStartedAt = Date()
        holdStartMono = MonotonicClock.now()
        pacer?.cancel(); pacer = nil
        ready = []  // every index was launched: release the queue's storage
        readyHead = 0
        log("ramp complete: \(established) established, \(failedCount) failed; holding for \(plan.hold) s")
        if plan.trafficInterval > 0 { startTraffic() }
        // The ramp's transient memory (handshakes in flight) is free now: give it back (HeapTrim).
        DispatchQueue.global(qos: .utility).async { HeapTrim.releaseFreeMemory() }
        let t = DispatchSource.makeTimerSource(queue: control)
        t.schedule(deadline: .now() + max(0, plan.hold))
        t.setEventHandler { [unowned self] in
            guard phase == .hold else { return }
            beginClose()
        }
        t.resume()
        phaseTimer = t
    }

    // MARK: Traffic

    private func startTraffic() {
        let t = DispatchSource.makeTimerSource(queue: control)
        t.schedule(deadline: .now() + plan.trafficInterval, repeating: plan.trafficInterval)
        t.setEventHandler { [unowned self] in
            guard phase == .hold else { return }
            // Connection references are taken here, on the control queue (which owns `connections`),
            // and handed to the I/O queue, which never reads the array.
            var byQueue: [Int: [WSConnection]] = [:]
            for case let c? in connections where records[c.id].status == .open {
                byQueue[c.id % queues.count, default: []].append(c)
            }
            for (q, list) in byQueue {
                let template = plan.trafficMessage, delegate = delegates[q]
                let recs = list.map { (records[$0.id].client, records[$0.id].conn,
                                       records[$0.id].client * plan.connectionsPerClient + records[$0.id].conn) }
                queues[q].queue.async {
                    for (connection, r) in zip(list, recs) {
                        let text = template.replacingOccurrences(of: "{client}", with: String(r.0))
                            .replacingOccurrences(of: "{conn}", with: String(r.1)).replacingOccurrences(of: "{index}", with: String(r.2))
                        delegate.sendTraffic(text, on: connection)
                    }
                }
            }
        }
        t.resume()
        trafficTimer = t
    }

    // MARK: Close

    private func beginClose() {
        if phase == .ramp {
            pacer?.cancel(); pacer = nil
            holdStartedAt = Date()
            // Pending attempts are never started; in-flight ones are cancelled below.
        }
        phase = .close
        phaseObserver?(.close)
        holdEndedAt = Date()
        trafficTimer?.cancel(); trafficTimer = nil
        phaseTimer?.cancel(); phaseTimer = nil
        heldPerPod = [:]
        // Connections still waiting to reconnect were not open when the hold ended.
        for i in records.indices where records[i].status == .reconnecting { records[i].status = .dropped }
        pendingReconnects.removeAll()
        for i in records.indices where records[i].status == .open {
            records[i].status = .held
            heldPerPod[records[i].pod ?? "?", default: 0] += 1
        }
        for case let c? in connections {
            c.io.queue.async { c.close(code: .normalClosure, reason: "wsload run complete") }
        }
        if ended == launched { return finish() }
        let t = DispatchSource.makeTimerSource(queue: control)
        t.schedule(deadline: .now() + plan.closeTimeout + 2)
        t.setEventHandler { [unowned self] in
            // Anything still alive past the close deadline is aborted and accounted for.
            for case let c? in connections {
                c.io.queue.async { c.abort(ConnectionFailure(phase: .close, kind: .timeout, message: "close did not complete in time")) }
            }
        }
        t.resume()
        phaseTimer = t
    }

    private func finish() {
        guard phase != .done else { return }
        phase = .done
        endedAt = Date()
        phaseObserver?(.done)
        phaseTimer?.cancel(); phaseTimer = nil
        progressTimer?.cancel(); progressTimer = nil
        pacer?.cancel(); pacer = nil
        trafficTimer?.cancel(); trafficTimer = nil
        if plan.timelineInterval > 0 && timelineTimer != nil { sampleTimeline() }
        timelineTimer?.cancel(); timelineTimer = nil
        onProgress?(snapshotLocked())
        connections = Array(repeating: nil, count: connections.count)
        finished.signal()
    }

    // MARK: Events from connections (already hopped onto the control queue)

    fileprivate func opened(_ index: Int, pod: (String, AttributionSource, String?)?, receivedCookies: [String], deflate: Bool, tlsResumed: Bool,
                            timeline: ConnectionTimeline, local: SocketAddress?) {
        records[index].tlsResumed = tlsResumed  // of the latest open, first or reconnect
        tlsWarmup = false
        var r = records[index]
        if r.status == .reconnecting || r.status == .dropped {
            reopened(index, pod: pod, timeline: timeline, local: local)
            return
        }
        r.status = phase == .close ? .held : .open
        r.local = local?.description
        if let (name, source, cookie) = pod { r.pod = name; r.podSource = source; if let cookie { r.affinityCookie = cookie } }
        // No header and no new Set-Cookie: the affinity cookie this connection sent names its pod (HAProxy `indirect`).
        else if plan.attribution.cookieName != nil, let sent = r.affinityCookie {
            r.pod = plan.attribution.cookieMap[sent] ?? sent
            r.podSource = .cookie
        } else if let sent = recognisedSentCookie[index] {
            r.affinityCookie = sent
            r.pod = plan.attribution.cookieMap[sent] ?? sent
            r.podSource = .cookie
        }
        // In flight when the run began closing (an interrupted ramp): it is counted with the held ones so the
        // per-pod counts and the totals agree; beginClose already asked it to close.
        if phase == .close { heldPerPod[r.pod ?? "?", default: 0] += 1 }
        if let c = r.affinityCookie { cookieValues.insert(c) }
        r.receivedCookieNames = receivedCookies
        r.deflate = deflate
        r.tcpConnectMs = timeline.tcpConnectSeconds.map { $0 * 1000 }
        r.tlsMs = timeline.tlsSeconds.map { $0 * 1000 }
        r.upgradeMs = timeline.upgradeSeconds.map { $0 * 1000 }
        records[index] = r
        record("tcp-connect", timeline.tcpConnectSeconds)
        record("tls", timeline.tlsSeconds)
        record("upgrade", timeline.upgradeSeconds)
        inFlight -= 1
        established += 1
        openCount += 1
        if r.conn == 0 { release(client: r.client) }
        if phase == .ramp { pace() }
    }

    /// A reconnect attempt completed its handshake: record the disruption and the (possibly new) pod.
    private func reopened(_ index: Int, pod: (String, AttributionSource, String?)?, timeline: ConnectionTimeline, local: SocketAddress?) {
        var r = records[index]
        reconnectInFlight -= 1
        record("upgrade", timeline.upgradeSeconds)
        guard r.status == .reconnecting else { return }  // the run moved on to closing; this attempt is being closed
        let now = MonotonicClock.now()
        if let dropped = dropTimes.removeValue(forKey: index) {
            let ms = Double(now - dropped) / 1e6
            r.disruptionsMs.append(ms)
            record("disruption", ms / 1000)
        }
        if let old = r.pod { r.previousPods.append(old) }
        r.pod = nil
        r.podSource = nil
        if let (name, source, cookie) = pod { r.pod = name; r.podSource = source; if let cookie { r.affinityCookie = cookie; cookieValues.insert(cookie) } }
        else if plan.attribution.cookieName != nil || recognisedSentCookie[index] != nil, let sent = r.affinityCookie ?? recognisedSentCookie[index] {
            r.pod = plan.attribution.cookieMap[sent] ?? sent
            r.podSource = .cookie
        }
        r.local = local?.description ?? r.local
        r.status = .open
        r.reconnects += 1
        reconnectsDone += 1
        openCount += 1
        records[index] = r
    }

    /// Schedules the next reconnect attempt of `index`, or gives up after the policy's retries.
    private func scheduleReconnect(_ index: Int) -> Bool {
        guard let policy = plan.reconnect, phase == .ramp || phase == .hold else { return false }
        let attempt = records[index].reconnectAttempts
        guard attempt < policy.maxRetries else { return false }
        records[index].reconnectAttempts += 1
        records[index].status = .reconnecting
        pendingReconnects.insert(index)
        let delay = policy.delay(attempt: attempt)
        control.asyncAfter(deadline: .now() + delay) { [self] in
            guard pendingReconnects.remove(index) != nil, records[index].status == .reconnecting, phase == .ramp || phase == .hold else { return }
            launch(index, reconnect: true)
        }
        return true
    }

    fileprivate func firstMessage(_ index: Int, pod: String?, seconds: Double?) {
        record("first-message", seconds)
        if let pod, records[index].pod == nil || records[index].podSource == .cookie {
            records[index].pod = pod
            records[index].podSource = .firstMessage
        }
        records[index].firstMessageMs = seconds.map { $0 * 1000 }
    }

    fileprivate func rtt(_ name: String, seconds: Double) { record(name, seconds) }

    fileprivate func ended(_ index: Int, outcome: ConnectionOutcome, timeline: ConnectionTimeline, local: SocketAddress?) {
        var r = records[index]
        ended += 1
        switch r.status {
        case .connecting, .pending:
            inFlight -= 1
            tlsWarmup = false  // the first connection failed: there is no session to wait for
            failedCount += 1
            r.status = .failed
            r.failure = outcome.failure
            r.local = local?.description ?? r.local
            r.tcpConnectMs = timeline.tcpConnectSeconds.map { $0 * 1000 }
            if r.conn == 0 { release(client: r.client) }  // let the client's others try without the cookie
        case .open:
            openCount -= 1
            dropped += 1
            r.status = .dropped
            r.failure = outcome.failure ?? ConnectionFailure(phase: .open, kind: .peerClosed, closeCode: outcomeCode(outcome),
                                                             message: "peer closed the connection during the run (close code \(outcomeCode(outcome).map(String.init) ?? "none"))")
            if let age = ConnectionTimeline.seconds(from: timeline.upgraded, to: timeline.ended) { r.ageAtDropSeconds = age }
            if r.failure?.kind == .pongTimeout, timeline.lastReceived != 0, timeline.ended > timeline.lastReceived {
                r.silentForMsAtDetection = Double(timeline.ended - timeline.lastReceived) / 1e6
                record("half-open-detection", Double(timeline.ended - timeline.lastReceived) / 1e9)
            }
            records[index] = r
            dropTimes[index] = timeline.ended != 0 ? timeline.ended : MonotonicClock.now()
            if scheduleReconnect(index) { r = records[index] }
        case .reconnecting:
            // A reconnect attempt failed before it opened: try again or give up.
            reconnectInFlight -= 1
            r.failure = outcome.failure ?? r.failure
            records[index] = r
            if scheduleReconnect(index) { r = records[index] } else { r.status = .dropped }
        case .held:
            openCount -= 1
            record("close", timeline.closeSeconds)
        default:
            break
        }
        if case .closed(let code, _, _) = outcome { r.peerCloseCode = code?.rawValue }
        records[index] = r
        connections[index] = nil
        if phase == .ramp { pace() } else if phase == .close && ended == launched { finish() }
    }

    private func outcomeCode(_ o: ConnectionOutcome) -> UInt16? {
        if case .closed(let code, _, _) = o { return code?.rawValue }
        return o.failure?.closeCode
    }

    private func record(_ name: String, _ seconds: Double?) {
        guard let seconds else { return }
        if histograms[name] == nil {
            var h = Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
            h.autoResize = true
            histograms[name] = h
        }
        _ = histograms[name]!.record(UInt64(max(1, seconds * 1e6)))
    }

    private func sampleTimeline() {
        guard timeline.count < 100_000 else { return }
        var perPod: [String: Int] = [:]
        for r in records where r.status == .open || (phase == .close && r.status == .held && connections[r.index] != nil) {
            perPod[r.pod ?? "?", default: 0] += 1
        }
        timeline.append(TimelinePoint(t: Date().timeIntervalSince(startedAt), phase: phase.rawValue, open: openCount, established: established,
                                      failed: failedCount, dropped: dropped, reconnects: reconnectsDone, perPod: perPod))
    }

    private func snapshotLocked() -> EngineSnapshot {
        var perPod: [String: Int] = [:]
        for r in records where r.status == .open { perPod[r.pod ?? "?", default: 0] += 1 }
        let holdRemaining: Double? = phase == .hold ? max(0, plan.hold - Double(MonotonicClock.now() - holdStartMono) / 1e9) : nil
        return EngineSnapshot(phase: phase, planned: plan.totalConnections, attempted: launched, established: established, failed: failedCount,
                              dropped: dropped, open: openCount, inFlight: inFlight, openPerPod: perPod,
                              elapsed: Date().timeIntervalSince(startedAt), holdRemaining: holdRemaining)
    }

    private func resultLocked() -> EngineResult {
        EngineResult(records: records, startedAt: startedAt, holdStartedAt: holdStartedAt, holdEndedAt: holdEndedAt, endedAt: endedAt,
                     histograms: histograms, heldPerPod: heldPerPod, warnings: warnings, interrupted: interrupted,
                     distinctCookieValues: cookieValues.count, timeline: timeline)
    }

    fileprivate func hop(_ body: @escaping @Sendable () -> Void) { control.async(execute: body) }
    /// The cookie jar of the connection at `index`; reads only immutable state, so any queue may call it.
    fileprivate func jar(forIndex index: Int) -> CookieJar? {
        switch plan.cookiePolicy {
        case .none, .perConnection: nil
        case .shared: sharedJar
        case .perClient: jars[clientOfSlot[index / plan.connectionsPerClient]]
        }
    }
    fileprivate var attribution: PodAttributor { attributor }
    fileprivate var url: WebSocketURL { plan.url }
}

/// Glue between the ``WSConnection``s of one I/O queue and the engine (on the control queue).
///
/// One per I/O queue rather than one per connection: a connection's index is its `id`, its jar is
/// looked up from immutable engine state, and the only mutable state lives here, confined to the queue.
final class ClientConnectionDelegate: WSConnectionDelegate, @unchecked Sendable {
    unowned let engine: LoadEngine
    /// I/O-queue confined: when each connection's pending traffic message was sent (only with traffic).
    private var trafficSentAt: [Int: UInt64] = [:]

    init(engine: LoadEngine) { self.engine = engine }

    func connectionDidOpen(_ connection: WSConnection, handshake: HandshakeResult) {
        let headers = handshake.head.headers
        let setCookies = headers.values("Set-Cookie")
        if let jar = engine.jar(forIndex: connection.id), !setCookies.isEmpty {
            jar.store(setCookieHeaders: setCookies, host: engine.url.host, requestPath: engine.url.target)
        }
        // The cookie this connection sent is known on the control queue (its record); `opened` falls back to it.
        let pod = engine.attribution.fromHandshake(headers, cookieSent: nil)
        let names = setCookies.compactMap { $0.split(separator: "=", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces) } }
        let deflate = handshake.deflate != nil, resumed = connection.tlsSessionReused
        let timeline = connection.timeline, local = connection.localAddress
        let index = connection.id
        let engine = self.engine
        engine.hop { engine.opened(index, pod: pod, receivedCookies: names, deflate: deflate, tlsResumed: resumed, timeline: timeline, local: local) }
    }

    func connection(_ connection: WSConnection, didReceive message: Message) {
        let now = MonotonicClock.now()
        if connection.timeline.firstMessage == 0 {  // stamped by the connection after this call
            let pod = engine.attribution.rules.usesFirstMessage && message.opcode == .text ? engine.attribution.fromFirstMessage(message.text) : nil
            let seconds = ConnectionTimeline.seconds(from: connection.timeline.upgraded, to: now)
            let index = connection.id, engine = self.engine
            engine.hop { engine.firstMessage(index, pod: pod, seconds: seconds) }
        }
        if !trafficSentAt.isEmpty, let sent = trafficSentAt.removeValue(forKey: connection.id) {
            let rtt = Double(now - sent) / 1e9
            let engine = self.engine
            engine.hop { engine.rtt("echo-rtt", seconds: rtt) }
        }
    }

    func connection(_ connection: WSConnection, didReceivePong payload: [UInt8], rttSeconds: Double?) {
        guard let rttSeconds else { return }
        let engine = self.engine
        engine.hop { engine.rtt("ping-rtt", seconds: rttSeconds) }
    }

    func connectionDidEnd(_ connection: WSConnection, outcome: ConnectionOutcome) {
        if !trafficSentAt.isEmpty { trafficSentAt.removeValue(forKey: connection.id) }
        let timeline = connection.timeline, local = connection.localAddress, index = connection.id, engine = self.engine
        engine.hop { engine.ended(index, outcome: outcome, timeline: timeline, local: local) }
    }

    func sendTraffic(_ text: String, on c: WSConnection) {
        guard c.isOpen else { return }
        if c.send(.text(text)) { trafficSentAt[c.id] = MonotonicClock.now() }
    }
}
