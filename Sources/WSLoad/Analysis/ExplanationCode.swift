/// The cause an explanation names.
public enum ExplanationCode: String, Sendable, Codable, Equatable, CaseIterable {
    /// The target is a port-forward or a single pod.
    case singlePodTarget
    /// Every connection came from one source address.
    case singleSourceAddress
    /// Several source addresses, but all inside one IPv4 /24.
    case singleSlash24
    /// Every connection carried the same affinity cookie value.
    case sharedAffinityCookie
    /// Cookies were kept per client and there are fewer clients than pods.
    case fewerClientsThanPods
    /// The spread is poor and none of the inputs explains it.
    case unexplained
}
