import Dispatch
import Foundation
import Logging
import WSProtocol

/// Runs a ``RunPlan``: ramps connections up at a controlled rate from virtual clients, holds them,
/// optionally sends traffic, then closes them, accounting for every attempt.
///
/// Glue over small parts: ``RampPacer`` (what to launch when), ``RunPhases`` (ramp → hold → close → done),
/// ``ConnectionLedger`` (records, counters, attribution), ``TrafficScheduler``, ``RunRecorder`` (histograms,
/// timeline, snapshots), ``CookieJars`` and the ``Dialer``. The engine owns the queues and the timers.
///
/// Threading: run state lives on one serial control queue; connections live on a few I/O queues and
/// report to the control queue with small asynchronous hops (never per frame).
public final class LoadEngine: @unchecked Sendable {
    /// The plan.
    public let plan: RunPlan
    private let dialer: Dialer
    /// Read from the I/O queues (immutable).
    let attributor: PodAttributor
    /// Read from the I/O queues (immutable; the jars are thread-safe).
    let jars: CookieJars
    private let queues: [IOQueue]
    private let control = DispatchQueue(label: "wsload.control")
    /// Handshake nonces for the connections launched on the control queue (confined to it): a ChaCha20 stream keyed
    /// once, not two `getrandom(2)` calls per connection.
    private let nonces = KeyStream()
    private let finished = DispatchSemaphore(value: 0)
    private let logger: Logger
    private let traffic: TrafficScheduler

    // Control-queue state.
    private var pacer: RampPacer
    private var phases = RunPhases()
    private var ledger: ConnectionLedger
    private var recorder = RunRecorder()
    private var warnings: [String] = []
    /// The live connection of each record (nil before launch and after it ended).
    private var connections: [WSConnection?]
    /// One delegate per I/O queue (not one object per connection: ~80 B less per held connection).
    private lazy var delegates: [ClientConnectionDelegate] = queues.map { _ in ClientConnectionDelegate(engine: self) }
    private var pacerTimer: (any DispatchSourceTimer)?, phaseTimer: (any DispatchSourceTimer)?, trafficTimer: (any DispatchSourceTimer)?
    private var progressTimer: (any DispatchSourceTimer)?, timelineTimer: (any DispatchSourceTimer)?
    private var onProgress: (@Sendable (EngineSnapshot) -> Void)?
    /// Told each phase as it begins, on the control queue: `.ramp` just before the first connection attempt,
    /// `.hold` when every connection is up, `.close` before the first close is sent, `.done` at the end.
    /// Server-log followers use it to stamp each line with the phase it arrived in. Set before ``run(progressInterval:progress:)``.
    public var phaseObserver: (@Sendable (EngineSnapshot.Phase) -> Void)?
    /// How long a run set to ``awaitRelease(timeout:)`` waits for ``release()`` before it starts its hold anyway.
    private var releaseTimeout: Double = 0

    /// Resolves the target, checks the plan against resources and prepares virtual clients.
    public init(plan: RunPlan, logger: Logger = .discarding) throws {
        self.plan = plan
        self.logger = logger
        // Resolved in the sources' family (a source of another family is an error before anything connects).
        dialer = try Dialer(plan: plan)
        // Before anything connects: an unbindable source would fail every one of its connections (EADDRNOTAVAIL).
        let unbindable = SourceAddressCheck.unbindable(plan.sources)
        if let first = unbindable.first {
            throw PlanError(
                "\(unbindable.count) source address\(unbindable.count == 1 ? "" : "es") cannot be bound on this machine "
                    + "(first: \(first)); add each with `\(Profile.addCommand(first.address))` or a block with an AnyIP route "
                    + "(`ip route add local NET/PREFIX dev lo`)")
        }
        warnings = try ResourceBudget.current().check(plan)
        attributor = try PodAttributor(rules: plan.attribution)
        queues = (0..<max(1, plan.ioQueues)).map { IOQueue(label: "wsload.io.\($0)") }
        jars = CookieJars(plan: plan)
        traffic = TrafficScheduler(plan: plan)
        pacer = RampPacer(plan: plan)  // clients interleaved (client 0 conn 0, client 1 conn 0, …); client numbers stay global
        ledger = ConnectionLedger(clients: plan.clientIndices, connectionsPerClient: plan.connectionsPerClient, rules: plan.attribution)
        connections = Array(repeating: nil, count: ledger.records.count)
    }

