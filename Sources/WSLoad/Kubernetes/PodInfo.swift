/// What wsload knows about one server pod.
public struct PodInfo: Sendable, Codable, Equatable, Hashable {
    /// Pod name (`metadata.name`).
    public var name: String
    /// Pod IP (`status.podIP`); nil when not yet assigned or not known.
    public var ip: String?
    /// True when the pod's `Ready` condition is `True` (assumed true for a static list).
    public var ready: Bool
    /// Node the pod runs on (`spec.nodeName`), when known.
    public var node: String?
    /// Container restarts, summed over `status.containerStatuses`.
    public var restartCount: Int
    /// `status.phase` (`Pending`, `Running`, `Succeeded`, `Failed`, `Unknown`), when known.
    public var phase: String?

    /// Creates a pod description.
    public init(
        name: String, ip: String? = nil, ready: Bool = true, node: String? = nil, restartCount: Int = 0,
        phase: String? = nil
    ) {
        self.name = name
        self.ip = ip
        self.ready = ready
        self.node = node
        self.restartCount = restartCount
        self.phase = phase
    }
}
