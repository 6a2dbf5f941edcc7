import Foundation

extension Profile {
    /// Cross-field checks, run once after loading and after command-line overrides.
    ///
    /// Errors point at the offending key in the file the profile came from (when the key came from a
    /// file), or name the flag that set it (`--url: …`). Every problem is reported at once: the thrown
    /// error is the first in file order and carries the others in ``ProfileError/more``.
    /// Pass `requireURL: false` only for commands that do not connect (e.g. `wsload profiles show`).
    public func validate(requireURL: Bool = true) throws(ProfileError) {
        let problems = ProfileProblems()
        checkAll(requireURL: requireURL, problems)
        if let error = ProfileError.combined(problems.errors) { throw error }
    }

    private func checkAll(requireURL: Bool, _ problems: ProfileProblems) {
        let m = sourceMap
        validateTarget(requireURL: requireURL, problems)
        validateClients(problems)

        if let traffic {
            Self.checkPlaceholders(traffic.message, "traffic.message", ProfileSchema.connectionPlaceholders, m, problems)
        }
        if let keepalive {
            if keepalive.pongTimeout >= keepalive.pingInterval {
                problems += m.error(
                    "keepalive.pong_timeout",
                    "must be shorter than keepalive.ping_interval (\(keepalive.pongTimeout) >= \(keepalive.pingInterval))")
            }
        }
        validateAttribution(problems)
        validatePods(problems)
        validateServerLogs(problems)

        for (pod, weight) in expected.weights where weight < 0 {
            problems += m.error("expected.weights.\(pod)", "weight must be >= 0, got \(weight.compactText)")
        }
        if !expected.weights.isEmpty, expected.weights.values.allSatisfy({ $0 == 0 }) {
            problems += m.error("expected.weights", "at least one weight must be > 0")
        }
        validateServerMetrics(problems)
        validateGate(problems)

        validateReconnectAndTimeline(problems)
        validatePortForwardSection(problems)

        if output.formats.isEmpty { problems += m.error("output.formats", "must name at least one format") }
        var seenFormats = Set<OutputFormat>()
        for (i, format) in output.formats.enumerated() where !seenFormats.insert(format).inserted {
            problems += m.error("output.formats[\(i)]", "\"\(format.rawValue)\" is listed twice")
        }
        for (i, e) in events.enumerated() where e.command.first?.isEmpty ?? true {
            problems += m.error("events[\(i)].command", "must name a program to run (argv, no shell)")
        }
        // Each key's own bounds, declared with the key in ProfileKeys.
        for key in ProfileKeys.root { key.check(self, key.name, m, problems) }
    }

    private func validateTarget(requireURL: Bool, _ problems: ProfileProblems) {
        let m = sourceMap
        if let url = target.url {
            if let problem = TargetURL.problem(url, allowedSchemes: ["ws", "wss", "http", "https"]) {
                problems += m.error("target.url", problem)
            }
        } else if requireURL {
            problems += m.error("target.url", "missing; set target.url in the profile or pass --url", atKey: true)
        }
        for (i, value) in target.subprotocols.enumerated() where !HTTPToken.isToken(value) {
            problems += m.error("target.subprotocols[\(i)]", "\"\(value)\" is not a valid subprotocol token")
        }
        Self.checkHeaderNames(target.headers.keys, "target.headers", m, problems)
        if let serverName = target.tls.serverName, serverName.isEmpty { problems += m.error("target.tls.server_name", "must not be empty") }
        if let caFile = target.tls.caFile, caFile.isEmpty { problems += m.error("target.tls.ca_file", "must not be empty") }
        if let suites = target.tls.ciphersuites, let problem = TLSContext.ciphersuitesProblem(suites) {
            problems += m.error("target.tls.ciphersuites", problem)
        }
        if let resolve = target.resolve, resolve.host.isEmpty { problems += m.error("target.resolve.host", "must not be empty") }
    }