    /// Runs to completion (or until ``stop()``), calling `progress` every `progressInterval` seconds
    /// on a background queue. Blocks the calling thread.
    public func run(progressInterval: Double = 1, progress: (@Sendable (EngineSnapshot) -> Void)? = nil) -> EngineResult {
        if let warning = jars.fill(plan: plan, logger: logger) { control.sync { warnings.append(warning) } }
        control.async { [self] in
            onProgress = progress
            // A stop() that arrived while pre-flights ran has already finished the run: start no timers.
            perform(phases.start(), progressInterval: progressInterval)
        }
        finished.wait()
        // Every connection has ended and finish() let go of them; what still keeps one alive is its last deadline's
        // entry in its queue's wheel (for up to a revolution). Drop those, then give the freed memory — scattered in
        // the I/O threads' arenas, where the report's allocations on this thread would not reuse it — back, so
        // building the report does not raise the process's peak (issue 14: RSS rise after the hold).
        for io in queues { io.queue.sync { io.wheel.dropStale() } }
        HeapTrim.releaseFreeMemory()
        return control.sync { EngineResult(ledger: ledger, recorder: recorder, warnings: warnings, interrupted: phases.interrupted) }
    }

    /// Stops the run early: no new connections, open ones are closed, the result is complete for what happened.
    public func stop() {
        control.async { [self] in
            let actions = phases.stop()
            if !actions.isEmpty { logger.notice("interrupted: closing \(ledger.open) open connections") }
            perform(actions)
        }
    }

    /// Makes the hold wait for ``release()`` (a worker of a split run, so every worker holds at the same time):
    /// when the ramp ends the connections stay open and traffic starts, but the hold timer starts only at the
    /// release — or, bounded, `timeout` seconds later with a warning in the result. Call before ``run(progressInterval:progress:)``.
    public func awaitRelease(timeout: Double) {
        control.sync {
            guard !phases.hasStarted else { return }
            phases = RunPhases(holdAwaitsRelease: true)
            releaseTimeout = max(0, timeout)
        }
    }

    /// Starts the hold of a run that waits for it (thread-safe; any time: before the ramp ends, the hold starts with it).
    public func release() { control.async { [self] in perform(phases.release()) } }

    /// Entries left in the I/O queues' timer wheels (tests: none once ``run(progressInterval:progress:)`` returned).
    var wheelEntries: Int { queues.reduce(0) { n, io in n + io.queue.sync { io.wheel.count } } }

    /// A snapshot of the run (thread-safe).
    public func snapshot() -> EngineSnapshot { control.sync { snapshotLocked() } }

    /// Per-pod counts and handshake histograms for a metrics scrape (`run --metrics-listen`), taken on the control queue.
    public func liveMetrics() -> EngineLiveMetrics {
        control.sync {
            var m = EngineLiveMetrics(
                phase: phases.phase, planned: plan.totalConnections, attempted: ledger.launched, established: ledger.established)
            for r in ledger.records {
                let pod = r.pod ?? EngineLiveMetrics.unknownPod
                switch r.status {
                case .open: m.openPerPod[pod, default: 0] += 1
                case .failed: m.failedPerPod[pod, default: 0] += 1
                case .dropped: m.droppedPerPod[pod, default: 0] += 1
                default: break
                }
            }
            for name in ["tcp-connect", "tls", "upgrade"] { m.handshakes[name] = recorder.histograms[name] }
            return m
        }
    }

    // MARK: Phases

