/// A load-test profile: everything `wsload run` needs to know, decoded from YAML (see docs/profiles.md).
///
/// Every section has defaults, so `Profile()` is a valid (if URL-less) profile. Load one with
/// ``ProfileLoader``; check it with ``validate(requireURL:)`` after applying command-line overrides.
public struct Profile: Sendable, Equatable, Codable {
    /// Profile name; defaults to the file name without `.yaml`.
    public var name: String = ""
    /// Free text shown by `wsload profiles` and in reports.
    public var description: String? = nil
    /// Where to connect and how to handshake.
    public var target = TargetSection()
    /// Virtual clients, connections, source addresses, cookies and per-client headers.
    public var clients = ClientsSection()
    /// Connect pacing.
    public var ramp = RampSection()
    /// How long every connection stays open once all are established.
    public var hold: ProfileDuration = .seconds(10)
    /// Optional periodic application messages; `nil` sends none.
    public var traffic: TrafficSection? = nil
    /// Optional WebSocket ping/pong keepalive; `nil` sends no pings.
    public var keepalive: KeepaliveSection? = nil
    /// Per-phase timeouts.
    public var timeouts = TimeoutsSection()
    /// Frame and message size limits.
    public var limits = LimitsSection()
    /// How a connection is attributed to the pod that serves it.
    public var attribution = AttributionSection()
    /// The pods behind the Service / Ingress (static list or discovery).
    public var pods = PodsSection()
    /// Where to read the pods' own view (e.g. `Active connections: N` log lines).
    public var serverLogs = ServerLogsSection()
    /// Where to read the pods' own active-connection gauge (Prometheus or their `/metrics`).
    public var serverMetrics = ServerMetricsSection()
    /// Expected distribution (relative pod weights).
    public var expected = ExpectedSection()
    /// Pass/fail thresholds that decide the exit code.
    public var gate = GateSection()
    /// Report formats and output directory.
    public var output = OutputSection()
    /// Optional re-establishing of dropped connections; `nil` never reconnects.
    public var reconnect: ReconnectSection? = nil
    /// Per-pod count timeline and per-interval statistics sampling.
    public var timeline = TimelineSection()
    /// Per-pod `kubectl port-forward` capacity checks (`wsload portforward`); `nil` uses the defaults.
    public var portforward: PortForwardSection? = nil
    /// Timed commands run during the run (scale-out, rollout, pod deletion); empty: none.
    public var events: [EventEntry] = []

    /// Where each key was found, for error messages during validation. Ignored by `==` and `Codable`.
    var sourceMap = ProfileSourceMap()

    /// What errors call the profile's file: its path, `builtin:NAME`, or e.g. `<command line>` for a profile
    /// made of flags only.
    public var origin: String {
        get { sourceMap.file }
        set { sourceMap.file = newValue }
    }

    /// A profile with every field at its default.
    public init() {}

    enum CodingKeys: String, CodingKey {
        case name, description, target, clients, ramp, hold, traffic, keepalive, timeouts, limits
        case attribution, pods, serverLogs, serverMetrics, expected, gate, output
        case reconnect, timeline, portforward, events
    }
}

extension Profile {
    /// `target:` — the WebSocket endpoint and handshake options.
    public struct TargetSection: Sendable, Equatable, Codable {
        /// `ws://`, `wss://`, `http://` or `https://` URL (http/https are treated as ws/wss); may come from `--url`.
        public var url: String? = nil
        /// `Origin` header value.
        public var origin: String? = nil
        /// `Sec-WebSocket-Protocol` values offered, in order.
        public var subprotocols: [String] = []
        /// Static headers sent on every upgrade request.
        public var headers: [String: String] = [:]
        /// Offer permessage-deflate (RFC 7692).
        public var deflate: Bool = false
        /// TLS options for `wss://`.
        public var tls = TLSOptions()
        /// Optional DNS override: connect here instead of resolving the URL host (Host/SNI unchanged).
        public var resolve: ResolveOverride? = nil
        /// What the URL points at; `port-forward` and `pod` reach exactly one pod.
        public var kind: TargetKind = .service
        /// Defaults.
        public init() {}
    }

    /// `target.tls:` options.
    public struct TLSOptions: Sendable, Equatable, Codable {
        /// Skip certificate verification.
        public var insecure: Bool = false
        /// PEM file with extra trusted CA certificates.
        public var caFile: String? = nil
        /// SNI / verification name; defaults to the URL host.
        public var serverName: String? = nil
        /// Reuse TLS sessions across connections.
        public var sessionResumption: Bool = true
        /// TLS 1.3 cipher suites in preference order; nil offers the browsers' order.
        public var ciphersuites: String? = nil
        /// Defaults.
        public init() {}
    }