    private func validateClients(_ problems: ProfileProblems) {
        let m = sourceMap
        if clients.connections != nil {
            if clients.count != nil || clients.connectionsPerClient != nil {
                let other = clients.count != nil ? "count" : "connections_per_client"
                problems += m.error(
                    "clients.connections",
                    "cannot be combined with clients.\(other); use either connections: N (N clients with one connection each) or count × connections_per_client",
                    atKey: true)
            }
        }
        for (i, text) in clients.sources.enumerated() {
            do {
                _ = try SourceSpec(parsing: text)
            } catch {
                problems += m.error("clients.sources[\(i)]", error.message)
            }
        }
        if let preflight = clients.preflight {
            if let problem = TargetURL.problem(preflight.url, allowedSchemes: ["http", "https"]) {
                problems += m.error("clients.preflight.url", problem)
            }
            if !HTTPToken.isToken(preflight.method) {
                problems += m.error("clients.preflight.method", "\"\(preflight.method)\" is not a valid HTTP method")
            }
        }
        Self.checkHeaderNames(clients.headers.keys, "clients.headers", m, problems)
        for (name, template) in clients.headers.sorted(by: { $0.key < $1.key }) {
            Self.checkPlaceholders(template, "clients.headers.\(name)", ProfileSchema.connectionPlaceholders, m, problems)
        }
    }

    private func validateAttribution(_ problems: ProfileProblems) {
        let m = sourceMap
        Self.checkHeaderNames(attribution.headers, "attribution.headers", m, problems, indexed: true)
        if let cookie = attribution.cookie, !HTTPToken.isToken(cookie) {
            problems += m.error("attribution.cookie", "\"\(cookie)\" is not a valid cookie name")
        }
        switch attribution.firstMessage {
        case .jsonPath(let path)?:
            if path.isEmpty || path.split(separator: ".", omittingEmptySubsequences: false).contains(where: \.isEmpty) {
                problems += m.error("attribution.first_message.json_path", "expected a dotted path such as pod or meta.pod, got \"\(path)\"")
            }
        case .regex(let pattern)?:
            Self.checkRegex(pattern, group: "pod", "attribution.first_message.regex", m, problems)
        case nil:
            break
        }
    }

    private func validatePods(_ problems: ProfileProblems) {
        let m = sourceMap
        var names = Set<String>()
        for (i, pod) in pods.staticPods.enumerated() {
            if pod.name.isEmpty { problems += m.error("pods.static[\(i)].name", "must not be empty") }
            if !names.insert(pod.name).inserted { problems += m.error("pods.static[\(i)].name", "pod \"\(pod.name)\" is listed twice") }
            if let ip = pod.ip, SourceSpec.Address(ip) == nil {
                problems += m.error("pods.static[\(i)].ip", "\"\(ip)\" is not an IPv4 or IPv6 address")
            }
        }
        if let discovery = pods.discovery {
            if discovery.namespace.isEmpty { problems += m.error("pods.discovery.namespace", "must not be empty") }
            if discovery.command.isEmpty { problems += m.error("pods.discovery.command", "must not be empty") }
            for (i, word) in discovery.command.enumerated() {
                Self.checkPlaceholders(word, "pods.discovery.command[\(i)]", ProfileSchema.discoveryPlaceholders, m, problems)
            }
        }
    }

    private func validateServerLogs(_ problems: ProfileProblems) {
        let m = sourceMap
        if let command = serverLogs.command {
            if command.isEmpty { problems += m.error("server_logs.command", "must not be empty") }
            for (i, word) in command.enumerated() {
                Self.checkPlaceholders(word, "server_logs.command[\(i)]", ProfileSchema.logCommandPlaceholders, m, problems)
            }
        }
        if case .command(let command)? = serverLogs.stream, command.isEmpty {
            problems += m.error("server_logs.stream.command", "must not be empty")
        }
        if let directory = serverLogs.directory, directory.isEmpty { problems += m.error("server_logs.directory", "must not be empty") }
        Self.checkRegex(serverLogs.pattern, group: "count", "server_logs.pattern", m, problems)
    }

