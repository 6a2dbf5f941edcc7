/// The keys allowed at each level of a profile, in documentation order.
///
/// The reader rejects anything else (with a "did you mean"), and a test checks that
/// `docs/profile.schema.json` declares exactly these keys at the same places.
/// Paths use `.` between mapping keys and `[]` for "every item of a list".
enum ProfileSchema {
    static let root = [
        "name", "description", "target", "clients", "ramp", "hold", "traffic", "keepalive", "timeouts",
        "limits", "attribution", "pods", "server_logs", "expected", "gate", "output", "reconnect", "timeline", "portforward",
    ]

    /// Allowed keys of every fixed-shape mapping, by path. Free-form maps (headers, cookie_map, files,
    /// weights) are not listed: any key is allowed there.
    static let allowedKeys: [String: [String]] = [
        "": root,
        "target": ["url", "origin", "subprotocols", "headers", "deflate", "tls", "resolve", "kind"],
        "target.tls": ["insecure", "ca_file", "server_name", "session_resumption", "ciphersuites"],
        "target.resolve": ["host"],
        "clients": [
            "count", "connections_per_client", "connections", "sources", "cookies", "first_connection_first",
            "preflight", "headers",
        ],
        "clients.preflight": ["url", "method"],
        "ramp": ["rate", "max_in_flight"],
        "traffic": ["interval", "message", "size"],
        "keepalive": ["ping_interval", "pong_timeout"],
        "timeouts": ["connect", "tls", "upgrade", "close"],
        "limits": ["max_message_size", "max_frame_size"],
        "attribution": ["headers", "cookie", "cookie_map", "first_message"],
        "attribution.first_message": ["json_path", "regex"],
        "pods": ["static", "discovery"],
        "pods.static[]": ["name", "ip", "weight"],
        "pods.discovery": ["namespace", "selector", "command"],
        "server_logs": ["files", "directory", "command", "stream", "pattern", "follow"],
        "server_logs.stream": ["command", "stdin"],
        "expected": ["weights"],
        "gate": ["max_skew", "min_pods_hit", "max_failed", "max_dropped", "require_log_match", "clients_pinned", "max_upgrade_p99"],
        "output": ["formats", "out"],
        "reconnect": ["max_retries", "initial_backoff", "max_backoff", "jitter"],
        "timeline": ["interval"],
        "portforward": [
            "command", "remote_port", "local_port_base", "path", "target", "step", "step_interval", "hold", "parallel",
            "ready_timeout", "restart", "tls",
        ],
        "portforward.restart": ["max_restarts", "initial_backoff", "max_backoff", "jitter"],
    ]

    /// Placeholders allowed in per-connection templates (`clients.headers`, `traffic.message`).
    static let connectionPlaceholders = ["client", "conn", "index", "source"]
    /// Placeholders allowed in `pods.discovery.command`.
    static let discoveryPlaceholders = ["namespace", "selector"]
    /// Placeholders allowed in `server_logs.command`.
    static let logCommandPlaceholders = ["namespace", "pod", "start"]
    /// Placeholders allowed in `portforward.command`.
    static let portForwardPlaceholders = Profile.PortForwardSection.placeholders
}
