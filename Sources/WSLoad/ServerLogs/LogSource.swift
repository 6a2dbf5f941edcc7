/// Where server log lines come from while a run is in progress (followed by ``LogCollector``).
public enum LogSource: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// One file holding one pod's log.
    case file(pod: String, path: String)
    /// A directory of per-pod files named `<pod>.log` or `<pod>` (see ``podName(forFileNamed:)``);
    /// files that appear during the run are picked up too.
    case directory(path: String)
    /// One command per pod printing that pod's log (default ``defaultCommandTemplate``); placeholders
    /// `{namespace}`, `{pod}`, `{start}` (RFC 3339 run start) and `{container}`.
    case command(template: CommandTemplate, pods: [String])
    /// One command printing every pod's log as one stream with `kubectl logs --prefix` prefixes
    /// (`[pod/ws-0/server] …`); placeholders `{namespace}`, `{selector}`, `{start}`, `{container}`.
    case stream(command: CommandTemplate)
    /// wsload's standard input, as one prefixed stream like ``stream(command:)``.
    case stdin

    /// `kubectl logs -n {namespace} {pod} --since-time={start} --timestamps -f`.
    public static let defaultCommandTemplate = CommandTemplate.podLogs

    /// `command(template: defaultCommandTemplate, pods: pods)`.
    public static func kubectlLogs(pods: [String]) -> LogSource {
        .command(template: defaultCommandTemplate, pods: pods)
    }

    /// True for sources whose lines name their pod with a prefix (one stream for all pods).
    public var isMultiplexed: Bool {
        switch self {
        case .stream, .stdin: return true
        case .file, .directory, .command: return false
        }
    }

    /// `file ws-0 /var/log/ws-0.log`, `directory logs/`, `command kubectl logs … (3 pods)`, `stream kubectl …`, `stdin`.
    public var description: String {
        switch self {
        case let .file(pod, path): return "file \(pod) \(path)"
        case let .directory(path): return "directory \(path)"
        case let .command(template, pods): return "command \(template) (\(pods.count) pod\(pods.count == 1 ? "" : "s"))"
        case let .stream(command): return "stream \(command)"
        case .stdin: return "stdin"
        }
    }

    /// The pod a directory entry belongs to: `ws-0.log` and `ws-0` give `ws-0`. Hidden files and other
    /// names with a dot (`ws-0.log.1`, `ws-0.log.gz`, `README.md`) give nil and are ignored.
    public static func podName(forFileNamed name: String) -> String? {
        guard !name.isEmpty, !name.hasPrefix(".") else { return nil }
        if name.hasSuffix(".log") {
            let base = String(name.dropLast(4))
            return base.isEmpty || base.contains(".log") ? nil : base
        }
        return name.contains(".") ? nil : name
    }
}
