import WSProtocol

extension DialOptions {
    /// A run plan's options for every connection it opens: limits, deflate offer, timeouts, keep-alive,
    /// origin and subprotocols.
    public init(plan: RunPlan) {
        self.init(
            limits: plan.limits, deflate: plan.deflate ? PerMessageDeflateOffer() : nil,
            connectTimeout: plan.connectTimeout, tlsTimeout: plan.tlsTimeout,
            upgradeTimeout: plan.upgradeTimeout, closeTimeout: plan.closeTimeout,
            pingInterval: plan.pingInterval, pongTimeout: plan.pongTimeout,
            origin: plan.origin, subprotocols: plan.subprotocols)
    }
}

extension Dialer {
    /// The dialer of a run plan's target: resolved once (with `target.resolve`) in the sources' family (a source
    /// of another family is an error before anything connects), with the plan's TLS and ``DialOptions``.
    public init(plan: RunPlan) throws {
        try self.init(
            url: plan.url, connectTo: plan.resolveOverride, sources: plan.sources, tls: plan.tls, tlsIdentity: plan.tlsIdentity,
            options: DialOptions(plan: plan))
    }
}
