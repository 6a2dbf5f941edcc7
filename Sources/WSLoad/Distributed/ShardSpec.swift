/// One of N deterministic slices of a run's virtual clients: shard `index` of `count` takes the clients
/// with `client % count == index`. Client numbering stays global, so header templates (`{client}`),
/// source-address assignment and client names are the same as in a one-piece run.
public struct ShardSpec: Sendable, Codable, Equatable, Hashable, CustomStringConvertible {
    /// 0-based shard index.
    public var index: Int
    /// Number of shards.
    public var count: Int

    /// Creates a shard; `index` must lie in `0 ..< count`.
    public init(index: Int, count: Int) {
        precondition(count >= 1 && index >= 0 && index < count, "shard \(index)/\(count) out of range")
        self.index = index
        self.count = count
    }

    /// Parses `i/N` (0-based i); nil when malformed or out of range.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2,
            let i = Int(parts[0].trimmingCharacters(in: .whitespaces)),
            let n = Int(parts[1].trimmingCharacters(in: .whitespaces)),
            n >= 1, i >= 0, i < n
        else { return nil }
        self.init(index: i, count: n)
    }

    /// `i/N`.
    public var description: String { "\(index)/\(count)" }

    /// Whether virtual client `client` belongs to this shard.
    public func contains(client: Int) -> Bool { client % count == index }

    /// The clients of `0 ..< clients` in this shard, ascending.
    public func clients(of clients: Int) -> StrideTo<Int> { stride(from: index, to: clients, by: count) }

    /// How many of `0 ..< clients` are in this shard.
    public func clientCount(of clients: Int) -> Int { index < clients ? (clients - index + count - 1) / count : 0 }
}
