/// The `run` flags that override profile fields, applied in one place so that a later validation error names
/// the flag that set the value (`--url: …`) rather than the profile, and conflicting flags are refused.
public struct ProfileOverrides: Sendable, Equatable {
    /// `--url`.
    public var url: String?
    /// `--clients`.
    public var clients: Int?
    /// `--connections-per-client`.
    public var connectionsPerClient: Int?
    /// `--connections`.
    public var connections: Int?
    /// `--source` (repeatable).
    public var sources: [String] = []
    /// `--cookies`.
    public var cookies: CookiePolicy?
    /// `--hold`, in seconds.
    public var hold: Double?
    /// `--lifetime`, in seconds: `clients.lifetime.age` (the section's other keys stay as the profile has them).
    public var lifetime: Double?
    /// `--rate`.
    public var rate: Double?
    /// `--max-in-flight`.
    public var maxInFlight: Int?
    /// `--max-skew`.
    public var maxSkew: Double?
    /// `--min-pods-hit`.
    public var minPodsHit: Int?
    /// `--max-failed`.
    public var maxFailed: Int?
    /// `--max-dropped`.
    public var maxDropped: Int?
    /// `--require-log-match`.
    public var requireLogMatch = false
    /// `--require-metrics-match`.
    public var requireMetricsMatch = false
    /// `--deflate`.
    public var deflate = false
    /// `--insecure`.
    public var insecure = false
    /// `--ca-file`.
    public var caFile: String?
    /// `--log-file POD=PATH` (repeatable).
    public var logFiles: [String] = []
    /// `--log-dir`.
    public var logDir: String?

    /// No overrides.
    public init() {}

    /// Applies the flags to `profile`, recording which key each flag set.
    ///
    /// Throws when flags contradict each other: `--connections N` means N clients with one connection each,
    /// so it cannot be combined with `--clients` or `--connections-per-client` (before, the later flags
    /// silently won and `--connections 5 --clients 2 --connections-per-client 2` ran 4 connections).
    /// A flag overrides the profile's own sizing keys without a conflict: `--connections` replaces the
    /// profile's `count`/`connections_per_client`, and `--clients`/`--connections-per-client` replace its `connections`.
    public func apply(to p: inout Profile) throws(ProfileError) {
        var problems: [ProfileError] = []
        if connections != nil, clients != nil || connectionsPerClient != nil {
            let others = [clients.map { "--clients \($0)" }, connectionsPerClient.map { "--connections-per-client \($0)" }]
                .compactMap { $0 }.joined(separator: " and ")
            problems.append(
                ProfileError(
                    file: "", line: nil, column: nil, keyPath: "clients.connections",
                    message: "cannot be combined with \(others): --connections N opens N clients with one connection each; "
                        + "give either --connections N or --clients C --connections-per-client K",
                    flag: "--connections"))
        }
        for spec in logFiles {
            guard let eq = spec.firstIndex(of: "="), eq != spec.startIndex, spec.index(after: eq) != spec.endIndex else {
                problems.append(
                    ProfileError(
                        file: "", line: nil, column: nil, keyPath: "server_logs.files",
                        message: "\"\(spec)\": expected POD=PATH, e.g. --log-file ws-0=logs/ws-0.log", flag: "--log-file"))
                continue
            }
            let pod = String(spec[..<eq])
            p.serverLogs.files[pod] = String(spec[spec.index(after: eq)...])
            p.sourceMap.flags["server_logs.files.\(pod)"] = "--log-file"
        }
        if let error = ProfileError.combined(problems) { throw error }

        func set(_ key: String, _ flag: String) { p.sourceMap.flags[key] = flag }
        if let url { p.target.url = url; set("target.url", "--url") }
        if let connections {
            p.clients.connections = connections; p.clients.count = nil; p.clients.connectionsPerClient = nil
            set("clients.connections", "--connections")
        }
        if let clients { p.clients.count = clients; p.clients.connections = nil; set("clients.count", "--clients") }
        if let connectionsPerClient {
            p.clients.connectionsPerClient = connectionsPerClient; p.clients.connections = nil
            set("clients.connections_per_client", "--connections-per-client")
        }
        if !sources.isEmpty { p.clients.sources = sources; set("clients.sources", "--source") }
        if let cookies { p.clients.cookies = cookies; set("clients.cookies", "--cookies") }
        if let hold { p.hold = .seconds(hold); set("hold", "--hold") }
        if let lifetime {
            var section = p.clients.lifetime ?? Profile.LifetimeSection()
            section.age = .seconds(lifetime)
            p.clients.lifetime = section
            set("clients.lifetime.age", "--lifetime")
        }
        if let rate { p.ramp.rate = rate; set("ramp.rate", "--rate") }
        if let maxInFlight { p.ramp.maxInFlight = maxInFlight; set("ramp.max_in_flight", "--max-in-flight") }
        if let maxSkew { p.gate.maxSkew = maxSkew; set("gate.max_skew", "--max-skew") }
        if let minPodsHit { p.gate.minPodsHit = .count(minPodsHit); set("gate.min_pods_hit", "--min-pods-hit") }
        if let maxFailed { p.gate.maxFailed = maxFailed; set("gate.max_failed", "--max-failed") }
        if let maxDropped { p.gate.maxDropped = maxDropped; set("gate.max_dropped", "--max-dropped") }
        if requireLogMatch { p.gate.requireLogMatch = true; set("gate.require_log_match", "--require-log-match") }
        if requireMetricsMatch { p.gate.requireMetricsMatch = true; set("gate.require_metrics_match", "--require-metrics-match") }
        if deflate { p.target.deflate = true; set("target.deflate", "--deflate") }
        if insecure { p.target.tls.insecure = true; set("target.tls.insecure", "--insecure") }
        if let caFile { p.target.tls.caFile = caFile; set("target.tls.ca_file", "--ca-file") }
        if let logDir { p.serverLogs.directory = logDir; set("server_logs.directory", "--log-dir") }
    }
}
