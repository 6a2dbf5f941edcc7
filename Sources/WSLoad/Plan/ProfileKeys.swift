import Yams

/// Every profile key, declared once, in documentation order: its type, meaning, bounds and (through the
/// section's default value) its default. The reader (`ProfileReader`), the single-key checks of
/// `Profile.validate`, `ProfileSchema.allowedKeys` and `docs/profile.schema.json` (`ProfileSchemaDocument`)
/// are made from this table; a test fails when the committed schema differs from the generated one.
///
/// To add a key: add the property to its section in `Profile.swift` / `Profile+Sections.swift`, one line
/// here, run `wsload profiles schema > docs/profile.schema.json`, and use it in `RunPlanner`.
enum ProfileKeys {
    /// The top level of a profile.
    static let root: [ProfileKey<Profile>] = [
        .value("name", \.name, .string, "Profile name; defaults to the file name without .yaml."),
        .value("description", \.description, .string, "Free text shown in listings and reports."),
        .section("target", \.target, "Where to connect and how to handshake.", target),
        .section(
            "clients", \.clients, "Virtual clients, connections per client, source addresses, cookies.", clients,
            schema: [
                (
                    "not",
                    .object([
                        ("required", .array([.string("connections")])),
                        (
                            "anyOf",
                            .array([
                                .object([("required", .array([.string("count")]))]),
                                .object([("required", .array([.string("connections_per_client")]))]),
                            ])
                        ),
                    ])
                )
            ]),
        .section(
            "ramp", \.ramp, "Connect pacing.",
            [
                .value("rate", \.rate, .number, "New connections started per second.", bound: .above(0, "must be > 0 connections per second")),
                .value("max_in_flight", \.maxInFlight, .integer, "Maximum concurrent handshakes.", bound: .atLeast(1, "must be at least 1")),
            ]),
        .value("hold", \.hold, .duration, "How long connections stay open after all are established."),
        .section(
            "traffic", \.traffic, "Optional periodic messages on every connection.",
            [
                .value("interval", \.interval, .duration, "Time between messages on one connection.", bound: .above(0)),
                .value("message", \.message, .string, "Text message template; placeholders {client} {conn} {index} {source}."),
                .value(
                    "size", \.size, .size, "If > 0, send binary messages of this many bytes instead of message.",
                    bound: .atLeast(0, "must not be negative")),
            ]),
        .section(
            "keepalive", \.keepalive, "Optional ping/pong keepalive.",
            [
                .value("ping_interval", \.pingInterval, .duration, "Time between pings.", bound: .above(0)),
                .value("pong_timeout", \.pongTimeout, .duration, "Maximum wait for a pong; must be less than ping_interval.", bound: .above(0)),
            ]),
        .section(
            "timeouts", \.timeouts, "Per-phase timeouts.",
            [
                .value("connect", \.connect, .duration, "TCP connect timeout.", bound: .above(0)),
                .value("tls", \.tls, .duration, "TLS handshake timeout.", bound: .above(0)),
                .value("upgrade", \.upgrade, .duration, "HTTP upgrade timeout.", bound: .above(0)),
                .value("close", \.close, .duration, "Close handshake timeout.", bound: .above(0)),
            ]),
        .section(
            "limits", \.limits, "Protocol size limits.",
            [
                .value("max_message_size", \.maxMessageSize, .size, "Largest reassembled message accepted.", bound: .above(0)),
                .value("max_frame_size", \.maxFrameSize, .size, "Largest frame payload accepted.", bound: .above(0)),
            ]),
        .section("attribution", \.attribution, "How a connection is attributed to a pod.", attribution),
        .section("pods", \.pods, "The expected backends.", pods),
        .section("server_logs", \.serverLogs, "Where the pods' own connection counts come from.", serverLogs),
        .section("server_metrics", \.serverMetrics, "The pods' own active-connection gauge, from Prometheus or their /metrics.", serverMetrics),
        .section(
            "expected", \.expected, "Expected distribution.",
            [
                .value("weights", \.weights, .numberMap, "Pod name -> relative weight; empty means equal.")
            ]),
        .section("gate", \.gate, "Pass/fail thresholds; any unmet one fails the run.", gate),
        .section(
            "output", \.output, "Report formats and output directory.",
            [
                .value("formats", \.formats, .formats, "Report formats."),
                .value("out", \.out, .string, "Directory for report files."),
            ]),
        .section(
            "reconnect", \.reconnect,
            "Optional: re-establish dropped connections with capped exponential backoff and jitter. Absent: no reconnects.",
            retry(ReconnectRetries.self)),
        .section(
            "timeline", \.timeline, "Per-pod count timeline and per-interval statistics sampling.",
            [
                .value("interval", \.interval, .duration, "Time between samples; must be > 0.", bound: .above(0))
            ]),
        .section("portforward", \.portforward, "Per-pod port-forward capacity checks (wsload portforward).", portForward),
        .list(
            "events", \.events, "Timed commands run during the run (no shell), e.g. kubectl scale at 20s; recorded in the report.", events,
            required: ["at", "command"]),
    ]

