/// Where one virtual client's connections landed, and whether they all landed on one pod.
public struct ClientPinning: Sendable, Codable, Equatable {
    /// The virtual client's identifier.
    public var client: String
    /// Connections per pod, sorted naturally by pod name.
    public var pods: [PodCount]
    /// True when every attributed connection of the client reached the same pod.
    public var pinned: Bool

    /// A pod and how many of the client's connections reached it.
    public struct PodCount: Sendable, Codable, Equatable {
        /// The pod name.
        public var pod: String
        /// Connections on that pod.
        public var count: Int

        /// Creates a pod count.
        public init(pod: String, count: Int) {
            self.pod = pod
            self.count = count
        }
    }

    /// Creates a pinning verdict from the client's per-pod connection counts (zero counts are dropped).
    public init(client: String, podCounts: [String: Int]) {
        self.client = client
        self.pods = PodNameOrder.sorted(podCounts.filter { $0.value > 0 }.keys)
            .map { PodCount(pod: $0, count: podCounts[$0]!) }
        self.pinned = pods.count <= 1
    }

    /// The pod all connections reached, when pinned and at least one connection was attributed.
    public var pod: String? { pinned ? pods.first?.pod : nil }

    /// Total attributed connections of this client.
    public var connections: Int { pods.reduce(0) { $0 + $1.count } }

    /// Verdicts for every client from per-connection pod lists (client → pod of each connection), sorted naturally.
    public static func evaluate(connectionsByClient: [String: [String]]) -> [ClientPinning] {
        PodNameOrder.sorted(connectionsByClient.keys).map { client in
            var counts: [String: Int] = [:]
            for pod in connectionsByClient[client]! { counts[pod, default: 0] += 1 }
            return ClientPinning(client: client, podCounts: counts)
        }
    }

    /// Verdicts for every client from per-pod counts (client → pod → connections), sorted naturally.
    public static func evaluate(podCountsByClient: [String: [String: Int]]) -> [ClientPinning] {
        PodNameOrder.sorted(podCountsByClient.keys).map { ClientPinning(client: $0, podCounts: podCountsByClient[$0]!) }
    }
}