    /// `target.resolve:` — like `curl --resolve`: the address to connect to for the URL's host.
    public struct ResolveOverride: Sendable, Equatable, Codable {
        /// Address (or host name) to connect to instead of the URL host.
        public var host: String
        /// An override connecting to `host`.
        public init(host: String) { self.host = host }
    }

    /// `clients:` — how many virtual clients, how many connections each, from which source addresses.
    public struct ClientsSection: Sendable, Equatable, Codable {
        /// Number of virtual clients (with `connections_per_client`).
        public var count: Int? = nil
        /// Connections opened by each virtual client.
        public var connectionsPerClient: Int? = nil
        /// Alternative: N connections, one client each (exclusive with `count`/`connections_per_client`).
        public var connections: Int? = nil
        /// Source address specs (see ``SourceSpec``), kept as written.
        public var sources: [String] = []
        /// Cookie jar policy.
        public var cookies: CookiePolicy = .perClient
        /// With a per-client jar, a client's first connection completes before its others start.
        public var firstConnectionFirst: Bool = true
        /// Optional HTTP request whose `Set-Cookie` fills the jar before connecting.
        public var preflight: Preflight? = nil
        /// Header templates; placeholders `{client}` `{conn}` `{index}` `{source}`.
        public var headers: [String: String] = [:]
        /// Optional connection lifetime churn: close and reopen each connection after a drawn age.
        public var lifetime: LifetimeSection? = nil
        /// Defaults.
        public init() {}

        /// Number of virtual clients after applying defaults (`connections` ⇒ one client per connection).
        public var resolvedClientCount: Int { connections ?? count ?? 1 }
        /// Connections per client after applying defaults.
        public var resolvedConnectionsPerClient: Int { connections != nil ? 1 : (connectionsPerClient ?? 1) }
        /// Total connections the run opens.
        public var totalConnections: Int { resolvedClientCount * resolvedConnectionsPerClient }

        /// Parses ``sources`` into ``SourceSpec`` values.
        public func sourceSpecs() throws(SourceSpec.ParseError) -> [SourceSpec] {
            var specs: [SourceSpec] = []
            for text in sources { specs.append(try SourceSpec(parsing: text)) }
            return specs
        }
    }

    /// Cookie jar policy: `none`, `shared`, `per-client`, `per-connection` (the module-wide
    /// ``WSLoad/CookiePolicy`` used by the engine and the analysis).
    public typealias CookiePolicy = WSLoad.CookiePolicy

    /// `clients.lifetime:` — connections close (1000) and reopen from the same virtual client after an age.
    public struct LifetimeSection: Sendable, Equatable, Codable {
        /// The (mean) age of a connection; nil: no churn.
        public var age: ProfileDuration? = nil
        /// Fraction 0…1 of each age added or removed uniformly.
        public var jitter: Double = 0
        /// `fixed` or `exponential` (mean `age`).
        public var distribution: ConnectionLifetime.Distribution = .fixed
        /// Pause between the close and the reopen.
        public var reopenDelay: ProfileDuration = .seconds(0)
        /// Defaults.
        public init() {}

        /// The plan's lifetime (nil without an age).
        public var lifetime: ConnectionLifetime? {
            age.map { ConnectionLifetime(age: $0.seconds, jitter: jitter, distribution: distribution, reopenDelay: reopenDelay.seconds) }
        }
    }

    /// `clients.preflight:` — an HTTP request made once per jar before connecting.
    public struct Preflight: Sendable, Equatable, Codable {
        /// `http://` or `https://` URL.
        public var url: String
        /// HTTP method.
        public var method: String = "GET"
        /// A preflight request.
        public init(url: String, method: String = "GET") { self.url = url; self.method = method }
    }

    /// `ramp:` — connect pacing.
    public struct RampSection: Sendable, Equatable, Codable {
        /// New connections started per second.
        public var rate: Double = 200
        /// Maximum concurrent handshakes in progress.
        public var maxInFlight: Int = 64
        /// Defaults.
        public init() {}
    }

    /// `traffic:` — periodic messages on every connection.
    public struct TrafficSection: Sendable, Equatable, Codable {
        /// Time between messages on one connection.
        public var interval: ProfileDuration = .seconds(1)
        /// Text message template; placeholders `{client}` `{conn}` `{index}` `{source}`.
        public var message: String = "ping {conn}"
        /// If > 0, send binary messages of this many bytes instead of `message`.
        public var size: ProfileSize = ProfileSize(bytes: 0)
        /// Defaults.
        public init() {}
    }