    private func perform(_ actions: [RunPhases.Action], progressInterval: Double = 0) {
        for action in actions {
            switch action {
            case .notify(let phase): phaseObserver?(phase)
            case .startRamp: startRamp(progressInterval: progressInterval)
            case .stopRamp:
                pacerTimer?.cancel(); pacerTimer = nil
                recorder.holdStartedAt = Date()  // pending attempts are never started; in-flight ones are closed
            case .startHold: startHold()
            case .awaitRelease: awaitRelease()
            case .startHoldTimer: startHoldTimer()
            case .beginClose: beginClose()
            case .finish: finish()
            }
        }
    }

    private func startRamp(progressInterval: Double) {
        recorder.startedAt = Date()
        pacer.start(now: MonotonicClock.now())
        for w in warnings { logger.warning("warning: \(w)") }
        pacerTimer = timer(repeating: 0.005, leeway: .milliseconds(1)) { $0.pace() }
        if plan.timelineInterval > 0 {
            timelineTimer = timer(repeating: plan.timelineInterval, leeway: .milliseconds(10)) { $0.sampleTimeline() }
        }
        if onProgress != nil, progressInterval > 0 {
            progressTimer = timer(after: progressInterval, repeating: progressInterval) { $0.onProgress?($0.snapshotLocked()) }
        }
    }

    private func startHold() {
        recorder.holdStartedAt = Date()
        recorder.holdStartMono = MonotonicClock.now()
        pacerTimer?.cancel(); pacerTimer = nil
        pacer.rampEnded()  // every index was launched: release the queue's storage
        let next = phases.awaitingRelease ? "waiting for the other workers' ramps before the \(plan.hold) s hold" : "holding for \(plan.hold) s"
        logger.info("ramp complete: \(ledger.established) established, \(ledger.failed) failed; \(next)")
        if traffic.isEnabled {
            trafficTimer = timer(after: traffic.interval, repeating: traffic.interval) { $0.sendTraffic() }
        }
        // The ramp's transient memory (handshakes in flight) is free now: give it back (HeapTrim).
        DispatchQueue.global(qos: .utility).async { HeapTrim.releaseFreeMemory() }
    }

    /// Bounded wait for ``release()``: past `releaseTimeout` the hold starts anyway, and the result says so.
    private func awaitRelease() {
        let timeout = releaseTimeout
        phaseTimer = timer(after: timeout) { engine in
            let actions = engine.phases.release()
            guard !actions.isEmpty else { return }
            let warning =
                "this worker started its hold without the parent's release, \(Int(timeout.rounded())) s after its ramp ended: "
                + "its connections may not have been held together with the other workers'"
            engine.warnings.append(warning)
            engine.logger.warning("warning: \(warning)")
            engine.perform(actions)
        }
    }

    /// The planned hold begins: its timer, and the hold's start for the report and the lifetimes.
    private func startHoldTimer() {
        phaseTimer?.cancel()
        recorder.holdStartedAt = Date()
        recorder.holdStartMono = MonotonicClock.now()
        phaseTimer = timer(after: max(0, plan.hold)) { $0.perform($0.phases.holdElapsed()) }
    }

    private func beginClose() {
        recorder.holdEndedAt = Date()
        trafficTimer?.cancel(); trafficTimer = nil
        phaseTimer?.cancel(); phaseTimer = nil
        ledger.beginClose()
        // One block per 256 connections of an I/O queue, not one per connection: at 15 000 connections the
        // blocks of a close-everything moment were ~2.4 MB of the run's peak (issue 14), and each is a hop.
        for batch in Self.batches(connections, size: 256, by: { ObjectIdentifier($0.io) }) {
            batch[0].io.queue.async { for c in batch { c.close(code: .normalClosure, reason: "wsload run complete") } }
        }
        if ledger.ended == ledger.launched { return perform(phases.allEnded()) }
        phaseTimer = timer(after: plan.closeTimeout + 2) { engine in
            // Anything still alive past the close deadline is aborted and accounted for.
            for case let c? in engine.connections {
                c.io.queue.async { c.abort(ConnectionFailure(phase: .close, kind: .timeout, message: "close did not complete in time")) }
            }
        }
    }

