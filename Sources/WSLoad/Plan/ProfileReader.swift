import Foundation
import Yams

/// Walks a composed YAML node tree into a ``Profile``, rejecting unknown keys and wrong types with
/// the position of the offending node. Cross-field checks live in `Profile+Validation.swift`.
struct ProfileReader {
    private(set) var map: ProfileSourceMap
    /// Problems found so far; reading goes on past a bad section or an unknown key so all are reported at once.
    private var problems: [ProfileError] = []

    init(file: String) {
        map = ProfileSourceMap(file: file)
    }

    // MARK: - Entry point

    /// Composes `yaml` and reads it; YAML syntax errors become positioned ``ProfileError``s.
    mutating func read(yaml: String) throws(ProfileError) -> Profile {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw syntaxError(error, yaml: yaml)
        } catch {
            throw ProfileError(file: map.file, line: nil, column: nil, keyPath: "", message: "cannot read YAML: \(error)")
        }
        var profile = Profile()
        profile.name = Self.stem(of: map.file)
        map.values[""] = .init(line: 1, column: 1)
        guard let root, !Self.isNull(root) else {
            profile.sourceMap = map
            return profile
        }
        if let mark = root.mark { map.values[""] = .init(line: mark.line, column: mark.column) }
        let fields = try mapping(root, path: "", schema: "")
        read(&profile, fields)
        if let error = ProfileError.combined(problems) { throw error }
        profile.sourceMap = map
        return profile
    }

    /// `profiles/ingress-20conns.yaml` → `ingress-20conns`; `builtin:local-demo` → `local-demo`.
    static func stem(of file: String) -> String {
        var name = file
        if name.hasPrefix("builtin:") { name.removeFirst("builtin:".count) }
        if let slash = name.lastIndex(of: "/") { name = String(name[name.index(after: slash)...]) }
        for ext in [".yaml", ".yml"] where name.hasSuffix(ext) {
            name.removeLast(ext.count)
            break
        }
        return name
    }

    /// A likely cause for libyaml's terser messages.
    static func syntaxHint(_ problem: String) -> String {
        if problem.contains("mapping values are not allowed") {
            return "; check the indentation of this line and the one above, or quote a value that contains \": \""
        }
        if problem.contains("found character that cannot start any token") {
            return "; tabs cannot indent YAML and values starting with @ or ` must be quoted"
        }
        return ""
    }

    /// In a block mapping, the next line after `first` that starts with `key:` at the same column.
    static func repeatedKey(_ key: String, after first: Mark, in yaml: String) -> (line: Int, column: Int)? {
        let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
        guard first.line < lines.count else { return nil }
        let indent = first.column - 1
        for index in first.line..<lines.count {
            let line = lines[index]
            let leading = line.prefix { $0 == " " }.count
            if leading < indent, !line.allSatisfy({ $0 == " " }), !line.drop(while: { $0 == " " }).hasPrefix("#") { return nil }
            let body = line.dropFirst(indent)
            if leading == indent, body.hasPrefix(key), body.dropFirst(key.count).drop(while: { $0 == " " }).hasPrefix(":") {
                return (index + 1, first.column)
            }
        }
        return nil
    }

    private func syntaxError(_ error: YamlError, yaml: String) -> ProfileError {
        func located(_ mark: Mark, _ message: String) -> ProfileError {
            ProfileError(file: map.file, line: mark.line, column: mark.column, keyPath: "", message: message)
        }
        func withContext(_ problem: String, _ context: YamlError.Context?) -> String {
            guard let context else { return "YAML syntax error: \(problem)" }
            return "YAML syntax error: \(problem) (\(context.text) at \(context.mark.line):\(context.mark.column))"
        }
        switch error {
        case let .scanner(context, problem, mark, _),
             let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            return located(mark, withContext(problem, context) + Self.syntaxHint(problem))
        case let .duplicatedKeysInMapping(duplicates, context):
            let key = duplicates.first ?? ""
            let first = context.mark
            let repeated = Self.repeatedKey(key, after: first, in: yaml) ?? (first.line, first.column)
            return ProfileError(file: map.file, line: repeated.line, column: repeated.column, keyPath: "", message: "duplicate key \"\(key)\" (first given at \(first.line):\(first.column))")
        default:
            return ProfileError(file: map.file, line: nil, column: nil, keyPath: "", message: "YAML error: \(error)")
        }
    }

    // MARK: - Sections

    /// Reads every top-level key on its own, so a problem in one section does not hide those in the others.
    private mutating func read(_ p: inout Profile, _ f: Fields) {
        for key in ProfileSchema.allowedKeys[""] ?? [] {
            guard let n = f[key] else { continue }
            do { try read(key, n, &p, f) } catch { problems.append(error) }
        }
    }

    private mutating func read(_ key: String, _ n: Node, _ p: inout Profile, _ f: Fields) throws(ProfileError) {
        switch key {
        case "name": p.name = try string(n, f.path("name"))
        case "description": p.description = try string(n, f.path("description"))
        case "target": p.target = try target(n, f.path("target"))
        case "clients": p.clients = try clients(n, f.path("clients"))
        case "ramp":
            let g = try mapping(n, path: f.path("ramp"), schema: "ramp")
            if let v = g["rate"] { p.ramp.rate = try double(v, g.path("rate")) }
            if let v = g["max_in_flight"] { p.ramp.maxInFlight = try int(v, g.path("max_in_flight")) }
        case "hold": p.hold = try duration(n, f.path("hold"))
        case "traffic":
            let g = try mapping(n, path: f.path("traffic"), schema: "traffic")
            var t = Profile.TrafficSection()
            if let v = g["interval"] { t.interval = try duration(v, g.path("interval")) }
            if let v = g["message"] { t.message = try string(v, g.path("message")) }
            if let v = g["size"] { t.size = try size(v, g.path("size")) }
            p.traffic = t
        case "keepalive":
            let g = try mapping(n, path: f.path("keepalive"), schema: "keepalive")
            var k = Profile.KeepaliveSection()
            if let v = g["ping_interval"] { k.pingInterval = try duration(v, g.path("ping_interval")) }
            if let v = g["pong_timeout"] { k.pongTimeout = try duration(v, g.path("pong_timeout")) }
            p.keepalive = k
        case "timeouts":
            let g = try mapping(n, path: f.path("timeouts"), schema: "timeouts")
            if let v = g["connect"] { p.timeouts.connect = try duration(v, g.path("connect")) }
            if let v = g["tls"] { p.timeouts.tls = try duration(v, g.path("tls")) }
            if let v = g["upgrade"] { p.timeouts.upgrade = try duration(v, g.path("upgrade")) }
            if let v = g["close"] { p.timeouts.close = try duration(v, g.path("close")) }
        case "limits":
            let g = try mapping(n, path: f.path("limits"), schema: "limits")
            if let v = g["max_message_size"] { p.limits.maxMessageSize = try size(v, g.path("max_message_size")) }
            if let v = g["max_frame_size"] { p.limits.maxFrameSize = try size(v, g.path("max_frame_size")) }
        case "attribution": p.attribution = try attribution(n, f.path("attribution"))
        case "pods": p.pods = try pods(n, f.path("pods"))
        case "server_logs": p.serverLogs = try serverLogs(n, f.path("server_logs"))
        case "expected":
            let g = try mapping(n, path: f.path("expected"), schema: "expected")
            if let v = g["weights"] {
                let path = g.path("weights")
                var weights: [String: Double] = [:]
                for (key, value) in try freeMapping(v, path) {
                    weights[key] = try double(value, "\(path).\(key)")
                }
                p.expected.weights = weights
            }
        case "gate": p.gate = try gate(n, f.path("gate"))
        case "output":
            let g = try mapping(n, path: f.path("output"), schema: "output")
            if let v = g["formats"] {
                let path = g.path("formats")
                var formats: [Profile.OutputFormat] = []
                for (i, item) in try list(v, path, allowScalar: true).enumerated() {
                    formats.append(try choice(item, "\(path)[\(i)]", Profile.OutputFormat.self))
                }
                p.output.formats = formats
            }
            if let v = g["out"] { p.output.out = try string(v, g.path("out")) }
        case "reconnect":
            let g = try mapping(n, path: f.path("reconnect"), schema: "reconnect")
            var r = Profile.ReconnectSection()
            if let v = g["max_retries"] { r.maxRetries = try int(v, g.path("max_retries")) }
            if let v = g["initial_backoff"] { r.initialBackoff = try duration(v, g.path("initial_backoff")) }
            if let v = g["max_backoff"] { r.maxBackoff = try duration(v, g.path("max_backoff")) }
            if let v = g["jitter"] { r.jitter = try double(v, g.path("jitter")) }
            p.reconnect = r
        case "timeline":
            let g = try mapping(n, path: f.path("timeline"), schema: "timeline")
            if let v = g["interval"] { p.timeline.interval = try duration(v, g.path("interval")) }
        case "portforward": p.portforward = try portForward(n, f.path("portforward"))
        default: break
        }
    }

    private mutating func portForward(_ node: Node, _ path: String) throws(ProfileError) -> Profile.PortForwardSection {
        let g = try mapping(node, path: path, schema: "portforward")
        var s = Profile.PortForwardSection()
        if let v = g["command"] { s.command = try stringList(v, g.path("command"), allowScalar: false) }
        if let v = g["remote_port"] { s.remotePort = try int(v, g.path("remote_port")) }
        if let v = g["local_port_base"] { s.localPortBase = try int(v, g.path("local_port_base")) }
        if let v = g["path"] { s.path = try string(v, g.path("path")) }
        if let v = g["target"] { s.target = try int(v, g.path("target")) }
        if let v = g["step"] { s.step = try int(v, g.path("step")) }
        if let v = g["step_interval"] { s.stepInterval = try duration(v, g.path("step_interval")) }
        if let v = g["hold"] { s.hold = try duration(v, g.path("hold")) }
        if let v = g["parallel"] { s.parallel = try bool(v, g.path("parallel")) }
        if let v = g["tls"] { s.tls = try bool(v, g.path("tls")) }
        if let v = g["ready_timeout"] { s.readyTimeout = try duration(v, g.path("ready_timeout")) }
        if let v = g["restart"] {
            let h = try mapping(v, path: g.path("restart"), schema: "portforward.restart")
            if let x = h["max_restarts"] { s.restart.maxRestarts = try int(x, h.path("max_restarts")) }
            if let x = h["initial_backoff"] { s.restart.initialBackoff = try duration(x, h.path("initial_backoff")) }
            if let x = h["max_backoff"] { s.restart.maxBackoff = try duration(x, h.path("max_backoff")) }
            if let x = h["jitter"] { s.restart.jitter = try double(x, h.path("jitter")) }
        }
        return s
    }

    private mutating func target(_ node: Node, _ path: String) throws(ProfileError) -> Profile.TargetSection {
        let g = try mapping(node, path: path, schema: "target")
        var t = Profile.TargetSection()
        if let v = g["url"] { t.url = try string(v, g.path("url")) }
        if let v = g["origin"] { t.origin = try string(v, g.path("origin")) }
        if let v = g["subprotocols"] { t.subprotocols = try stringList(v, g.path("subprotocols"), allowScalar: true) }
        if let v = g["headers"] { t.headers = try stringMap(v, g.path("headers")) }
        if let v = g["deflate"] { t.deflate = try bool(v, g.path("deflate")) }
        if let v = g["tls"] {
            let h = try mapping(v, path: g.path("tls"), schema: "target.tls")
            if let x = h["insecure"] { t.tls.insecure = try bool(x, h.path("insecure")) }
            if let x = h["ca_file"] { t.tls.caFile = try string(x, h.path("ca_file")) }
            if let x = h["server_name"] { t.tls.serverName = try string(x, h.path("server_name")) }
            if let x = h["session_resumption"] { t.tls.sessionResumption = try bool(x, h.path("session_resumption")) }
            if let x = h["ciphersuites"] { t.tls.ciphersuites = try string(x, h.path("ciphersuites")) }
        }
        if let v = g["resolve"] {
            let h = try mapping(v, path: g.path("resolve"), schema: "target.resolve")
            let host = try required(h, "host")
            t.resolve = Profile.ResolveOverride(host: try string(host, h.path("host")))
        }
        if let v = g["kind"] { t.kind = try choice(v, g.path("kind"), Profile.TargetKind.self) }
        return t
    }

    private mutating func clients(_ node: Node, _ path: String) throws(ProfileError) -> Profile.ClientsSection {
        let g = try mapping(node, path: path, schema: "clients")
        var c = Profile.ClientsSection()
        if let v = g["count"] { c.count = try int(v, g.path("count")) }
        if let v = g["connections_per_client"] { c.connectionsPerClient = try int(v, g.path("connections_per_client")) }
        if let v = g["connections"] { c.connections = try int(v, g.path("connections")) }
        if let v = g["sources"] { c.sources = try stringList(v, g.path("sources"), allowScalar: true) }
        if let v = g["cookies"] { c.cookies = try choice(v, g.path("cookies"), Profile.CookiePolicy.self) }
        if let v = g["first_connection_first"] { c.firstConnectionFirst = try bool(v, g.path("first_connection_first")) }
        if let v = g["preflight"] {
            let h = try mapping(v, path: g.path("preflight"), schema: "clients.preflight")
            let url = try string(try required(h, "url"), h.path("url"))
            var preflight = Profile.Preflight(url: url)
            if let x = h["method"] { preflight.method = try string(x, h.path("method")) }
            c.preflight = preflight
        }
        if let v = g["headers"] { c.headers = try stringMap(v, g.path("headers")) }
        return c
    }

    private mutating func attribution(_ node: Node, _ path: String) throws(ProfileError) -> Profile.AttributionSection {
        let g = try mapping(node, path: path, schema: "attribution")
        var a = Profile.AttributionSection()
        if let v = g["headers"] { a.headers = try stringList(v, g.path("headers"), allowScalar: true) }
        if let v = g["cookie"] { a.cookie = try string(v, g.path("cookie")) }
        if let v = g["cookie_map"] { a.cookieMap = try stringMap(v, g.path("cookie_map")) }
        if let v = g["first_message"] {
            let h = try mapping(v, path: g.path("first_message"), schema: "attribution.first_message")
            switch (h["json_path"], h["regex"]) {
            case let (jsonPath?, nil): a.firstMessage = .jsonPath(try string(jsonPath, h.path("json_path")))
            case let (nil, regex?): a.firstMessage = .regex(try string(regex, h.path("regex")))
            case (_?, _?):
                throw map.error(h.path("regex"), "give either json_path or regex, not both", atKey: true)
            case (nil, nil):
                throw map.error(h.path, "expected json_path or regex")
            }
        }
        return a
    }

    private mutating func pods(_ node: Node, _ path: String) throws(ProfileError) -> Profile.PodsSection {
        let g = try mapping(node, path: path, schema: "pods")
        var p = Profile.PodsSection()
        if let v = g["static"] {
            let listPath = g.path("static")
            for (i, item) in try list(v, listPath, allowScalar: false).enumerated() {
                let h = try mapping(item, path: "\(listPath)[\(i)]", schema: "pods.static[]")
                var pod = Profile.StaticPod(name: try string(try required(h, "name"), h.path("name")))
                if let x = h["ip"] { pod.ip = try string(x, h.path("ip")) }
                if let x = h["weight"] { pod.weight = try double(x, h.path("weight")) }
                p.staticPods.append(pod)
            }
        }
        if let v = g["discovery"] {
            let h = try mapping(v, path: g.path("discovery"), schema: "pods.discovery")
            var d = Profile.Discovery()
            if let x = h["namespace"] { d.namespace = try string(x, h.path("namespace")) }
            if let x = h["selector"] { d.selector = try string(x, h.path("selector")) }
            if let x = h["command"] { d.command = try stringList(x, h.path("command"), allowScalar: false) }
            p.discovery = d
        }
        return p
    }

    private mutating func serverLogs(_ node: Node, _ path: String) throws(ProfileError) -> Profile.ServerLogsSection {
        let g = try mapping(node, path: path, schema: "server_logs")
        var s = Profile.ServerLogsSection()
        if let v = g["files"] { s.files = try stringMap(v, g.path("files")) }
        if let v = g["directory"] { s.directory = try string(v, g.path("directory")) }
        if let v = g["command"] { s.command = try stringList(v, g.path("command"), allowScalar: false) }
        if let v = g["stream"] {
            let h = try mapping(v, path: g.path("stream"), schema: "server_logs.stream")
            switch (h["command"], h["stdin"]) {
            case let (command?, nil):
                s.stream = .command(try stringList(command, h.path("command"), allowScalar: false))
            case let (nil, stdin?):
                guard try bool(stdin, h.path("stdin")) else {
                    throw map.error(h.path("stdin"), "stdin: false reads nothing; remove the stream section instead")
                }
                s.stream = .stdin
            case (_?, _?):
                throw map.error(h.path("stdin"), "give either command or stdin, not both", atKey: true)
            case (nil, nil):
                throw map.error(h.path, "expected command or stdin: true")
            }
        }
        if let v = g["pattern"] { s.pattern = try string(v, g.path("pattern")) }
        if let v = g["follow"] { s.follow = try bool(v, g.path("follow")) }
        return s
    }

    private mutating func gate(_ node: Node, _ path: String) throws(ProfileError) -> Profile.GateSection {
        let g = try mapping(node, path: path, schema: "gate")
        var s = Profile.GateSection()
        if let v = g["max_skew"] { s.maxSkew = try percent(v, g.path("max_skew")) }
        if let v = g["min_pods_hit"] {
            if v.scalar?.string == "all" {
                s.minPodsHit = .all
            } else {
                guard let n = v.scalar.flatMap({ Int($0.string) }) else {
                    throw map.error(g.path("min_pods_hit"), "expected a number or \"all\", got \(Self.describe(v))")
                }
                s.minPodsHit = .count(n)
            }
        }
        if let v = g["max_failed"] { s.maxFailed = try int(v, g.path("max_failed")) }
        if let v = g["max_dropped"] { s.maxDropped = try int(v, g.path("max_dropped")) }
        if let v = g["require_log_match"] { s.requireLogMatch = try bool(v, g.path("require_log_match")) }
        if let v = g["clients_pinned"] { s.clientsPinned = try bool(v, g.path("clients_pinned")) }
        if let v = g["max_upgrade_p99"] { s.maxUpgradeP99 = try duration(v, g.path("max_upgrade_p99")) }
        return s
    }

    // MARK: - Mappings

    /// The present, non-null keys of one fixed-shape mapping.
    struct Fields {
        /// Key path of the mapping itself ("" for the root).
        let path: String
        var entries: [String: Node] = [:]

        subscript(key: String) -> Node? { entries[key] }

        /// Key path of a child.
        func path(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
    }

    /// Reads a mapping whose keys must all be in `ProfileSchema.allowedKeys[schema]`.
    private mutating func mapping(_ node: Node, path: String, schema: String) throws(ProfileError) -> Fields {
        let allowed = ProfileSchema.allowedKeys[schema] ?? []
        var fields = Fields(path: path)
        for (key, value) in try pairs(node, path, expected: "a mapping with keys \(allowed.joined(separator: ", "))") {
            let childPath = fields.path(key)
            guard allowed.contains(key) else {
                problems.append(map.error(childPath, "unknown key \"\(key)\"; expected one of \(allowed.joined(separator: ", "))"
                    + Suggest.hint(for: key, in: allowed), atKey: true))
                continue
            }
            if !Self.isNull(value) { fields.entries[key] = value }
        }
        return fields
    }

    /// Reads a free-form mapping (any string keys).
    private mutating func freeMapping(_ node: Node, _ path: String) throws(ProfileError) -> [(String, Node)] {
        try pairs(node, path, expected: "a mapping")
    }

    /// Key/value pairs of a mapping, recording positions; `expected` describes the shape for errors.
    private mutating func pairs(_ node: Node, _ path: String, expected: String) throws(ProfileError) -> [(String, Node)] {
        guard case .mapping(let mapping) = node else {
            throw map.error(path, "expected \(expected), got \(Self.describe(node))")
        }
        var result: [(String, Node)] = []
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode else {
                throw located(keyNode, path, "keys must be plain strings, got \(Self.describe(keyNode))")
            }
            let childPath = path.isEmpty ? scalar.string : "\(path).\(scalar.string)"
            if let mark = keyNode.mark { map.keys[childPath] = .init(line: mark.line, column: mark.column) }
            if let mark = value.mark { map.values[childPath] = .init(line: mark.line, column: mark.column) }
            result.append((scalar.string, value))
        }
        return result
    }

    // MARK: - Scalars

    private func located(_ node: Node, _ path: String, _ message: String) -> ProfileError {
        ProfileError(file: map.file, line: node.mark?.line, column: node.mark?.column, keyPath: path, message: message)
    }

    /// Required key of a fixed-shape mapping.
    private func required(_ fields: Fields, _ key: String) throws(ProfileError) -> Node {
        guard let node = fields[key] else {
            throw map.error(fields.path, "missing required key \"\(key)\"")
        }
        return node
    }

    private func scalarText(_ node: Node, _ path: String, expected: String) throws(ProfileError) -> String {
        guard case .scalar(let scalar) = node else {
            throw located(node, path, "expected \(expected), got \(Self.describe(node))")
        }
        return scalar.string
    }

    private func string(_ node: Node, _ path: String) throws(ProfileError) -> String {
        try scalarText(node, path, expected: "a string")
    }

    private func int(_ node: Node, _ path: String) throws(ProfileError) -> Int {
        let text = try scalarText(node, path, expected: "an integer")
        guard let value = Int(text.replacingOccurrences(of: "_", with: "")) else {
            throw located(node, path, "expected an integer, got \(Self.describe(node))")
        }
        return value
    }

    private func double(_ node: Node, _ path: String) throws(ProfileError) -> Double {
        let text = try scalarText(node, path, expected: "a number")
        guard let value = Double(text.replacingOccurrences(of: "_", with: "")), value.isFinite else {
            throw located(node, path, "expected a number, got \(Self.describe(node))")
        }
        return value
    }

    /// A percentage: `25`, `25%` or `12.5%`.
    private func percent(_ node: Node, _ path: String) throws(ProfileError) -> Double {
        var text = try scalarText(node, path, expected: "a percentage")
        if text.hasSuffix("%") { text.removeLast() }
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite else {
            throw located(node, path, "expected a percentage such as 25 or 25%, got \(Self.describe(node))")
        }
        return value
    }

    private func bool(_ node: Node, _ path: String) throws(ProfileError) -> Bool {
        let text = try scalarText(node, path, expected: "true or false")
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw located(node, path, "expected true or false, got \(Self.describe(node))")
        }
    }

    private func duration(_ node: Node, _ path: String) throws(ProfileError) -> ProfileDuration {
        let text = try scalarText(node, path, expected: "a duration")
        guard let value = ProfileDuration(parsing: text) else {
            throw located(node, path,
                "bad duration \(Self.describe(node)); expected seconds (e.g. 30 or 0.5) or a duration such as 500ms, 30s, 2m, 1h30m")
        }
        return value
    }

    private func size(_ node: Node, _ path: String) throws(ProfileError) -> ProfileSize {
        let text = try scalarText(node, path, expected: "a size")
        guard let value = ProfileSize(parsing: text) else {
            throw located(node, path, "bad size \(Self.describe(node)); expected bytes (e.g. 65536) or a size such as 64KiB, 16MiB")
        }
        return value
    }

    private func choice<E: RawRepresentable & CaseIterable>(_ node: Node, _ path: String, _: E.Type) throws(ProfileError) -> E
    where E.RawValue == String {
        let names = E.allCases.map(\.rawValue)
        let text = try scalarText(node, path, expected: "one of \(names.joined(separator: ", "))")
        guard let value = E(rawValue: text) else {
            throw located(node, path, "unknown value \"\(text)\"; expected one of \(names.joined(separator: ", "))"
                + Suggest.hint(for: text, in: names))
        }
        return value
    }

    // MARK: - Collections

    /// Items of a sequence (or, with `allowScalar`, a lone scalar as a one-item list).
    private mutating func list(_ node: Node, _ path: String, allowScalar: Bool) throws(ProfileError) -> [Node] {
        switch node {
        case .sequence(let sequence):
            var items: [Node] = []
            for (i, item) in sequence.enumerated() {
                if let mark = item.mark { map.values["\(path)[\(i)]"] = .init(line: mark.line, column: mark.column) }
                items.append(item)
            }
            return items
        case .scalar where allowScalar:
            if let mark = node.mark { map.values["\(path)[0]"] = .init(line: mark.line, column: mark.column) }
            return [node]
        default:
            throw located(node, path, "expected a list, got \(Self.describe(node))")
        }
    }

    private mutating func stringList(_ node: Node, _ path: String, allowScalar: Bool) throws(ProfileError) -> [String] {
        var result: [String] = []
        for (i, item) in try list(node, path, allowScalar: allowScalar).enumerated() {
            result.append(try string(item, "\(path)[\(i)]"))
        }
        return result
    }

    private mutating func stringMap(_ node: Node, _ path: String) throws(ProfileError) -> [String: String] {
        var result: [String: String] = [:]
        for (key, value) in try freeMapping(node, path) {
            result[key] = Self.isNull(value) ? "" : try string(value, "\(path).\(key)")
        }
        return result
    }

    // MARK: - Helpers

    static func isNull(_ node: Node) -> Bool {
        if case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any {
            return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
        }
        return false
    }

    /// `a mapping`, `a list`, or the scalar quoted.
    static func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar(let scalar): return "\"\(scalar.string)\""
        case .alias: return "an alias"
        }
    }
}
