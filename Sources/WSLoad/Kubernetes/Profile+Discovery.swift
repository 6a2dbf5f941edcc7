/// Pod discovery from a profile: the one entry point of `run` and `port-forward`.
extension Profile {
    /// The pods `pods.discovery` finds (`kubectl get pods -o json` or the profile's command); nil when the
    /// profile has no discovery.
    public func discoverPods(runner: CommandRunner = CommandRunner()) throws(PodDiscoveryError) -> [PodInfo]? {
        guard let d = pods.discovery else { return nil }
        return try PodDiscovery(namespace: d.namespace, selector: d.selector, template: CommandTemplate(d.command)).discover(runner: runner)
    }
}