    static let events: [ProfileKey<Profile.EventEntry>] = [
        .value("at", \.at, .duration, "When to start the command, relative to the run start."),
        .value("name", \.name, .string, "Name shown in reports; defaults to the command's first two words."),
        .value("command", \.command, .command, "argv run without a shell.", showDefault: false),
        .value("timeout", \.timeout, .duration, "Longest the command may run before it is killed and recorded as timed out.", bound: .above(0)),
    ]

    static let target: [ProfileKey<Profile.TargetSection>] = [
        .value(
            "url", \.url, .string,
            "WebSocket URL: ws://, wss://, http:// or https:// (http/https mean ws/wss). Optional here if given with --url.",
            schema: [("pattern", .string("^(wss?|https?)://"))]),
        .value("origin", \.origin, .string, "Origin header sent with the upgrade request."),
        .value("subprotocols", \.subprotocols, .stringOrList, "Sec-WebSocket-Protocol values offered, in order."),
        .value("headers", \.headers, .stringMap, "Static headers sent on every upgrade request."),
        .value("deflate", \.deflate, .bool, "Offer permessage-deflate (RFC 7692)."),
        .section(
            "tls", \.tls, "TLS options for wss://.",
            [
                .value("insecure", \.insecure, .bool, "Skip certificate verification."),
                .value("ca_file", \.caFile, .string, "PEM file with extra trusted CA certificates."),
                .value("server_name", \.serverName, .string, "SNI and verification name; defaults to the URL host."),
                .value(
                    "session_resumption", \.sessionResumption, .bool,
                    "Reuse TLS sessions across connections; the first connection then completes alone so the rest resume its session."),
                .value(
                    "ciphersuites", \.ciphersuites, .string, "TLS 1.3 cipher suites in preference order (OpenSSL syntax, colon-separated).",
                    schema: [("minLength", .integer(1)), ("default", .string(TLSClientConfiguration.browserCiphersuites))]),
            ]),
        .section(
            "resolve", \.resolve, "DNS override, like curl --resolve.",
            [
                .value(
                    "host", \.host, .string,
                    "Address (or host name) to connect to instead of resolving the URL host; Host header and SNI keep the URL host.")
            ], required: ["host"]),
        .value(
            "kind", \.kind, .choice,
            "What the URL points at. port-forward and pod reach exactly one pod, so one pod getting every connection is expected, not a distribution problem."
        ),
    ]