    /// `keepalive:` — WebSocket ping/pong.
    public struct KeepaliveSection: Sendable, Equatable, Codable {
        /// Time between pings.
        public var pingInterval: ProfileDuration = .seconds(20)
        /// A connection fails if no pong arrives within this time; must be < `ping_interval`.
        public var pongTimeout: ProfileDuration = .seconds(10)
        /// Defaults.
        public init() {}
    }

    /// `timeouts:` — per-phase limits.
    public struct TimeoutsSection: Sendable, Equatable, Codable {
        /// TCP connect.
        public var connect: ProfileDuration = .seconds(5)
        /// TLS handshake.
        public var tls: ProfileDuration = .seconds(5)
        /// HTTP upgrade (request sent → 101 received).
        public var upgrade: ProfileDuration = .seconds(10)
        /// Close handshake.
        public var close: ProfileDuration = .seconds(5)
        /// Defaults.
        public init() {}
    }

    /// `limits:` — protocol limits.
    public struct LimitsSection: Sendable, Equatable, Codable {
        /// Largest reassembled message accepted.
        public var maxMessageSize = ProfileSize(bytes: 16 << 20)
        /// Largest single frame payload accepted.
        public var maxFrameSize = ProfileSize(bytes: 16 << 20)
        /// Defaults.
        public init() {}
    }

    /// `attribution:` — how to learn which pod served a connection.
    public struct AttributionSection: Sendable, Equatable, Codable {
        /// Response headers naming the pod, tried in order (case-insensitive).
        public var headers: [String] = []
        /// Affinity cookie name; connections are grouped by its value.
        public var cookie: String? = nil
        /// Optional affinity-cookie value → pod name.
        public var cookieMap: [String: String] = [:]
        /// Optional: read the pod name from the first message the server sends.
        public var firstMessage: FirstMessageRule? = nil
        /// Defaults.
        public init() {}
    }

    /// `attribution.first_message:` — exactly one of `json_path` or `regex`.
    public enum FirstMessageRule: Sendable, Equatable, Codable {
        /// Dotted path into a JSON object, e.g. `pod` or `meta.pod`.
        case jsonPath(String)
        /// Regular expression; the pod is the named group `pod`, else group 1.
        case regex(String)

        private enum CodingKeys: String, CodingKey { case jsonPath, regex }

