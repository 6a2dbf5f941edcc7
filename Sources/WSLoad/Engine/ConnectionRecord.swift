/// What happened to one connection of a run (the per-connection record of a report).
public struct ConnectionRecord: Sendable, Codable, Equatable {
    /// Where the connection stands or how it ended.
    public enum Status: String, Sendable, Codable {
        /// Not started yet.
        case pending
        /// TCP/TLS/upgrade in progress.
        case connecting
        /// Open.
        case open
        /// Failed before it was established.
        case failed
        /// Established, then ended before the hold ended (dropped by the peer, a proxy or a deadline).
        case dropped
        /// Established and still open when the hold ended, then closed by wsload.
        case held
        /// Dropped during the run; waiting for or attempting a reconnect.
        case reconnecting
    }

    // Stored properties are ordered to pack: a run keeps one record per connection for its whole life
    // (136 bytes; 184 with the one-byte fields spread between the words and `Double?` durations).

    /// Index in the run (0-based).
    public var index: Int
    /// Virtual client index.
    public var client: Int
    /// Index within the client.
    public var conn: Int
    /// The local address the kernel used (`127.0.0.2:40122`).
    public var local: String?
    /// The pod it reached, if attributed.
    public var pod: String?
    /// The affinity cookie value seen (sent or received); a secret, redacted in outputs.
    public var affinityCookie: String?
    /// Names of cookies received with the 101.
    public var receivedCookieNames: [String] = []
    /// TCP connect duration in milliseconds.
    @CompactDuration public var tcpConnectMs: Double? = nil
    /// TLS handshake duration in milliseconds.
    @CompactDuration public var tlsMs: Double? = nil
    /// Upgrade duration (request to 101) in milliseconds.
    @CompactDuration public var upgradeMs: Double? = nil
    /// Time from the 101 to the first message, in milliseconds.
    @CompactDuration public var firstMessageMs: Double? = nil
    /// Current status.
    public var status: Status = .pending
    /// How the pod was learned.
    public var podSource: AttributionSource?
    /// Whether a Cookie header was sent on the upgrade.
    public var sentCookie: Bool = false
    /// Negotiated permessage-deflate.
    public var deflate: Bool = false
    /// The TLS handshake (of the latest open) resumed a cached session instead of a full handshake.
    public var tlsResumed: Bool = false
    /// Close code received from the peer, if any.
    public var peerCloseCode: UInt16?

    /// What only failed, dropped or reconnected connections have, boxed: a held connection pays 8 bytes for it.
    private var rare: RareBox?

    /// Why it failed or dropped.
    public var failure: ConnectionFailure? {
        get { rare?.value.failure }
        set { mutateRare { $0.failure = newValue } }
    }
    /// Successful reconnects after drops.
    public var reconnects: Int {
        get { rare?.value.reconnects ?? 0 }
        set { mutateRare { $0.reconnects = newValue } }
    }
    /// Reconnect attempts made (successful or not).
    public var reconnectAttempts: Int {
        get { rare?.value.reconnectAttempts ?? 0 }
        set { mutateRare { $0.reconnectAttempts = newValue } }
    }
    /// Per reconnect: milliseconds from the drop until the connection was re-established.
    public var disruptionsMs: [Double] {
        get { rare?.value.disruptionsMs ?? [] }
        set { mutateRare { $0.disruptionsMs = newValue } }
    }
    /// Pods this connection was on before each reconnect, oldest first.
    public var previousPods: [String] {
        get { rare?.value.previousPods ?? [] }
        set { mutateRare { $0.previousPods = newValue } }
    }
    /// Times this connection reached its lifetime (`clients.lifetime`), closed cleanly and reopened.
    public var recycles: Int {
        get { rare?.value.recycles ?? 0 }
        set { mutateRare { $0.recycles = newValue } }
    }
    /// The pod this connection was on before each recycle (close after its lifetime, then reopen), oldest first.
    public var recycledFromPods: [String] {
        get { rare?.value.recycledFromPods ?? [] }
        set { mutateRare { $0.recycledFromPods = newValue } }
    }
    /// Connection age in seconds when it was (last) dropped.
    public var ageAtDropSeconds: Double? {
        get { rare?.value.ageAtDropSeconds }
        set { mutateRare { $0.ageAtDropSeconds = newValue } }
    }
    /// For half-open detection: milliseconds without any data from the peer when the pong deadline declared it dead.
    public var silentForMsAtDetection: Double? {
        get { rare?.value.silentForMsAtDetection }
        set { mutateRare { $0.silentForMsAtDetection = newValue } }
    }

    private struct Rare: Sendable, Equatable {
        var failure: ConnectionFailure?
        var reconnects = 0
        var reconnectAttempts = 0
        var disruptionsMs: [Double] = []
        var previousPods: [String] = []
        var recycles = 0
        var recycledFromPods: [String] = []
        var ageAtDropSeconds: Double?
        var silentForMsAtDetection: Double?
    }

    /// Copy-on-write storage for ``Rare`` (records are values; a shared box is copied before a write).
    private final class RareBox: @unchecked Sendable, Equatable {
        var value: Rare
        init(_ value: Rare) { self.value = value }
        static func == (a: RareBox, b: RareBox) -> Bool { a.value == b.value }
    }

    private mutating func mutateRare(_ change: (inout Rare) -> Void) {
        if rare == nil {
            var v = Rare()
            change(&v)
            if v != Rare() { rare = RareBox(v) }
            return
        }
        if !isKnownUniquelyReferenced(&rare) { rare = RareBox(rare!.value) }
        change(&rare!.value)
    }

