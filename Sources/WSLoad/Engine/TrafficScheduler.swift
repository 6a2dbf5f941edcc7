/// When and what each open connection sends during the hold: every `traffic.interval` seconds one text
/// message from the `traffic.message` template (placeholders `{client}`, `{conn}`, `{index}`, `{source}`, filled as
/// in header templates), already padded to `traffic.size` by the planner.
///
/// A value: the engine's traffic timer asks it for the due messages, grouped by I/O queue, and each queue
/// renders its own messages (``message(client:conn:)``), so the control queue only picks the connections.
public struct TrafficScheduler: Sendable {
    /// One message due on one connection.
    public struct Due<Connection> {
        /// The connection.
        public var connection: Connection
        /// Its virtual client (global number) and index within the client.
        public var client: Int, conn: Int
    }

    /// Seconds between messages on one connection (0: no traffic).
    public let interval: Double
    /// The message template.
    public let template: String
    /// Connections per client (for `{index}`).
    public let connectionsPerClient: Int
    /// The source addresses clients take in turn (for `{source}`; empty: the kernel's choice, `""`).
    public let sources: [String]

    /// A scheduler for `interval` seconds and a template.
    public init(interval: Double, template: String, connectionsPerClient: Int, sources: [String] = []) {
        self.interval = interval
        self.template = template
        self.connectionsPerClient = connectionsPerClient
        self.sources = sources
    }

    /// The plan's traffic.
    public init(plan: RunPlan) {
        self.init(
            interval: plan.trafficInterval, template: plan.trafficMessage, connectionsPerClient: plan.connectionsPerClient,
            sources: plan.sources.map(\.ip))
    }

    /// Whether the hold sends traffic at all.
    public var isEnabled: Bool { interval > 0 }

    /// The message connection `conn` of client `client` sends; `{index}` is its index in the whole run
    /// (`client * connectionsPerClient + conn`), `{source}` the client's source address (as `RunPlan.source(ofClient:)`).
    public func message(client: Int, conn: Int) -> String {
        HeaderTemplate.render(
            template, client: client, conn: conn, index: client * connectionsPerClient + conn,
            source: sources.isEmpty ? "" : sources[client % sources.count])
    }

    /// The messages due at one tick: one per live connection (`connections[i]` non-nil) whose record is open,
    /// grouped by I/O queue (`i % queues`), each group in index order.
    public func due<Connection>(connections: [Connection?], records: [ConnectionRecord], queues: Int) -> [Int: [Due<Connection>]] {
        var byQueue: [Int: [Due<Connection>]] = [:]
        for (i, c) in connections.enumerated() {
            guard let c, records[i].status == .open else { continue }
            byQueue[i % queues, default: []].append(Due(connection: c, client: records[i].client, conn: records[i].conn))
        }
        return byQueue
    }
}

extension TrafficScheduler.Due: Sendable where Connection: Sendable {}
