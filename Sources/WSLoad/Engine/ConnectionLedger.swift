import WSProtocol

/// The account of every connection of a run: one ``ConnectionRecord`` each, the running counters, the
/// per-pod counts of held connections, pod attribution and the affinity-cookie values seen.
///
/// A value fed by the engine on its control queue; it decides each record's status from the events and
/// says what follows (a client's first attempt ended, a reconnect is due). Every attempted record is failed,
/// dropped, held, open or in progress (``unsettled``); once closing has begun and every launched attempt has
/// ended, `attempted = failed + dropped + held`.
public struct ConnectionLedger: Sendable {
    /// What an ended connection asks of the engine.
    public struct Ended: Sendable, Equatable {
        /// A first attempt ended before it opened: the pacer must hear of it.
        public var attemptOf: (client: Int, conn: Int)?
        /// Seconds until this connection's next reconnect attempt (or its reopen after its lifetime), if one was scheduled.
        public var reconnectAfter: Double?
        /// The connection ended its lifetime: the scheduled attempt is its reopen, not a reconnect after a drop.
        public var recycle = false

        public static func == (a: Ended, b: Ended) -> Bool {
            a.attemptOf?.client == b.attemptOf?.client && a.attemptOf?.conn == b.attemptOf?.conn && a.reconnectAfter == b.reconnectAfter
                && a.recycle == b.recycle
        }
    }

    /// One record per connection, by index.
    public private(set) var records: [ConnectionRecord]
    /// Attempts launched (first attempts and reconnects).
    public private(set) var launched = 0
    /// First attempts that opened.
    public private(set) var established = 0
    /// First attempts that failed.
    public private(set) var failed = 0
    /// Open connections that ended during the run.
    public private(set) var dropped = 0
    /// Launched attempts that have ended (the run may finish closing once `ended == launched`).
    public private(set) var ended = 0
    /// Connections open now (held ones included until they end).
    public private(set) var open = 0
    /// Reconnects that opened.
    public private(set) var reconnectsDone = 0
    /// Reopens after a connection's lifetime that opened (`clients.lifetime`).
    public private(set) var recycled = 0
    /// Held connections per pod when the hold ended (unattributed under `"?"`).
    public private(set) var heldPerPod: [String: Int] = [:]
    /// Open connections per pod, kept in step with every change of a record's status or pod (``store(_:at:)``), so
    /// progress and the timeline read it in O(pods): counting the records four times a second in each of 51 workers
    /// holding 19 600 connections each cost ~1.5 ms a count.
    private var openByPod: [String: Int] = [:]
    /// Distinct affinity-cookie values sent or received.
    public private(set) var cookieValues = Set<String>()
    private let rules: AttributionRules
    /// A recognised (not configured) affinity cookie each connection sent from its jar, by record index: used
    /// for attribution only when nothing else names the pod (HAProxy `indirect` sends no new Set-Cookie).
    private var recognisedSentCookie: [Int: String] = [:]
    /// When each dropped connection dropped (monotonic ns), until it reopens.
    private var dropTimes: [Int: UInt64] = [:]
    private var pendingReconnects = Set<Int>()
    /// Records closed after their lifetime whose reopen is waiting or under way (their status is `reconnecting`).
    private var recycling = Set<Int>()

    /// A ledger for `connectionsPerClient` records per client of `clients` (global client numbers), in slot order.
    public init(clients: [Int], connectionsPerClient: Int, rules: AttributionRules) {
        var recs: [ConnectionRecord] = []
        recs.reserveCapacity(clients.count * connectionsPerClient)
        for client in clients {
            for conn in 0..<connectionsPerClient { recs.append(ConnectionRecord(index: recs.count, client: client, conn: conn)) }
        }
        records = recs
        self.rules = rules
    }

    /// Records in flight: connecting or reconnecting.
    public var unsettled: Int { records.reduce(0) { $0 + ($1.status == .connecting || $1.status == .reconnecting ? 1 : 0) } }