    static let clients: [ProfileKey<Profile.ClientsSection>] = [
        .value("count", \.count, .integer, "Number of virtual clients (with connections_per_client).", bound: .atLeast(1, "must be at least 1")),
        .value(
            "connections_per_client", \.connectionsPerClient, .integer, "Connections opened by each virtual client.",
            bound: .atLeast(1, "must be at least 1")),
        .value(
            "connections", \.connections, .integer, "Alternative to count/connections_per_client: N connections, one client each.",
            bound: .atLeast(1, "must be at least 1")),
        .value(
            "sources", \.sources, .stringOrList,
            "Source address specs: an IPv4/IPv6 address, a range a-b, a CIDR a/n, or interface:NAME.",
            schema: [("examples", .array([.array(["127.0.0.2-127.0.0.21", "127.0.1.0/28", "::1", "interface:lo"].map { .string($0) })]))]),
        .value("cookies", \.cookies, .choice, "Cookie jar policy."),
        .value(
            "first_connection_first", \.firstConnectionFirst, .bool,
            "With a per-client jar, each client's first connection completes before its others start."),
        .section(
            "preflight", \.preflight, "Optional HTTP request made before connecting.",
            [
                .value(
                    "url", \.url, .string, "http:// or https:// URL requested once per jar; its Set-Cookie fills the jar.",
                    schema: [("pattern", .string("^https?://"))]),
                .value("method", \.method, .string, "HTTP method."),
            ], required: ["url"]),
        .value("headers", \.headers, .stringMap, "Per-connection header templates; placeholders {client} {conn} {index} {source}."),
        .section(
            "lifetime", \.lifetime,
            "Optional connection churn: an established connection closes (1000) after its age and reopens from the same client (same source, same cookie jar).",
            [
                .value("age", \.age, .duration, "Connection age before it closes and reopens; absent: no churn.", bound: .above(0, "must be > 0")),
                .value(
                    "jitter", \.jitter, .number, "Fraction of the age added or removed at random: each age lies in [age*(1-jitter), age*(1+jitter)].",
                    bound: .within(0, 1, "must be a fraction between 0 and 1")),
                .value("distribution", \.distribution, .choice, "fixed (every life lasts age) or exponential (mean age); capped to the hold."),
                .value("reopen_delay", \.reopenDelay, .duration, "Pause between the close and the reopen.", bound: .atLeast(0)),
            ]),
    ]

    static let attribution: [ProfileKey<Profile.AttributionSection>] = [
        .value(
            "headers", \.headers, .stringOrList, "Response headers naming the pod, tried in order (case-insensitive).",
            schema: [("default", .array([.string("X-Pod-Name")]))]),
        .value("cookie", \.cookie, .string, "Affinity cookie name; connections are grouped by its value."),
        .value("cookie_map", \.cookieMap, .stringMap, "Affinity cookie value -> pod name."),
        .custom(
            "first_message", "Read the pod name from the first server message: exactly one of json_path or regex.",
            schema: oneOfObject([
                ("json_path", "Dotted path into the first JSON message, e.g. pod or meta.pod."),
                ("regex", "Regex over the first message; named group pod, else group 1."),
            ]),
            children: names("json_path", "regex"),
            read: { reader, node, path, a throws(ProfileError) in a.firstMessage = try reader.firstMessage(node, path) }),
    ]

    static let pods: [ProfileKey<Profile.PodsSection>] = [
        .list(
            "static", \.staticPods, "Pods listed by hand.",
            [
                .value("name", \.name, .string, "Pod name as reported by attribution."),
                .value("ip", \.ip, .string, "Pod IP address."),
                .value("weight", \.weight, .number, "Relative expected share.", bound: .atLeast(0)),
            ], required: ["name"]),
        .section(
            "discovery", \.discovery, "Discover pods by running a command.",
            [
                .value("namespace", \.namespace, .string, "Namespace, substituted for {namespace}."),
                .value("selector", \.selector, .string, "Label selector, substituted for {selector}."),
                .value(
                    "command", \.command, .command,
                    "Command printing pods as JSON; default kubectl get pods -n {namespace} -l {selector} -o json.", showDefault: false),
            ]),
    ]

