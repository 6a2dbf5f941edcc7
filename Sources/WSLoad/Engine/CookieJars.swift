import Dispatch
import Foundation
import Logging

/// The cookie jars of a run by its `cookies` policy: one per client, one shared, or none; and the pre-flight
/// that fills them before the ramp.
///
/// Immutable after init (the jars themselves are thread-safe), so any queue may look a jar up.
public struct CookieJars: Sendable {
    private let policy: CookiePolicy
    private let perClient: [CookieJar?]
    private let shared = CookieJar()
    /// The client number of each slot (`index / connectionsPerClient`).
    private let clientOfSlot: [Int]
    private let connectionsPerClient: Int

    /// The jars of a plan: per client (only the shard's clients get one), shared, or none.
    public init(plan: RunPlan) {
        policy = plan.cookiePolicy
        perClient = (0..<plan.clients).map { plan.cookiePolicy == .perClient && plan.shard?.contains(client: $0) != false ? CookieJar() : nil }
        clientOfSlot = plan.clientIndices
        connectionsPerClient = plan.connectionsPerClient
    }

    /// The jar of the connection at record `index` (nil: it keeps no cookies).
    public func jar(forIndex index: Int) -> CookieJar? {
        switch policy {
        case .none, .perConnection: nil
        case .shared: shared
        case .perClient: perClient[clientOfSlot[index / connectionsPerClient]]
        }
    }

    /// Runs the plan's pre-flight request once per jar (per client, or once for a shared jar) before the ramp,
    /// at most `maxInFlight` (≤ 32) at a time, so the first upgrade already carries the cookie. Blocks; logs how
    /// many jars were filled and returns the warning to report, if any.
    public func fill(plan: RunPlan, logger: Logger) -> String? {
        guard let (url, method) = plan.preflight else { return nil }
        let jarsToFill: [(client: Int, jar: CookieJar)] =
            switch policy {
            case .perClient: perClient.enumerated().compactMap { i, j in j.map { (i, $0) } }
            case .shared: [(0, shared)]
            case .none, .perConnection: []
            }
        if jarsToFill.isEmpty { return "pre-flight skipped: cookie policy \(policy.rawValue) keeps no jar to fill" }
        let failed: [String]
        // One dialer for every jar: resolved once (with `target.resolve`), in the sources' family, its own TLS context.
        do {
            let dialer = try Dialer(url: url, connectTo: plan.resolveOverride, sources: plan.sources, tls: plan.tls, tlsIdentity: plan.tlsIdentity)
            failed = Self.run(jarsToFill, dialer: dialer, method: method, plan: plan)
        } catch {
            failed = jarsToFill.map { "client \($0.client): \(error)" }
        }
        let jars = jarsToFill.count
        logger.info("pre-flight: \(jars - failed.count) of \(jars) jars filled from \(method) \(Redaction.redactURL(url.description))")
        guard !failed.isEmpty else { return nil }
        return
            "pre-flight \(method) \(Redaction.redactURL(url.description)) failed for \(failed.count) of \(jars) jars (first: \(failed[0])); their connections start without its cookies"
    }

    /// Runs the requests, at most `min(32, maxInFlight)` at once; returns one line per failed jar.
    private static func run(_ jars: [(client: Int, jar: CookieJar)], dialer: Dialer, method: String, plan: RunPlan) -> [String] {
        let failures = Locked([String]())
        let limit = DispatchSemaphore(value: max(1, min(32, plan.maxInFlight)))
        let group = DispatchGroup()
        for (client, jar) in jars {
            limit.wait()
            group.enter()
            DispatchQueue.global().async {
                defer { limit.signal(); group.leave() }
                do {
                    let r = try Preflight.run(
                        dialer: dialer, method: method, source: plan.source(ofClient: client), jar: jar,
                        timeout: plan.upgradeTimeout)
                    if r.status >= 400 { failures.withLock { $0.append("client \(client): HTTP \(r.status)") } }
                } catch {
                    failures.withLock { $0.append("client \(client): \(error)") }
                }
            }
        }
        group.wait()
        return failures.current
    }
}