    /// The non-nil `items` grouped by `key` (groups in order of first appearance, items in order), each group cut
    /// into batches of at most `size`.
    static func batches<T, K: Hashable>(_ items: [T?], size: Int, by key: (T) -> K) -> [[T]] {
        // Batches are filled directly, not cut from a copy of each whole group afterwards: at the end of a run every
        // connection passes through here, and those copies were new pages at the run's peak.
        let size = max(1, size)
        var order: [K] = []
        var filling: [K: [T]] = [:]
        var full: [K: [[T]]] = [:]
        for case let item? in items {
            let k = key(item)
            if filling[k] == nil {
                if full[k] == nil { order.append(k); full[k] = [] }
                filling[k] = []
                filling[k]!.reserveCapacity(size)
            }
            filling[k]!.append(item)
            if filling[k]!.count == size { full[k]!.append(filling.removeValue(forKey: k)!) }
        }
        return order.flatMap { k in full[k]! + (filling[k].map { [$0] } ?? []) }
    }

    private func finish() {
        recorder.endedAt = Date()
        phaseTimer?.cancel(); phaseTimer = nil
        progressTimer?.cancel(); progressTimer = nil
        pacerTimer?.cancel(); pacerTimer = nil
        trafficTimer?.cancel(); trafficTimer = nil
        if plan.timelineInterval > 0 && timelineTimer != nil { sampleTimeline() }
        timelineTimer?.cancel(); timelineTimer = nil
        onProgress?(snapshotLocked())
        // Released in place: a fresh array of nils would be the run's last new pages (120 KB at 15 000).
        for i in connections.indices { connections[i] = nil }
        finished.signal()
    }

    // MARK: Ramp, traffic, timers

    private func pace() {
        guard phases.phase == .ramp else { return }
        let step = pacer.tick(now: MonotonicClock.now())
        for index in step.launch { launch(index) }
        if step.rampComplete { perform(phases.rampCompleted()) }
    }

    private func launch(_ index: Int, reconnect: Bool = false) {
        let r = ledger.records[index]
        let source = plan.source(ofClient: r.client)
        let jarCookies = jars.jar(forIndex: index)?.header(host: plan.url.host, path: plan.url.target, secure: plan.url.isTLS)
        var headers = HTTPHeaders(plan.headers)
        let sourceText = source?.ip ?? ""
        for t in plan.headerTemplates {
            headers.add(t.name, t.render(client: r.client, conn: r.conn, index: r.client * plan.connectionsPerClient + r.conn, source: sourceText))
        }
        // One Cookie header: the profile's cookies, then the jar's (the jar wins on a repeated name).
        let cookieHeader = CookieHeader.merge(profile: headers.values("Cookie"), jar: jarCookies)
        headers.remove("Cookie")
        ledger.launched(index, reconnect: reconnect, cookieHeader: cookieHeader, sentJarCookie: jarCookies != nil)
        let request = dialer.request(cookieHeader: cookieHeader, headers: headers, keys: nonces)
        let io = queues[index % queues.count]
        let connection = dialer.connection(id: index, io: io, delegate: delegates[index % queues.count])
        connections[index] = connection
        let dialer = self.dialer
        io.queue.async { dialer.start(connection, request: request, from: source) }
    }

    private func sendTraffic() {
        guard phases.phase == .hold else { return }
        // Connection references are taken here, on the control queue (which owns `connections`),
        // and handed to the I/O queue, which never reads the array.
        for (q, due) in traffic.due(connections: connections, records: ledger.records, queues: queues.count) {
            let traffic = self.traffic, delegate = delegates[q]
            queues[q].queue.async {
                for d in due { delegate.sendTraffic(traffic.message(client: d.client, conn: d.conn), on: d.connection) }
            }
        }
    }

    private func sampleTimeline() {
        recorder.sampleTimeline(at: Date(), phase: phases.phase, ledger: ledger) { connections[$0] != nil }
    }

