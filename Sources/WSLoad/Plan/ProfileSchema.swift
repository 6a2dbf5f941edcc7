/// The keys allowed at each level of a profile, in documentation order, derived from the key table
/// (`ProfileKeys`). The reader rejects anything else (with a "did you mean").
/// Paths use `.` between mapping keys and `[]` for "every item of a list".
enum ProfileSchema {
    /// The top-level keys.
    static let root = ProfileKeys.root.map(\.name)

    /// Allowed keys of every fixed-shape mapping, by path. Free-form maps (headers, cookie_map, files,
    /// weights) are not listed: any key is allowed there.
    static let allowedKeys: [String: [String]] = {
        var table: [String: [String]] = [:]
        func add(_ path: String, _ keys: [ProfileKeyInfo]) {
            table[path] = keys.map(\.name)
            for key in keys {
                guard let children = key.children else { continue }
                let child = path.isEmpty ? key.name : "\(path).\(key.name)"
                add(key.isList ? child + "[]" : child, children)
            }
        }
        add("", ProfileKeys.root.map { $0.describe() })
        return table
    }()

    /// Placeholders allowed in per-connection templates (`clients.headers`, `traffic.message`).
    static let connectionPlaceholders = ["client", "conn", "index", "source"]
    /// Placeholders allowed in `pods.discovery.command`.
    static let discoveryPlaceholders = ["namespace", "selector"]
    /// Placeholders allowed in `server_logs.command`.
    static let logCommandPlaceholders = ["namespace", "pod", "start"]
    /// Placeholders allowed in `portforward.command`.
    static let portForwardPlaceholders = Profile.PortForwardSection.placeholders
}
