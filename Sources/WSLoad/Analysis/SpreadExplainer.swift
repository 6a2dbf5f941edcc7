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
    ///
    /// Each names the evidence it rests on and says what that evidence is consistent with, not what the
    /// balancer is. A single-pod target gets that explanation alone: its spread cannot be measured, so no
    /// balancer behaviour is inferred from it.
    public func explain(inputs: RunInputs, statistics: DistributionStatistics) -> [SpreadExplanation] {
        if inputs.targetIsSinglePod {
            let kind = inputs.singlePodTargetKind ?? "port-forward"
            return [
                SpreadExplanation(
                    code: .singlePodTarget,
                    message: "The target is a single \(kind), which always reaches exactly one pod; "
                        + "`kubectl port-forward svc/…` also picks one pod when it starts and never balances. "
                        + "Target the Ingress or the Service address to measure the spread.",
                    evidence: "target.kind: \(kind)")
            ]
        }
        guard isPoor(statistics) else { return [] }
        var out: [SpreadExplanation] = []
        let connections = statistics.total
        let noun = connections == 1 ? "connection" : "connections"
        let poor = poorEvidence(statistics)
        let addresses = Array(Set(inputs.sourceAddresses)).sorted()
        if addresses.count == 1 {
            out.append(
                SpreadExplanation(
                    code: .singleSourceAddress,
                    message: "All \(connections) \(noun) came from one source address (\(addresses[0])). That is consistent with "
                        + "address affinity — a Service with sessionAffinity: ClientIP, HAProxy `balance source`, nginx "
                        + "`hash $remote_addr` — which sends every connection from one address to one pod. "
                        + "Use more source addresses to tell it apart from other causes.",
                    evidence: "\(connections) \(noun) from 1 source address (\(addresses[0])); \(poor)"))
        } else if addresses.count > 1 {
            let prefixes = inputs.slash24Prefixes
            let allIPv4 = addresses.allSatisfy { RunInputs.slash24Prefix(of: $0) != nil }
            if allIPv4, prefixes.count == 1 {
                out.append(
                    SpreadExplanation(
                        code: .singleSlash24,
                        message: "All \(addresses.count) source addresses lie inside one /24 (\(prefixes[0])). That is consistent "
                            + "with nginx `ip_hash`, which keys on the first three octets so they all hash to one pod (or with a "
                            + "target that reaches one pod: declare `target.kind` for a pod address or port-forward). "
                            + "Spread the source addresses over several /24 networks to tell them apart.",
                        evidence: "\(addresses.count) source addresses, all in \(prefixes[0]); \(poor)"))
            }
        }
        // One cookie value only counts as shared when (nearly) every established connection carried it; a few
        // connections with a cookie among many without one say nothing about cookie affinity.
        let carriers = inputs.cookieCarriers
        let established = inputs.established ?? connections
        let carriedByMost = carriers.map { $0 >= 2 && $0 * 2 > established } ?? true
        let sharedCookie = inputs.cookiePolicy != .none && inputs.distinctCookieValues == 1 && connections > 1 && carriedByMost
        if sharedCookie {
            let carried = carriers.map { "\($0) of \(established) established connections carried" } ?? "the connections carried"
            out.append(
                SpreadExplanation(
                    code: .sharedAffinityCookie,
                    message: "The connections carried one and the same affinity cookie value (cookie policy "
                        + "\"\(inputs.cookiePolicy.rawValue)\"). That is consistent with cookie affinity (ingress-nginx "
                        + "`affinity: cookie`, HAProxy `cookie … insert`, Traefik sticky cookies) pinning them all to the pod "
                        + "that issued it. Use the per-client or per-connection cookie policy.",
                    evidence: "\(carried) 1 distinct affinity cookie value; \(poor)"))
        } else if inputs.cookiePolicy == .perClient, inputs.distinctCookieValues > 0,
            inputs.clientCount < statistics.podCount
        {
            let clientNoun = inputs.clientCount == 1 ? "virtual client" : "virtual clients"
            out.append(
                SpreadExplanation(
                    code: .fewerClientsThanPods,
                    message: "Cookies are kept per client and there are only \(inputs.clientCount) \(clientNoun) "
                        + "for \(statistics.podCount) pods; with cookie affinity each client sticks to one pod, "
                        + "so at most \(inputs.clientCount) of them can be reached.",
                    evidence: "\(inputs.clientCount) \(clientNoun), \(statistics.podCount) pods, \(inputs.distinctCookieValues) "
                        + "affinity cookie value\(inputs.distinctCookieValues == 1 ? "" : "s"); \(poor)"))
        }
        if out.isEmpty {
            out.append(
                SpreadExplanation(
                    code: .unexplained,
                    message: "The spread is uneven but the run's inputs do not explain it; check the balancing "
                        + "algorithm (least-connections and long-lived WebSockets, hashing on a header or path), "
                        + "pod readiness during the ramp, and the weights of the upstreams.",
                    evidence: poor))
        }
        return out
    }

    /// Why the spread counts as poor, in words: the pods not hit, or the p-value.
    func poorEvidence(_ statistics: DistributionStatistics) -> String {
        let notHit = statistics.podsNotHit
        if !notHit.isEmpty {
            return "\(notHit.count) of \(statistics.podCount) pods received none (\(notHit.joined(separator: ", ")))"
        }
        return "χ² p = \(statistics.pValue.map { ReportText.pValue($0) } ?? "–") below \(significanceLevel)"
    }
}