    static let serverLogs: [ProfileKey<Profile.ServerLogsSection>] = [
        .value("files", \.files, .stringMap, "Pod name -> log file path."),
        .value("directory", \.directory, .string, "Directory of log files named after pods."),
        .value("command", \.command, .command, "Per-pod log command; placeholders {namespace} {pod} {start}."),
        .custom(
            "stream", "One merged log stream: exactly one of command or stdin: true.",
            schema: oneOfObject(
                [
                    ("command", "Command whose output merges all pods' logs (e.g. kubectl logs --prefix -f)."),
                    ("stdin", "Read the merged log stream from standard input."),
                ],
                schemas: ["command": .object([("$ref", .string("#/$defs/command"))]), "stdin": .object([("const", .bool(true))])]),
            children: names("command", "stdin"),
            read: { reader, node, path, s throws(ProfileError) in s.stream = try reader.logStream(node, path) }),
        .value("pattern", \.pattern, .string, "Regex for a connection-count line; named group count, else group 1."),
        .value("follow", \.follow, .bool, "Keep reading logs during the run."),
    ]

    static let serverMetrics: [ProfileKey<Profile.ServerMetricsSection>] = [
        .value(
            "prometheus", \.prometheus, .string, "Prometheus base URL (http://); its /api/v1/query is asked for every pod's value.",
            schema: [("pattern", .string("^http://"))]),
        .value("query", \.query, .string, "PromQL giving one series per pod, e.g. sum by (pod) (ws_active_connections)."),
        .value(
            "metric", \.metric, .string,
            "Gauge name, optionally with a selector (ws_active_connections{job=\"ws\"}): summed by pod_label through Prometheus, read as is with scrape."
        ),
        .value("pod_label", \.podLabel, .string, "Label naming the pod in Prometheus results."),
        .value(
            "scrape", \.scrape, .string, "Scrape each pod's /metrics directly: URL template with {pod} and {ip} (from pods.static).",
            schema: [("pattern", .string("^http://"))]),
        .value("scrape_urls", \.scrapeUrls, .stringMap, "Pod name -> /metrics URL, scraped directly."),
        .value(
            "scrape_interval", \.scrapeInterval, .duration, "How often the pods are scraped (by Prometheus, or by wsload with scrape).",
            bound: .above(0)),
        .value(
            "wait", \.wait, .duration, "Longest wait after close for a sample newer than close; default twice scrape_interval plus 1 s.",
            bound: .atLeast(0)),
    ]

    static let gate: [ProfileKey<Profile.GateSection>] = [
        .value(
            "max_skew", \.maxSkew, .percent, "Maximum deviation of a pod's share from its expected share, in percent (0-100).",
            bound: .within(0, 100, "must be a percentage between 0 and 100")),
        .value(
            "min_pods_hit", \.minPodsHit, .countOrAll, "Minimum number of pods that must receive connections, or all.",
            bound: .atLeast(1, "must be at least 1 or \"all\"")),
        .value("max_failed", \.maxFailed, .integer, "Maximum failed connections.", bound: .atLeast(0)),
        .value(
            "max_dropped", \.maxDropped, .integer,
            "Maximum connections lost after the 101 (protocol error, pong deadline, reset, abnormal close) and not re-established; 0 whenever another threshold is set.",
            bound: .atLeast(0)),
        .value("require_log_match", \.requireLogMatch, .bool, "Server log counts must match what the client observed."),
        .value(
            "require_metrics_match", \.requireMetricsMatch, .bool,
            "Server metrics counts must match what the client observed; the run is INCOMPLETE when they cannot be read."),
        .value("clients_pinned", \.clientsPinned, .bool, "All connections of a virtual client must land on the same pod."),
        .value("max_upgrade_p99", \.maxUpgradeP99, .duration, "Maximum 99th-percentile upgrade latency.", bound: .above(0)),
        .value(
            "min_new_pod_share", \.minNewPodShare, .percent,
            "Least share of held connections (percent) the pods added during the run hold at its end; needs an event.",
            bound: .within(0, 100, "must be a percentage between 0 and 100")),
        .value(
            "max_time_to_fair", \.maxTimeToFair, .duration,
            "Longest time after the last event until the spread is within max_skew again; needs max_skew and an event."),
        .value(
            "max_reconnect_rate", \.maxReconnectRate, .number,
            "Most reconnects completed within one second anywhere in the run (a reconnect herd after a drain or rollout); measured on the timeline, so keep timeline.interval at 1s or less.",
            bound: .atLeast(0)),
    ]