    /// Open connections per pod now (unattributed under `"?"`; a pod with none is absent).
    public func openPerPod() -> [String: Int] { openByPod }

    /// Writes record `index`, moving its count in ``openPerPod()`` when it opens, ends or changes pod while open.
    private mutating func store(_ r: ConnectionRecord, at index: Int) {
        let old = records[index]
        if old.status == .open, r.status != .open || old.pod != r.pod { countOpen(old.pod, -1) }
        if r.status == .open, old.status != .open || old.pod != r.pod { countOpen(r.pod, 1) }
        records[index] = r
    }

    private mutating func countOpen(_ pod: String?, _ delta: Int) {
        let key = pod ?? "?"
        let n = openByPod[key, default: 0] + delta
        if n > 0 { openByPod[key] = n } else { openByPod.removeValue(forKey: key) }
    }

    // MARK: Events

    /// An attempt starts with `cookieHeader` (nil: none): a first attempt or a reconnect.
    public mutating func launched(_ index: Int, reconnect: Bool, cookieHeader: String?, sentJarCookie: Bool) {
        var r = records[index]
        r.status = reconnect ? .reconnecting : .connecting
        r.sentCookie = sentJarCookie
        if let name = rules.cookieName, let v = PodAttributor.cookieValue(named: name, cookieHeader: cookieHeader) {
            r.affinityCookie = v
        } else if let (_, v) = AffinityCookieNames.first(inCookieHeader: cookieHeader, excluding: rules.cookieName) {
            recognisedSentCookie[index] = v
        }
        store(r, at: index)
        launched += 1
    }

    /// A handshake completed. A first attempt opens (or is held at once when the run is `closing`), a reconnect
    /// reopens; both are attributed by ``attribute(_:index:pod:)``. Returns the client and connection number
    /// of a first attempt (for the pacer), nil for a reconnect.
    public mutating func opened(
        _ index: Int, pod: (String, AttributionSource, String?)?, receivedCookies: [String], deflate: Bool,
        tlsResumed: Bool, timeline: ConnectionTimeline, local: SocketAddress?, closing: Bool, now: UInt64,
        recorder: inout RunRecorder
    ) -> (client: Int, conn: Int)? {
        records[index].tlsResumed = tlsResumed  // of the latest open, first or reconnect
        var r = records[index]
        if r.status == .reconnecting || r.status == .dropped {
            reopened(index, pod: pod, timeline: timeline, local: local, now: now, recorder: &recorder)
            return nil
        }
        r.status = closing ? .held : .open
        r.local = local?.description
        attribute(&r, index: index, pod: pod)
        // In flight when the run began closing (an interrupted ramp): it is counted with the held ones so the
        // per-pod counts and the totals agree; the engine already asked it to close.
        if closing { heldPerPod[r.pod ?? "?", default: 0] += 1 }
        r.receivedCookieNames = receivedCookies
        r.deflate = deflate
        r.tcpConnectMs = timeline.tcpConnectSeconds.map { $0 * 1000 }
        r.tlsMs = timeline.tlsSeconds.map { $0 * 1000 }
        r.upgradeMs = timeline.upgradeSeconds.map { $0 * 1000 }
        store(r, at: index)
        recorder.record("tcp-connect", timeline.tcpConnectSeconds)
        recorder.record("tls", timeline.tlsSeconds)
        recorder.record("upgrade", timeline.upgradeSeconds)
        established += 1
        open += 1
        return (r.client, r.conn)
    }