    private func validateServerMetrics(_ problems: ProfileProblems) {
        let m = sourceMap, sm = serverMetrics
        let sources = [sm.prometheus.map { _ in "prometheus" }, sm.scrape.map { _ in "scrape" }, sm.scrapeUrls.isEmpty ? nil : "scrape_urls"]
            .compactMap { $0 }
        if sources.count > 1 {
            problems += m.error(
                "server_metrics.\(sources[1])", "give one source: prometheus, scrape or scrape_urls, not \(sources.joined(separator: " and "))")
        }
        if sm.prometheus != nil {
            if (sm.query == nil) == (sm.metric == nil) {
                problems += m.error(
                    "server_metrics.prometheus", "needs exactly one of query (PromQL, one series per pod) or metric (summed by pod_label)")
            }
        } else if sm.isConfigured {
            if sm.metric == nil {
                problems += m.error("server_metrics.\(sources.first ?? "scrape")", "needs metric: the gauge to read from each pod's /metrics")
            }
            if sm.query != nil { problems += m.error("server_metrics.query", "is for prometheus; a direct scrape reads metric") }
        } else if sm.query != nil || sm.metric != nil {
            problems += m.error("server_metrics", "needs a source: prometheus (base URL), scrape (URL template) or scrape_urls")
        }
        if let metric = sm.metric, (try? MetricsSelector(metric)) == nil {
            problems += m.error("server_metrics.metric", "is not a metric name with an optional {label=\"value\"} selector, got \"\(metric)\"")
        }
        if let template = sm.scrape {
            Self.checkPlaceholders(template, "server_metrics.scrape", ["pod", "ip"], m, problems)
            if template.contains("{ip}"), pods.staticPods.isEmpty {
                problems += m.error("server_metrics.scrape", "uses {ip}, which comes from pods.static[].ip; no static pods are listed")
            }
        }
    }

    private func validateGate(_ problems: ProfileProblems) {
        let m = sourceMap
        if gate.requireMetricsMatch, !serverMetrics.isConfigured {
            problems += m.error("gate.require_metrics_match", "needs a server metrics source (server_metrics.prometheus, scrape or scrape_urls)")
        }
        if gate.requireLogMatch, !serverLogs.isConfigured {
            problems += m.error(
                "gate.require_log_match",
                "needs a server log source (server_logs.files, directory, command or stream)")
        }
        if gate.maxTimeToFair != nil, gate.maxSkew == nil {
            problems += m.error("gate.max_time_to_fair", "needs gate.max_skew: it is the time until the spread is within max_skew again")
        }
    }

    private func validateReconnectAndTimeline(_ problems: ProfileProblems) {
        let m = sourceMap
        if let reconnect {
            Self.checkBackoff(initial: reconnect.initialBackoff, max: reconnect.maxBackoff, "reconnect", m, problems)
        }
    }

    private func validatePortForwardSection(_ problems: ProfileProblems) {
        guard let pf = portforward else { return }
        let m = sourceMap
        if pf.command.isEmpty || pf.command[0].isEmpty { problems += m.error("portforward.command", "must not be empty") }
        for (i, word) in pf.command.enumerated() {
            Self.checkPlaceholders(word, "portforward.command[\(i)]", ProfileSchema.portForwardPlaceholders, m, problems)
        }
        if !pf.path.hasPrefix("/") { problems += m.error("portforward.path", "must start with \"/\", got \"\(pf.path)\"") }
        if pf.path.contains(where: { $0 == " " || $0 == "#" || $0.isNewline }) {
            problems += m.error("portforward.path", "must not contain spaces, newlines or \"#\", got \"\(pf.path)\"")
        }
        Self.checkBackoff(initial: pf.restart.initialBackoff, max: pf.restart.maxBackoff, "portforward.restart", m, problems)
    }

    /// Checks for running `wsload portforward` with this profile, after ``validate(requireURL:)`` and command-line
    /// overrides: the forward command needs `remote_port` when it uses `{remotePort}`.
    public func validateForPortForward() throws(ProfileError) {
        let pf = portforward ?? PortForwardSection()
        if pf.usesRemotePort, pf.remotePort == nil {
            let path = portforward == nil ? "portforward" : "portforward.remote_port"
            throw sourceMap.error(
                path, "missing; the forward command uses {remotePort}: set portforward.remote_port or pass --remote-port",
                atKey: true)
        }
        if pf.tls, !target.tls.insecure, target.tls.serverName == nil, target.url == nil {
            throw sourceMap.error(
                "portforward.tls",
                "needs the name the pods' certificates are issued for: set target.tls.server_name "
                    + "(or target.url), or target.tls.insecure to skip verification", atKey: true)
        }
    }

    // MARK: - Helpers

