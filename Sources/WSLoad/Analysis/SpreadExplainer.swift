/// Turns run inputs and distribution statistics into plain-English reasons for a poor spread.
///
/// The spread is poor when at least two pods are known, some connections were made, and either an expected
/// pod got none or the chi-square p-value is below `significanceLevel`. A single-pod target is always
/// explained, because it makes the spread unmeasurable; the other causes are only offered for a poor spread,
/// and `unexplained` is returned when the spread is poor and no input accounts for it.
public struct SpreadExplainer: Sendable {
    /// p-value below which an uneven spread is considered significant.
    public var significanceLevel: Double

    /// Creates an explainer.
    public init(significanceLevel: Double = 0.01) {
        self.significanceLevel = significanceLevel
    }

    /// True when the statistics show a poor spread.
    public func isPoor(_ statistics: DistributionStatistics) -> Bool {
        guard statistics.podCount >= 2, statistics.total > 0 else { return false }
        if !statistics.podsNotHit.isEmpty { return true }
        if let p = statistics.pValue, p < significanceLevel { return true }
        return false
    }

    /// Explanations, most decisive first; empty when the spread is fine.
    public func explain(inputs: RunInputs, statistics: DistributionStatistics) -> [SpreadExplanation] {
        var out: [SpreadExplanation] = []
        if inputs.targetIsSinglePod {
            let kind = inputs.singlePodTargetKind ?? "port-forward"
            out.append(SpreadExplanation(
                code: .singlePodTarget,
                message: "The target is a single \(kind), which always reaches exactly one pod; "
                    + "`kubectl port-forward svc/…` also picks one pod when it starts and never balances. "
                    + "Target the Ingress or the Service address to measure the spread."))
        }
        guard isPoor(statistics) else { return out }
        let connections = statistics.total
        let noun = connections == 1 ? "connection" : "connections"
        let addresses = Array(Set(inputs.sourceAddresses)).sorted()
        if addresses.count == 1 {
            out.append(SpreadExplanation(
                code: .singleSourceAddress,
                message: "All \(connections) \(noun) came from one source address (\(addresses[0])); "
                    + "a Service with sessionAffinity: ClientIP or an HAProxy `balance source` / nginx "
                    + "`hash $remote_addr` sends every connection from one address to one pod. "
                    + "Use more source addresses or drop address affinity."))
        } else if addresses.count > 1 {
            let prefixes = inputs.slash24Prefixes
            let allIPv4 = addresses.allSatisfy { RunInputs.slash24Prefix(of: $0) != nil }
            if allIPv4, prefixes.count == 1 {
                out.append(SpreadExplanation(
                    code: .singleSlash24,
                    message: "All \(addresses.count) source addresses lie inside one /24 (\(prefixes[0])); "
                        + "nginx `ip_hash` keys on the first three octets, so they all hash to one pod. "
                        + "Spread the source addresses over several /24 networks."))
            }
        }
        let sharedCookie = inputs.cookiePolicy == .shared
            || (inputs.cookiePolicy != .none && inputs.distinctCookieValues == 1 && connections > 1)
        if sharedCookie {
            out.append(SpreadExplanation(
                code: .sharedAffinityCookie,
                message: "Every connection carried the same affinity cookie value (cookie policy "
                    + "\"\(inputs.cookiePolicy.rawValue)\"); cookie affinity (ingress-nginx `affinity: cookie`, "
                    + "HAProxy `cookie … insert`, Traefik sticky cookies) pins them all to the pod that issued it. "
                    + "Use the per-client or per-connection cookie policy."))
        } else if inputs.cookiePolicy == .perClient, inputs.distinctCookieValues > 0,
                  inputs.clientCount < statistics.podCount {
            let clientNoun = inputs.clientCount == 1 ? "virtual client" : "virtual clients"
            out.append(SpreadExplanation(
                code: .fewerClientsThanPods,
                message: "Cookies are kept per client and there are only \(inputs.clientCount) \(clientNoun) "
                    + "for \(statistics.podCount) pods; with cookie affinity each client sticks to one pod, "
                    + "so at most \(inputs.clientCount) of them can be reached."))
        }
        if out.isEmpty {
            out.append(SpreadExplanation(
                code: .unexplained,
                message: "The spread is uneven but the run's inputs do not explain it; check the balancing "
                    + "algorithm (least-connections and long-lived WebSockets, hashing on a header or path), "
                    + "pod readiness during the ramp, and the weights of the upstreams."))
        }
        return out
    }
}