    private func snapshotLocked() -> EngineSnapshot {
        recorder.snapshot(
            phase: phases.phase, planned: plan.totalConnections, ledger: ledger, inFlight: pacer.inFlight, hold: plan.hold,
            now: Date(), nowMono: MonotonicClock.now(), awaitingRelease: phases.awaitingRelease)
    }

    /// A control-queue timer that calls `body` after `after` seconds, then every `repeating` (nil: once).
    private func timer(
        after: Double = 0, repeating: Double? = nil, leeway: DispatchTimeInterval = .nanoseconds(0),
        _ body: @escaping (LoadEngine) -> Void
    ) -> any DispatchSourceTimer {
        let t = DispatchSource.makeTimerSource(queue: control)
        if let repeating {
            t.schedule(deadline: .now() + after, repeating: repeating, leeway: leeway)
        } else {
            t.schedule(deadline: .now() + after, leeway: leeway)
        }
        t.setEventHandler { [unowned self] in body(self) }
        t.resume()
        return t
    }

    // MARK: Events from connections (already hopped onto the control queue)

    func opened(
        _ index: Int, pod: (String, AttributionSource, String?)?, receivedCookies: [String], deflate: Bool, tlsResumed: Bool,
        timeline: ConnectionTimeline, local: SocketAddress?
    ) {
        let first = ledger.opened(
            index, pod: pod, receivedCookies: receivedCookies, deflate: deflate, tlsResumed: tlsResumed,
            timeline: timeline, local: local, closing: phases.phase == .close, now: MonotonicClock.now(),
            recorder: &recorder)
        if let first { pacer.attemptEnded(client: first.client, conn: first.conn) } else { pacer.reconnectOpened() }
        armLifetime(index)
        if first != nil, phases.phase == .ramp { pace() }
    }

    /// With `clients.lifetime`, gives a connection that just opened (first open, reopen or reconnect) its drawn age
    /// on its I/O queue's timer wheel — unless that life (plus the reopen delay) would not end within the hold.
    private func armLifetime(_ index: Int) {
        guard let lifetime = plan.lifetime, phases.acceptsReconnects, ledger.records[index].status == .open,
            let connection = connections[index]
        else { return }
        let r = ledger.records[index]
        let age = lifetime.draw(index: r.client * plan.connectionsPerClient + r.conn, life: r.recycles)
        let remaining =
            phases.phase == .hold && !phases.awaitingRelease
            ? plan.hold - Double(MonotonicClock.now() &- recorder.holdStartMono) / 1e9 : plan.hold
        guard lifetime.endsWithinHold(age: age, remaining: remaining) else { return }
        connection.io.queue.async { connection.expire(after: age) }
    }

    func firstMessage(_ index: Int, pod: String?, seconds: Double?) {
        recorder.record("first-message", seconds)
        ledger.firstMessage(index, pod: pod, seconds: seconds)
    }

    func rtt(_ name: String, seconds: Double) { recorder.record(name, seconds) }

    func ended(_ index: Int, outcome: ConnectionOutcome, timeline: ConnectionTimeline, local: SocketAddress?, lifetimeEnded: Bool = false) {
        let accepts = phases.acceptsReconnects
        let next = ledger.ended(
            index, outcome: outcome, timeline: timeline, local: local, reconnect: accepts ? plan.reconnect : nil,
            reopenAfter: lifetimeEnded && accepts ? (plan.lifetime?.reopenDelay ?? 0) : nil, now: MonotonicClock.now(), recorder: &recorder)
        if let attempt = next.attemptOf { pacer.attemptEnded(client: attempt.client, conn: attempt.conn) }
        if let delay = next.reconnectAfter {
            control.asyncAfter(deadline: .now() + delay) { [self] in
                guard ledger.reconnectDue(index), phases.acceptsReconnects else { return }
                launch(index, reconnect: true)
            }
        }
        connections[index] = nil
        if phases.phase == .ramp { pace() } else if phases.phase == .close && ledger.ended == ledger.launched { perform(phases.allEnded()) }
    }

    func hop(_ body: @escaping @Sendable () -> Void) { control.async(execute: body) }
    var url: WebSocketURL { plan.url }
}