    /// Shared by `reconnect` and `portforward.restart` (each value's own bounds are in ProfileKeys).
    static func checkBackoff(
        initial: ProfileDuration, max: ProfileDuration, _ path: String, _ m: ProfileSourceMap,
        _ problems: ProfileProblems
    ) {
        if max < initial {
            problems += m.error("\(path).max_backoff", "must be at least \(path).initial_backoff (\(max) < \(initial))")
        }
    }

    static func checkPlaceholders(_ template: String, _ path: String, _ allowed: [String], _ m: ProfileSourceMap, _ problems: ProfileProblems) {
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            guard let close = rest[open...].firstIndex(of: "}") else { break }
            let name = String(rest[rest.index(after: open)..<close])
            if !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }), !allowed.contains(name) {
                let hint = Suggest.closest(to: name, in: allowed).map { " (did you mean {\($0)}?)" } ?? ""
                problems += m.error(
                    path,
                    "unknown placeholder {\(name)}; expected one of "
                        + allowed.map { "{\($0)}" }.joined(separator: " ") + hint)
            }
            rest = rest[rest.index(after: close)...]
        }
    }

    static func checkHeaderNames<S: Sequence<String>>(
        _ names: S, _ path: String, _ m: ProfileSourceMap, _ problems: ProfileProblems,
        indexed: Bool = false
    ) {
        for (i, name) in names.enumerated() where !HTTPToken.isToken(name) {
            problems += m.error(indexed ? "\(path)[\(i)]" : "\(path).\(name)", "\"\(name)\" is not a valid header name")
        }
    }

    static func checkRegex(_ pattern: String, group: String, _ path: String, _ m: ProfileSourceMap, _ problems: ProfileProblems) {
        let regex: NSRegularExpression
        do {
            regex = try NSRegularExpression(pattern: pattern)
        } catch {
            problems += m.error(path, "invalid regular expression \"\(pattern)\"")
            return
        }
        if regex.numberOfCaptureGroups < 1 {
            problems += m.error(path, "needs a capture group: a named group (?<\(group)>…) or a plain (…)")
        }
    }
}

/// RFC 7230 `token` check for header names, methods, cookie names and subprotocols.
/// The problems found so far by one validation; `problems += error` records one and checking goes on.
final class ProfileProblems {
    /// In the order found.
    private(set) var errors: [ProfileError] = []

    /// Records a problem.
    static func += (problems: ProfileProblems, error: ProfileError) { problems.errors.append(error) }
}

enum HTTPToken {
    static func isToken(_ text: String) -> Bool {
        !text.isEmpty
            && text.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    return true
                default:
                    return "!#$%&'*+-.^_`|~".utf8.contains(byte)
                }
            }
    }
}

/// Minimal URL checks with precise messages (scheme, host, port range).
enum TargetURL {
    /// `nil` if `url` is acceptable, else what is wrong.
    static func problem(_ url: String, allowedSchemes: [String]) -> String? {
        if let problem = WebSocketURL.characterProblem(url) { return problem }
        guard let separator = url.range(of: "://") else {
            return "\"\(url)\" is not a URL; expected e.g. \(allowedSchemes[0])://host:port/path"
        }
        let scheme = url[..<separator.lowerBound].lowercased()
        guard allowedSchemes.contains(scheme) else {
            return "unsupported scheme \"\(scheme)\"; expected one of \(allowedSchemes.joined(separator: ", "))"
                + Suggest.hint(for: scheme, in: allowedSchemes)
        }
        let rest = url[separator.upperBound...]
        var authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        let host: Substring
        var portText: Substring? = nil
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return "unterminated IPv6 address in \"\(url)\"" }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return "unexpected \"\(after)\" after the IPv6 address in \"\(url)\"" }
                portText = after.dropFirst()
            }
            if SourceSpec.Address(String(host)) == nil { return "\"\(host)\" is not an IPv6 address" }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
        }
        if host.isEmpty { return "missing host in \"\(url)\"" }
        if let portText {
            guard let port = Int(portText), !portText.isEmpty, portText.allSatisfy(\.isNumber) else {
                return "bad port \"\(portText)\" in \"\(url)\""
            }
            guard (1...65535).contains(port) else { return "port \(port) out of range 1-65535" }
        }
        return nil
    }
}