    static let portForward: [ProfileKey<Profile.PortForwardSection>] = [
        .value(
            "command", \.command, .command,
            "Forward command per pod (no shell); placeholders {namespace} {pod} {localPort} {remotePort}."),
        .value(
            "remote_port", \.remotePort, .integer, "Port on the pod; required when command uses {remotePort} (or pass --remote-port).",
            bound: .within(1, 65535, message: { "port \($0 ?? "") out of range 1-65535" })),
        .value(
            "local_port_base", \.localPortBase, .integer, "Pod i listens on local_port_base + i; 0 picks free local ports.",
            bound: .within(0, 65535, "must be 0 (pick free ports) or a port 1-65535")),
        .value(
            "path", \.path, .string, "URL path requested on the forwarded port: ws://127.0.0.1:{localPort}{path}.",
            schema: [("pattern", .string("^/"))]),
        .value(
            "target", \.target, .integer, "Connections to ramp to per pod (or until the first failing step).",
            bound: .atLeast(1, "must be at least 1 connection")),
        .value("step", \.step, .integer, "Connections added per step.", bound: .atLeast(1, "must be at least 1 connection")),
        .value("step_interval", \.stepInterval, .duration, "Pause between steps."),
        .value("hold", \.hold, .duration, "How long the reached connections are held before closing."),
        .value("parallel", \.parallel, .bool, "Test all pods at once instead of one after another."),
        .value(
            "ready_timeout", \.readyTimeout, .duration,
            "Longest wait for the local port to accept TCP after (re)starting a forward; must be > 0.", bound: .above(0)),
        .section(
            "restart", \.restart, "Restart a forward that exits or stops accepting, with capped exponential backoff and jitter.",
            retry(ForwardRestarts.self)),
        .value(
            "tls", \.tls, .bool,
            "The forwarded port speaks TLS (wss://); certificates are verified with target.tls against target.tls.server_name or the host of target.url, never the forward's local address."
        ),
    ]

    /// `reconnect:` and `portforward.restart:`: the attempt budget, `initial_backoff`, `max_backoff` and `jitter`.
    static func retry<Kind: RetryKind>(_: Kind.Type) -> [ProfileKey<Profile.RetrySection<Kind>>] {
        [
            .value(Kind.profileKey, \.maxAttempts, .integer, Kind.attemptsSummary, bound: .atLeast(0)),
            .value(
                "initial_backoff", \.initialBackoff, .duration, "Delay before the first \(Kind.attemptName); doubles each time. Must be > 0.",
                bound: .above(0)),
            .value("max_backoff", \.maxBackoff, .duration, "Cap on the delay; at least initial_backoff."),
            .value(
                "jitter", \.jitter, .number, "Fraction of each delay that is randomised: the delay lies in [d*(1-jitter), d].",
                bound: .within(0, 1, "must be a fraction between 0 and 1")),
        ]
    }

