/// Decides which connection attempts the ramp starts, and when: a token bucket at `ramp.rate`, at most
/// `max_in_flight` handshakes at a time, TLS warm-up, and connections held back until their client's first
/// one has finished (so they carry its cookies).
///
/// A value with no clock and no Dispatch inside: the engine feeds it the time and the attempts' ends, and
/// launches what each event returns (the style of `ConnectionStateMachine` in WSProtocol).
public struct RampPacer: Sendable {
    /// What a ``tick(now:)`` asks for.
    public struct Step: Sendable, Equatable {
        /// Record indices to launch now, in order.
        public var launch: [Int]
        /// Every attempt was launched and has ended (opened or failed): the ramp is over.
        public var rampComplete: Bool
    }

    /// Who waits for whose first connection before starting.
    public enum HoldBack: Sendable, Equatable {
        /// Nobody waits.
        case none
        /// Each client's later connections wait for its own first (per-client cookie jars).
        case perClient
        /// Everyone waits for the run's very first connection (one shared jar).
        case shared
    }

    /// Connections per second (0: as fast as `maxInFlight` allows).
    public let rate: Double
    /// Most handshakes in progress at once.
    public let maxInFlight: Int
    /// First attempts started and not yet opened or failed.
    public private(set) var inFlight = 0
    /// TLS with session resumption: until the first attempt ends, only one runs, so the rest resume its
    /// session (a full handshake costs the server and the client several times a resumed one, and ~4 KB
    /// more memory per held client connection) instead of a first wave of `maxInFlight` full handshakes.
    public private(set) var tlsWarmup: Bool
    private let holdBack: HoldBack
    private var tokens = 0.0
    private var lastTick: UInt64 = 0
    private var ready: [Int]
    private var readyHead = 0
    /// Held-back record indices by client (index 0 for a shared jar).
    private var heldBack: [[Int]]

    /// A pacer over record indices laid out client by client (`slot * connectionsPerClient + conn`, one slot
    /// per entry of `clients`); the launch order interleaves clients (client 0 conn 0, client 1 conn 0, …)
    /// so every client starts early.
    /// - Parameters:
    ///   - clients: the global client numbers of the slots (all clients, or a shard's).
    ///   - clientCount: clients of the whole run (held-back lists are kept by global client number).
    public init(
        clients: [Int], clientCount: Int, connectionsPerClient: Int, holdBack: HoldBack, rate: Double, maxInFlight: Int,
        tlsWarmup: Bool
    ) {
        self.rate = rate
        self.maxInFlight = maxInFlight
        self.tlsWarmup = tlsWarmup
        self.holdBack = holdBack
        var ready: [Int] = []
        var held: [[Int]] = Array(repeating: [], count: clientCount)
        for conn in 0..<connectionsPerClient {
            for (slot, client) in clients.enumerated() {
                let index = slot * connectionsPerClient + conn
                switch holdBack {
                case .none: ready.append(index)
                case .perClient where conn > 0: held[client].append(index)
                case .shared where conn > 0 || client != clients.first: held[0].append(index)
                case .perClient, .shared: ready.append(index)
                }
            }
        }
        self.ready = ready
        heldBack = held
    }

    /// The pacer for a plan: its clients, ramp, `first_connection_first` with a cookie jar, and TLS warm-up
    /// when session resumption is on.
    public init(plan: RunPlan) {
        let holdBack: HoldBack =
            switch plan.cookiePolicy {
            case .perClient where plan.firstConnectionFirst: .perClient
            case .shared where plan.firstConnectionFirst: .shared
            case .perClient, .shared, .none, .perConnection: .none
            }
        self.init(
            clients: plan.clientIndices, clientCount: plan.clients, connectionsPerClient: plan.connectionsPerClient,
            holdBack: holdBack, rate: plan.rate, maxInFlight: plan.maxInFlight,
            tlsWarmup: plan.url.isTLS && plan.tls?.sessionResumption == true)
    }

    /// Starts the bucket's clock (empty: the first tokens accrue from `now`).
    public mutating func start(now: UInt64) { lastTick = now }

    /// Refills the bucket for the time since the last tick (at most 50 ms worth, and at least one token) and
    /// returns the attempts to launch now; each one counts as in flight until ``attemptEnded(client:conn:)``.
    public mutating func tick(now: UInt64) -> Step {
        if rate > 0 {
            tokens = min(tokens + rate * Double(now &- lastTick) / 1e9, max(1, rate * 0.05))
        } else {
            tokens = Double(maxInFlight)
        }
        lastTick = now
        let cap = tlsWarmup ? 1 : maxInFlight
        var launch: [Int] = []
        while tokens >= 1, inFlight < cap, readyHead < ready.count {
            tokens -= 1
            launch.append(ready[readyHead])
            readyHead += 1
            inFlight += 1
        }
        if readyHead > 4096 && readyHead * 2 > ready.count { ready.removeFirst(readyHead); readyHead = 0 }
        return Step(launch: launch, rampComplete: inFlight == 0 && readyHead >= ready.count && heldBack.allSatisfy(\.isEmpty))
    }

    /// A launched first attempt opened or failed: it no longer counts against `maxInFlight`, the TLS warm-up
    /// is over (a session to resume exists, or there is none to wait for), and a client's first connection
    /// releases the connections held back for it (with or without its cookie).
    public mutating func attemptEnded(client: Int, conn: Int) {
        inFlight -= 1
        tlsWarmup = false
        if conn == 0 { release(client: client) }
    }

    /// A reconnect opened (reconnects are not paced): any TLS warm-up is over.
    public mutating func reconnectOpened() { tlsWarmup = false }

    /// The ramp is over: releases the launch queue's storage.
    public mutating func rampEnded() {
        ready = []
        readyHead = 0
    }

    /// Attempts not launched yet (ready or held back).
    public var waiting: Int { ready.count - readyHead + heldBack.reduce(0) { $0 + $1.count } }

    private mutating func release(client: Int) {
        let key = holdBack == .shared ? 0 : client
        guard key < heldBack.count, !heldBack[key].isEmpty else { return }
        ready.append(contentsOf: heldBack[key])
        heldBack[key] = []
    }
}