    /// A reconnect attempt completed its handshake: record the disruption and the (possibly new) pod.
    private mutating func reopened(
        _ index: Int, pod: (String, AttributionSource, String?)?, timeline: ConnectionTimeline,
        local: SocketAddress?, now: UInt64, recorder: inout RunRecorder
    ) {
        var r = records[index]
        recorder.record("upgrade", timeline.upgradeSeconds)
        guard r.status == .reconnecting else { return }  // the run moved on to closing; this attempt is being closed
        if recycling.remove(index) != nil {
            // A reopen after the connection's lifetime: attributed again like a first open; not a reconnect.
            if let old = r.pod { r.recycledFromPods.append(old) }
            r.pod = nil
            r.podSource = nil
            attribute(&r, index: index, pod: pod)
            r.local = local?.description ?? r.local
            r.status = .open
            r.recycles += 1
            recycled += 1
            open += 1
            store(r, at: index)
            return
        }
        if let dropped = dropTimes.removeValue(forKey: index) {
            let ms = Double(now &- dropped) / 1e6
            r.disruptionsMs.append(ms)
            recorder.record("disruption", ms / 1000)
        }
        if let old = r.pod { r.previousPods.append(old) }
        r.pod = nil
        r.podSource = nil
        attribute(&r, index: index, pod: pod)
        r.local = local?.description ?? r.local
        r.status = .open
        r.reconnects += 1
        reconnectsDone += 1
        open += 1
        store(r, at: index)
    }

    /// The one attribution of an open or a reopen: the pod the 101 named (header or cookie, with the affinity
    /// cookie it set); else, with a configured affinity cookie, the one this connection sent (HAProxy
    /// `indirect` sends no new Set-Cookie); else a recognised balancer cookie it sent. The affinity cookie
    /// kept on the record counts as a value seen.
    private mutating func attribute(_ r: inout ConnectionRecord, index: Int, pod: (String, AttributionSource, String?)?) {
        if let (name, source, cookie) = pod {
            r.pod = name
            r.podSource = source
            if let cookie { r.affinityCookie = cookie }
        } else if rules.cookieName != nil, let sent = r.affinityCookie {
            r.pod = rules.cookieMap[sent] ?? sent
            r.podSource = .cookie
        } else if let sent = recognisedSentCookie[index] {
            r.affinityCookie = sent
            r.pod = rules.cookieMap[sent] ?? sent
            r.podSource = .cookie
        }
        if let c = r.affinityCookie { cookieValues.insert(c) }
    }

    /// The first message arrived; a pod it names wins over none or a cookie's.
    public mutating func firstMessage(_ index: Int, pod: String?, seconds: Double?) {
        if let pod, records[index].pod == nil || records[index].podSource == .cookie {
            var r = records[index]
            r.pod = pod
            r.podSource = .firstMessage
            store(r, at: index)
        }
        records[index].firstMessageMs = seconds.map { $0 * 1000 }
    }