    /// The `$defs` the key schemas refer to.
    static let definitions: [(String, SchemaJSON)] = [
        (
            "duration",
            .object([
                ("description", .string("Seconds as a number, or a duration such as 500ms, 30s, 2m, 1h30m.")),
                (
                    "oneOf",
                    .array([
                        .object([("type", .string("number")), ("minimum", .integer(0))]),
                        .object([("type", .string("string")), ("pattern", .string("^([0-9]+(\\.[0-9]+)?(h|m|s|ms|us|µs|ns))+$"))]),
                    ])
                ),
            ])
        ),
        (
            "size",
            .object([
                ("description", .string("Bytes as a number, or a size such as 64KiB, 16MiB, 1MB.")),
                (
                    "oneOf",
                    .array([
                        .object([("type", .string("integer")), ("minimum", .integer(0))]),
                        .object([("type", .string("string")), ("pattern", .string("^[0-9]+(\\.[0-9]+)? *([kKmMgG]([iI]?[bB])?|[bB])?$"))]),
                    ])
                ),
            ])
        ),
        (
            "stringOrList",
            .object([
                (
                    "oneOf",
                    .array([
                        .object([("type", .string("string"))]),
                        .object([("type", .string("array")), ("items", .object([("type", .string("string"))]))]),
                    ])
                )
            ])
        ),
        ("command", .object([("type", .string("array")), ("items", .object([("type", .string("string"))])), ("minItems", .integer(1))])),
        ("format", .object([("type", .string("string")), ("enum", .array(ReportFormat.allCases.map { .string($0.rawValue) }))])),
    ]

    // MARK: - Helpers

    /// A closed object of string (or given) keys of which exactly one must be present.
    private static func oneOfObject(_ keys: [(String, String)], schemas: [String: SchemaJSON] = [:]) -> SchemaJSON {
        .object([
            ("type", .string("object")),
            ("additionalProperties", .bool(false)),
            ("oneOf", .array(keys.map { .object([("required", .array([.string($0.0)]))]) })),
            (
                "properties",
                .object(
                    keys.map { key, summary in
                        let base = schemas[key] ?? .object([("type", .string("string"))])
                        guard case .object(var pairs) = base else { return (key, base) }
                        pairs.append(("description", .string(summary)))
                        return (key, .object(pairs))
                    })
            ),
        ])
    }

    /// Leaf key infos for the allowed-key list of a custom section.
    private static func names(_ keys: String...) -> [ProfileKeyInfo] {
        keys.map { ProfileKeyInfo(name: $0, schema: .object([]), children: nil, isList: false) }
    }
}

extension Profile: ProfileSectionValue {}
extension Profile.TargetSection: ProfileSectionValue {}
extension Profile.TLSOptions: ProfileSectionValue {}
extension Profile.ClientsSection: ProfileSectionValue {}
extension Profile.RampSection: ProfileSectionValue {}
extension Profile.TrafficSection: ProfileSectionValue {}
extension Profile.KeepaliveSection: ProfileSectionValue {}
extension Profile.TimeoutsSection: ProfileSectionValue {}
extension Profile.LimitsSection: ProfileSectionValue {}
extension Profile.AttributionSection: ProfileSectionValue {}
extension Profile.PodsSection: ProfileSectionValue {}
extension Profile.Discovery: ProfileSectionValue {}
extension Profile.ServerLogsSection: ProfileSectionValue {}
extension Profile.ServerMetricsSection: ProfileSectionValue {}
extension Profile.ExpectedSection: ProfileSectionValue {}
extension Profile.GateSection: ProfileSectionValue {}
extension Profile.OutputSection: ProfileSectionValue {}
extension Profile.RetrySection: ProfileSectionValue {}
extension Profile.TimelineSection: ProfileSectionValue {}
extension Profile.PortForwardSection: ProfileSectionValue {}
extension Profile.ResolveOverride: ProfileSectionValue {
    init() { self.init(host: "") }
}
extension Profile.LifetimeSection: ProfileSectionValue {}
extension Profile.Preflight: ProfileSectionValue {
    init() { self.init(url: "") }
}
extension Profile.StaticPod: ProfileSectionValue {
    init() { self.init(name: "") }
}
