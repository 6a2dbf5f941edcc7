extension Profile {
    /// `target.kind:` — what the URL points at. It tells the report whether one pod receiving every
    /// connection is expected (`port-forward`, `pod`) or a distribution problem (`service`, `ingress`).
    public enum TargetKind: String, Sendable, Equatable, Hashable, Codable, CaseIterable {
        /// A Kubernetes Service (ClusterIP, NodePort, LoadBalancer): kube-proxy spreads connections.
        case service
        /// An Ingress / reverse proxy: the controller spreads connections (maybe with cookie affinity).
        case ingress
        /// `kubectl port-forward`: every connection goes to the one pod the forward picked.
        case portForward = "port-forward"
        /// A single pod addressed directly (pod IP, headless-Service record of one pod).
        case pod

        /// True when every connection necessarily reaches the same pod (`port-forward`, `pod`).
        public var reachesSinglePod: Bool { self == .portForward || self == .pod }
    }

    /// `timeline:` — sampling of per-pod counts over time and per-interval statistics (soak runs).
    public struct TimelineSection: Sendable, Equatable, Codable {
        /// Time between samples (> 0).
        public var interval: ProfileDuration = .seconds(1)
        /// Defaults.
        public init() {}
        /// A timeline sampled every `interval`.
        public init(interval: ProfileDuration) { self.interval = interval }
    }

    /// `portforward:` — how `wsload portforward` forwards each pod and ramps connections through it.
    public struct PortForwardSection: Sendable, Equatable, Codable {
        /// The forward command, one per pod; placeholders `{namespace}` `{pod}` `{localPort}` `{remotePort}`.
        public var command: [String] = PortForwardSection.defaultCommand
        /// Port on the pod; required when `command` uses `{remotePort}` (may come from `--remote-port`).
        public var remotePort: Int? = nil
        /// First local port (pod *i* gets `local_port_base + i`); 0 lets wsload pick free ports.
        public var localPortBase: Int = 0
        /// URL path requested on the forwarded port: `ws://127.0.0.1:{localPort}{path}`.
        public var path: String = "/ws"
        /// Connections to ramp to per pod (the ramp stops earlier at the first failing step).
        public var target: Int = 1000
        /// Connections added per step.
        public var step: Int = 50
        /// Time between steps (after a step's handshakes have finished).
        public var stepInterval: ProfileDuration = .seconds(1)
        /// How long the reached connections are held before closing.
        public var hold: ProfileDuration = .seconds(10)
        /// Test the pods at the same time (`true`) or one after another (`false`).
        public var parallel: Bool = false
        /// The forwarded port speaks TLS (`wss://`): the pods' certificates are verified with `target.tls`
        /// (`ca_file`, `insecure`) against `target.tls.server_name` or the host of `target.url`.
        public var tls: Bool = false
        /// Longest wait for the local port to accept TCP connections after starting the forward.
        public var readyTimeout: ProfileDuration = .seconds(10)
        /// Supervision of forwards that exit or stop accepting.
        public var restart = RestartSection()

        /// `kubectl port-forward -n {namespace} pod/{pod} {localPort}:{remotePort}`.
        public static let defaultCommand = ["kubectl", "port-forward", "-n", "{namespace}", "pod/{pod}", "{localPort}:{remotePort}"]
        /// Placeholders a forward command may use.
        public static let placeholders = ["namespace", "pod", "localPort", "remotePort"]
        /// Defaults.
        public init() {}

        /// Whether ``command`` needs ``remotePort``.
        public var usesRemotePort: Bool { command.contains { $0.contains("{remotePort}") } }
    }

}