    /// A connection ended (`now` in monotonic ns, used when the timeline has no end). `reconnect` is the policy
    /// to apply to a drop, nil when the run no longer reconnects. `reopenAfter` is set when the connection closed
    /// itself at the end of its lifetime and may reopen (during the ramp or the hold): the delay before it does.
    public mutating func ended(
        _ index: Int, outcome: ConnectionOutcome, timeline: ConnectionTimeline, local: SocketAddress?,
        reconnect: ReconnectPolicy?, reopenAfter: Double? = nil, now: UInt64, recorder: inout RunRecorder
    ) -> Ended {
        var r = records[index]
        var result = Ended(attemptOf: nil, reconnectAfter: nil)
        ended += 1
        switch r.status {
        case .open where reopenAfter != nil:
            // Its lifetime ended (a clean close by wsload): not a drop, not a failure; it reopens from the same client.
            open -= 1
            r.status = .reconnecting
            recycling.insert(index)
            pendingReconnects.insert(index)
            result.reconnectAfter = reopenAfter
            result.recycle = true
        case .reconnecting where recycling.contains(index):
            // The reopen after its lifetime failed before it opened: the connection is lost unless `reconnect:` brings it back.
            recycling.remove(index)
            dropped += 1
            let cause = outcome.failure
            r.failure = ConnectionFailure(
                phase: cause?.phase ?? .open, kind: cause?.kind ?? .peerClosed, errno: cause?.errno, httpStatus: cause?.httpStatus,
                closeCode: cause?.closeCode,
                message: "the reopen after its connection lifetime failed: \(cause?.message ?? "the connection ended before it opened")",
                reason: cause?.reason)
            dropTimes[index] = now
            result.reconnectAfter = scheduleReconnect(&r, index: index, policy: reconnect)
            if result.reconnectAfter == nil { r.status = .dropped }
        case .connecting, .pending:
            failed += 1
            r.status = .failed
            r.failure = outcome.failure
            r.local = local?.description ?? r.local
            r.tcpConnectMs = timeline.tcpConnectSeconds.map { $0 * 1000 }
            result.attemptOf = (r.client, r.conn)
        case .open:
            open -= 1
            dropped += 1
            r.status = .dropped
            let code = Self.closeCode(outcome)
            r.failure =
                outcome.failure
                ?? ConnectionFailure(
                    phase: .open, kind: .peerClosed, closeCode: code,
                    message: "peer closed the connection during the run (close code \(code.map(String.init) ?? "none"))")
            if let age = ConnectionTimeline.seconds(from: timeline.upgraded, to: timeline.ended) { r.ageAtDropSeconds = age }
            if r.failure?.kind == .pongTimeout, timeline.lastReceived != 0, timeline.ended > timeline.lastReceived {
                r.silentForMsAtDetection = Double(timeline.ended - timeline.lastReceived) / 1e6
                recorder.record("half-open-detection", Double(timeline.ended - timeline.lastReceived) / 1e9)
            }
            dropTimes[index] = timeline.ended != 0 ? timeline.ended : now
            result.reconnectAfter = scheduleReconnect(&r, index: index, policy: reconnect)
        case .reconnecting:
            // A reconnect attempt failed before it opened: try again or give up.
            r.failure = outcome.failure ?? r.failure
            result.reconnectAfter = scheduleReconnect(&r, index: index, policy: reconnect)
            if result.reconnectAfter == nil { r.status = .dropped }
        case .held:
            open -= 1
            recorder.record("close", timeline.closeSeconds)
        case .failed, .dropped:
            break
        }
        if case .closed(let code, _, _) = outcome { r.peerCloseCode = code?.rawValue }
        store(r, at: index)
        return result
    }

    /// The delay before the next reconnect of a dropped connection, or nil once the policy's retries are spent.
    private mutating func scheduleReconnect(_ r: inout ConnectionRecord, index: Int, policy: ReconnectPolicy?) -> Double? {
        guard let policy else { return nil }
        let attempt = r.reconnectAttempts
        guard attempt < policy.maxRetries else { return nil }
        r.reconnectAttempts += 1
        r.status = .reconnecting
        pendingReconnects.insert(index)
        return policy.delay(attempt: attempt)
    }

    /// A scheduled reconnect is due: true if it should be launched (still waiting, not given up by closing).
    public mutating func reconnectDue(_ index: Int) -> Bool {
        pendingReconnects.remove(index) != nil && records[index].status == .reconnecting
    }

    /// The hold ended (or the run was stopped): open connections become held and are counted per pod;
    /// connections still waiting to reconnect were not open when the hold ended and count as dropped.
    public mutating func beginClose() {
        heldPerPod = [:]
        for i in recycling {
            // Closed after its lifetime, its reopen not done when the hold ended (rare: a life is only ended when
            // its reopen fits in the hold): not held, so lost — and said why.
            dropped += 1
            records[i].failure = ConnectionFailure(
                phase: .open, kind: .cancelled, message: "its reopen after the connection lifetime had not completed when the hold ended")
        }
        recycling.removeAll()
        for i in records.indices where records[i].status == .reconnecting { records[i].status = .dropped }
        pendingReconnects.removeAll()
        for i in records.indices where records[i].status == .open {
            records[i].status = .held
            heldPerPod[records[i].pod ?? "?", default: 0] += 1
        }
        openByPod = [:]  // every open connection is held now
    }

    private static func closeCode(_ o: ConnectionOutcome) -> UInt16? {
        if case .closed(let code, _, _) = o { return code?.rawValue }
        return o.failure?.closeCode
    }
}