        /// Encodes as `{"jsonPath": …}` or `{"regex": …}`.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            switch self {
            case .jsonPath(let path): try container.encode(path, forKey: .jsonPath)
            case .regex(let pattern): try container.encode(pattern, forKey: .regex)
            }
        }

        /// Decodes `{"jsonPath": …}` or `{"regex": …}`.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            if let path = try container.decodeIfPresent(String.self, forKey: .jsonPath) {
                self = .jsonPath(path)
            } else {
                self = .regex(try container.decode(String.self, forKey: .regex))
            }
        }
    }

    /// `pods:` — the expected backends.
    public struct PodsSection: Sendable, Equatable, Codable {
        /// Pods listed by hand (YAML key `static`).
        public var staticPods: [StaticPod] = []
        /// Discover pods by running a command (kubectl by default).
        public var discovery: Discovery? = nil
        /// Defaults.
        public init() {}

        enum CodingKeys: String, CodingKey {
            case staticPods = "static"
            case discovery
        }
    }

    /// One entry of `pods.static`.
    public struct StaticPod: Sendable, Equatable, Codable {
        /// Pod name as reported by attribution.
        public var name: String
        /// Pod IP, if known.
        public var ip: String? = nil
        /// Relative expected share.
        public var weight: Double = 1
        /// A pod.
        public init(name: String, ip: String? = nil, weight: Double = 1) {
            self.name = name; self.ip = ip; self.weight = weight
        }
    }

    /// `pods.discovery:`.
    public struct Discovery: Sendable, Equatable, Codable {
        /// Kubernetes namespace, substituted for `{namespace}`.
        public var namespace: String = "default"
        /// Label selector, substituted for `{selector}`.
        public var selector: String = ""
        /// Command printing a pod list as JSON (`kubectl get pods -o json` shape).
        public var command: [String] = Discovery.defaultCommand
        /// `kubectl get pods -n {namespace} -l {selector} -o json`.
        public static let defaultCommand = ["kubectl", "get", "pods", "-n", "{namespace}", "-l", "{selector}", "-o", "json"]
        /// Defaults.
        public init() {}
    }

    /// `server_logs:` — where the pods' own connection counts come from.
    public struct ServerLogsSection: Sendable, Equatable, Codable {
        /// Pod name → log file path.
        public var files: [String: String] = [:]
        /// Directory of log files named after pods (`<pod>.log` or `<pod>`).
        public var directory: String? = nil
        /// Per-pod command; placeholders `{namespace}` `{pod}` `{start}`.
        public var command: [String]? = nil
        /// One merged stream for all pods (lines prefixed `[pod/NAME/container]`).
        public var stream: LogStream? = nil
        /// Regex for a count line; named group `count` (else group 1).
        public var pattern: String = ServerLogsSection.defaultPattern
        /// Keep reading while the run is in progress.
        public var follow: Bool = false
        /// `Active connections: (?<count>\d+)`.
        public static let defaultPattern = #"Active connections: (?<count>\d+)"#
        /// Defaults.
        public init() {}

        /// Whether any log source is configured.
        public var isConfigured: Bool { !files.isEmpty || directory != nil || command != nil || stream != nil }
    }

    /// `server_logs.stream:` — exactly one of `command` or `stdin: true`.
    public enum LogStream: Sendable, Equatable, Codable {
        /// Run this command and read its standard output.
        case command([String])
        /// Read wsload's standard input.
        case stdin

        private enum CodingKeys: String, CodingKey { case command, stdin }

        /// Encodes as `{"command": [...]}` or `{"stdin": true}`.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            switch self {
            case .command(let command): try container.encode(command, forKey: .command)
            case .stdin: try container.encode(true, forKey: .stdin)
            }
        }

        /// Decodes `{"command": [...]}` or `{"stdin": true}`.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            if let command = try container.decodeIfPresent([String].self, forKey: .command) {
                self = .command(command)
            } else {
                _ = try container.decode(Bool.self, forKey: .stdin)
                self = .stdin
            }
        }
    }

    /// `expected:` — the distribution the gate compares against.
    public struct ExpectedSection: Sendable, Equatable, Codable {
        /// Pod name → relative weight; empty means every pod equally.
        public var weights: [String: Double] = [:]
        /// Defaults.
        public init() {}
    }

    /// `gate:` — thresholds; any unmet one fails the run (non-zero exit).
    public struct GateSection: Sendable, Equatable, Codable {
        /// Maximum deviation of any pod's share from its expected share, in percent (0–100).
        public var maxSkew: Double? = nil
        /// Minimum number of distinct pods that must receive connections.
        public var minPodsHit: MinPodsHit? = nil
        /// Maximum failed connections.
        public var maxFailed: Int? = nil
        /// Maximum connections lost after the 101 and not re-established (default 0 whenever another
        /// threshold is set).
        public var maxDropped: Int? = nil
        /// Server log counts must match what the client saw.
        public var requireLogMatch: Bool = false
        /// Server metrics counts must match what the client saw (INCOMPLETE when they cannot be read).
        public var requireMetricsMatch: Bool = false
        /// Every connection of a virtual client must land on the same pod.
        public var clientsPinned: Bool = false
        /// Maximum 99th-percentile upgrade latency.
        public var maxUpgradeP99: ProfileDuration? = nil
        /// Least share of held connections, in percent, the pods added during the run must hold at its end.
        public var minNewPodShare: Double? = nil
        /// Longest time after the last event until the spread is within `max_skew` again.
        public var maxTimeToFair: ProfileDuration? = nil
        /// Most reconnects completed within one second anywhere in the run.
        public var maxReconnectRate: Double? = nil
        /// Defaults.
        public init() {}

        /// Whether any threshold is set.
        public var isEmpty: Bool {
            maxSkew == nil && minPodsHit == nil && maxFailed == nil && maxDropped == nil && !requireLogMatch && !requireMetricsMatch && !clientsPinned
                && maxUpgradeP99 == nil && minNewPodShare == nil && maxTimeToFair == nil
                && maxReconnectRate == nil
        }
    }

    /// `gate.min_pods_hit:` — a number or `all`.
    public enum MinPodsHit: Sendable, Equatable, Codable {
        /// At least this many pods.
        case count(Int)
        /// Every known pod (static or discovered).
        case all

        /// Encodes as a number or the string `all`.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .count(let n): try container.encode(n)
            case .all: try container.encode("all")
            }
        }

        /// Decodes a number or the string `all`.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let n = try? container.decode(Int.self) { self = .count(n); return }
            let text = try container.decode(String.self)
            guard text == "all" else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected a number or \"all\"")
            }
            self = .all
        }
    }

    /// `output:`.
    public struct OutputSection: Sendable, Equatable, Codable {
        /// Report formats to produce; `table` goes to the terminal, the others to `out`.
        public var formats: [OutputFormat] = [.table]
        /// Directory for report files.
        public var out: String? = nil
        /// Defaults.
        public init() {}
    }

    /// A report format: the renderers' own list (``ReportFormat``), one type for profiles, flags and renderers.
    public typealias OutputFormat = ReportFormat
}
