import Foundation

extension LogCollector: ServerLogFeed {
    /// Problems met while following (see ``LogCollector/errors``).
    public var problems: [String] { errors }
}

/// Builds the server-log feed a profile asks for.
public enum LogFeedFactory {
    /// A feed following every log file in `directory` (files named after pods), with the default pattern.
    public static func directory(_ directory: String, runStart: Date = Date()) throws -> (any ServerLogFeed)? {
        let parser = try ActiveConnectionsParser(referenceDate: runStart)
        return LogCollector(sources: [.directory(path: directory)], configuration: .init(parser: parser, runStart: runStart))
    }

    /// The feed for a profile's `server_logs` section, or nil when it configures none.
    ///
    /// `pods` names the pods for per-pod command templates (from the static list or discovery).
    public static func make(profile: Profile, runStart: Date, pods: [String]? = nil) throws -> (any ServerLogFeed)? {
        let logs = profile.serverLogs
        guard logs.isConfigured else { return nil }
        // The profile's default pattern is the plain form; the parser's default also knows the common variants.
        let pattern = logs.pattern == Profile.ServerLogsSection.defaultPattern ? ActiveConnectionsParser.defaultPattern : logs.pattern
        let parser = try ActiveConnectionsParser(pattern: pattern, referenceDate: runStart)
        var sources: [LogSource] = []
        for (pod, path) in logs.files.sorted(by: { $0.key < $1.key }) { sources.append(.file(pod: pod, path: path)) }
        if let dir = logs.directory { sources.append(.directory(path: dir)) }
        if let command = logs.command {
            let names = pods ?? profile.pods.staticPods.map(\.name)
            guard !names.isEmpty else {
                throw PlanError("server_logs.command needs pods: list them under pods.static or configure pods.discovery")
            }
            sources.append(.command(template: CommandTemplate(command), pods: names))
        }
        switch logs.stream {
        case .command(let argv)?: sources.append(.stream(command: CommandTemplate(argv)))
        case .stdin?: sources.append(.stdin)
        case nil: break
        }
        let discovery = profile.pods.discovery
        let config = LogCollector.Configuration(
            parser: parser, namespace: discovery?.namespace ?? "default",
            selector: discovery?.selector ?? "", runStart: runStart)
        return LogCollector(sources: sources, configuration: config)
    }
}
