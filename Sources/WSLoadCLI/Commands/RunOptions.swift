import ArgumentParser
import Foundation
import WSLoad

/// The options of `run`, shared with the root command so `wsload --profile X` works.
struct RunOptions: ParsableArguments {
    @Option(
        name: .customLong("profile"), help: "Profile name (profiles/NAME.yaml, $WSLOAD_PROFILES, built-in) or path.",
        completion: .profileNames)
    var profileName: String?
    @Option(help: "Target URL (ws://, wss://).")
    var url: String?
    @Option(help: "Virtual clients.")
    var clients: Int?
    @Option(help: "Connections per virtual client.")
    var connectionsPerClient: Int?
    @Option(help: "Total connections, one virtual client each (instead of --clients/--connections-per-client).")
    var connections: Int?
    @Option(name: .customLong("source"), help: "Source addresses: address, range a-b, CIDR, or interface:NAME (repeatable).")
    var sources: [String] = []
    @Option(help: "Cookie policy: none, shared, per-client, per-connection.")
    var cookies: CookiePolicy?
    @Option(help: "How long to hold the connections (e.g. 30s, 2m).")
    var hold: DurationArgument?
    @Option(help: "Connection lifetime churn: close (1000) and reopen each connection after this age (clients.lifetime.age).")
    var lifetime: DurationArgument?
    @Option(help: "Connection attempts per second.")
    var rate: Double?
    @Option(help: "Most handshakes in flight at once.")
    var maxInFlight: Int?
    @Option(name: .customLong("format"), help: "Output format: table, json, junit, markdown, svg, html (repeatable).")
    var formats: [ReportFormat] = []
    @Option(help: "Directory for report files and connections.jsonl.")
    var out: String?
    @Flag(help: "No progress output; the report still prints.")
    var quiet = false
    @Option(help: "Gate: largest allowed deviation from the expected share, in percent.")
    var maxSkew: Double?
    @Option(help: "Gate: at least this many pods must receive connections.")
    var minPodsHit: Int?
    @Option(help: "Gate: most failed connection attempts allowed.")
    var maxFailed: Int?
    @Option(help: "Gate: most connections allowed to drop after the 101 (default 0 whenever a gate is set).")
    var maxDropped: Int?
    @Flag(help: "Gate: every pod's log delta must equal wsload's count.")
    var requireLogMatch = false
    @Flag(help: "Gate: every pod's server-metrics delta must equal wsload's count (server_metrics in the profile); INCOMPLETE when unreadable.")
    var requireMetricsMatch = false
    @Option(name: .customLong("log-file"), help: "Server log of one pod, POD=PATH (repeatable).")
    var logFiles: [String] = []
    @Option(help: "Directory of server logs named after pods.")
    var logDir: String?
    @Option(name: .customLong("pod"), help: "A pod expected to receive connections (repeatable; default: pods seen).")
    var pods: [String] = []
    @Flag(help: "Offer permessage-deflate.")
    var deflate = false
    @Flag(help: "Do not verify the server certificate (wss://).")
    var insecure = false
    @Option(help: "PEM bundle of CAs to trust (wss://).")
    var caFile: String?
    @Option(help: "Run only shard i of N (0-based): the virtual clients with client % N == i; merge the reports with `wsload merge`.")
    var shard: ShardSpec?
    @Option(help: "Worker processes on this machine (default: as many as the file-descriptor limit requires, usually 1).")
    var workers: Int?
    @Flag(help: "Also print the JSON report on standard output between WSLOAD-REPORT-BEGIN and WSLOAD-REPORT-END lines (for `wsload collect`).")
    var emitReportJson = false
    @Option(help: "While the run goes, serve its live metrics (OpenMetrics) at http://ADDR/metrics for a Prometheus to scrape, e.g. 127.0.0.1:9464.")
    var metricsListen: String?
    @Option(help: .hidden)
    var workerIpc: String?

    /// The flags that override profile fields.
    var overrides: ProfileOverrides {
        var o = ProfileOverrides()
        o.url = url; o.clients = clients; o.connectionsPerClient = connectionsPerClient; o.connections = connections
        o.sources = sources; o.cookies = cookies; o.hold = hold?.seconds; o.lifetime = lifetime?.seconds; o.rate = rate; o.maxInFlight = maxInFlight
        o.maxSkew = maxSkew; o.minPodsHit = minPodsHit; o.maxFailed = maxFailed; o.maxDropped = maxDropped; o.requireLogMatch = requireLogMatch
        o.requireMetricsMatch = requireMetricsMatch
        o.deflate = deflate; o.insecure = insecure; o.caFile = caFile; o.logFiles = logFiles; o.logDir = logDir
        return o
    }
}

extension CookiePolicy: ExpressibleByArgument {}
extension ShardSpec: ExpressibleByArgument {
    public init?(argument: String) { self.init(parsing: argument) }
}
extension ReportFormat: ExpressibleByArgument {}