    private enum CodingKeys: String, CodingKey {
        case index, client, conn, status, local, pod, podSource, affinityCookie, sentCookie, receivedCookieNames, deflate, tlsResumed
        case tcpConnectMs, tlsMs, upgradeMs, firstMessageMs, failure, peerCloseCode, reconnects, reconnectAttempts
        case disruptionsMs, previousPods, ageAtDropSeconds, silentForMsAtDetection, recycles, recycledFromPods
    }

    /// Decodes the flat JSON form (one object per line of connections.jsonl).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        index = try c.decode(Int.self, forKey: .index)
        client = try c.decode(Int.self, forKey: .client)
        conn = try c.decode(Int.self, forKey: .conn)
        status = try c.decodeIfPresent(Status.self, forKey: .status) ?? .pending
        local = try c.decodeIfPresent(String.self, forKey: .local)
        pod = try c.decodeIfPresent(String.self, forKey: .pod)
        podSource = try c.decodeIfPresent(AttributionSource.self, forKey: .podSource)
        affinityCookie = try c.decodeIfPresent(String.self, forKey: .affinityCookie)
        sentCookie = try c.decodeIfPresent(Bool.self, forKey: .sentCookie) ?? false
        receivedCookieNames = try c.decodeIfPresent([String].self, forKey: .receivedCookieNames) ?? []
        deflate = try c.decodeIfPresent(Bool.self, forKey: .deflate) ?? false
        tlsResumed = try c.decodeIfPresent(Bool.self, forKey: .tlsResumed) ?? false
        tcpConnectMs = try c.decodeIfPresent(Double.self, forKey: .tcpConnectMs)
        tlsMs = try c.decodeIfPresent(Double.self, forKey: .tlsMs)
        upgradeMs = try c.decodeIfPresent(Double.self, forKey: .upgradeMs)
        firstMessageMs = try c.decodeIfPresent(Double.self, forKey: .firstMessageMs)
        peerCloseCode = try c.decodeIfPresent(UInt16.self, forKey: .peerCloseCode)
        failure = try c.decodeIfPresent(ConnectionFailure.self, forKey: .failure)
        reconnects = try c.decodeIfPresent(Int.self, forKey: .reconnects) ?? 0
        reconnectAttempts = try c.decodeIfPresent(Int.self, forKey: .reconnectAttempts) ?? 0
        disruptionsMs = try c.decodeIfPresent([Double].self, forKey: .disruptionsMs) ?? []
        previousPods = try c.decodeIfPresent([String].self, forKey: .previousPods) ?? []
        ageAtDropSeconds = try c.decodeIfPresent(Double.self, forKey: .ageAtDropSeconds)
        recycles = try c.decodeIfPresent(Int.self, forKey: .recycles) ?? 0
        recycledFromPods = try c.decodeIfPresent([String].self, forKey: .recycledFromPods) ?? []
        silentForMsAtDetection = try c.decodeIfPresent(Double.self, forKey: .silentForMsAtDetection)
    }

    /// Encodes the flat JSON form; absent optionals are omitted.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(index, forKey: .index)
        try c.encode(client, forKey: .client)
        try c.encode(conn, forKey: .conn)
        try c.encode(status, forKey: .status)
        try c.encodeIfPresent(local, forKey: .local)
        try c.encodeIfPresent(pod, forKey: .pod)
        try c.encodeIfPresent(podSource, forKey: .podSource)
        try c.encodeIfPresent(affinityCookie, forKey: .affinityCookie)
        try c.encode(sentCookie, forKey: .sentCookie)
        try c.encode(receivedCookieNames, forKey: .receivedCookieNames)
        try c.encode(deflate, forKey: .deflate)
        if tlsResumed { try c.encode(tlsResumed, forKey: .tlsResumed) }
        try c.encodeIfPresent(tcpConnectMs, forKey: .tcpConnectMs)
        try c.encodeIfPresent(tlsMs, forKey: .tlsMs)
        try c.encodeIfPresent(upgradeMs, forKey: .upgradeMs)
        try c.encodeIfPresent(firstMessageMs, forKey: .firstMessageMs)
        try c.encodeIfPresent(peerCloseCode, forKey: .peerCloseCode)
        try c.encodeIfPresent(failure, forKey: .failure)
        try c.encode(reconnects, forKey: .reconnects)
        try c.encode(reconnectAttempts, forKey: .reconnectAttempts)
        try c.encode(disruptionsMs, forKey: .disruptionsMs)
        try c.encode(previousPods, forKey: .previousPods)
        try c.encodeIfPresent(ageAtDropSeconds, forKey: .ageAtDropSeconds)
        if recycles > 0 { try c.encode(recycles, forKey: .recycles) }
        if !recycledFromPods.isEmpty { try c.encode(recycledFromPods, forKey: .recycledFromPods) }
        try c.encodeIfPresent(silentForMsAtDetection, forKey: .silentForMsAtDetection)
    }

    /// Creates a pending record.
    public init(index: Int, client: Int, conn: Int) { self.index = index; self.client = client; self.conn = conn }
}

/// A duration in milliseconds that may be absent, stored in 8 bytes (−1 for absent; durations are never
/// negative) instead of the 16 a `Double?` takes in a struct: a run keeps a record per connection.
@propertyWrapper
public struct CompactDuration: Sendable, Equatable {
    private var stored: Double
    /// Wraps `wrappedValue`; negative values are stored as 0.
    public init(wrappedValue: Double?) { stored = wrappedValue.map { max(0, $0) } ?? -1 }
    /// The duration, or nil when absent.
    public var wrappedValue: Double? {
        get { stored < 0 ? nil : stored }
        set { stored = newValue.map { max(0, $0) } ?? -1 }
    }
}
