import Yams

/// A section of a profile that the key table can fill: every section has a default value.
protocol ProfileSectionValue: Sendable {
    init()
}

/// One key of a profile, declared once (in `ProfileKeys`): its name, what it means, how it is read from
/// YAML, its bounds, and — from the section's default value — its default. The reader, the single-key
/// checks of validation, the allowed-key lists and `docs/profile.schema.json` are all made from these.
struct ProfileKey<Root>: Sendable {
    /// The YAML key.
    let name: String
    /// Description and schema of the key (computed on demand: defaults come from `Root()`).
    let describe: @Sendable () -> ProfileKeyInfo
    /// Reads `node` (at key path `path`) into `root`.
    let read: @Sendable (inout ProfileReader, Node, String, inout Root) throws(ProfileError) -> Void
    /// The key's own checks on a loaded (and overridden) value; `path` is the key's path.
    let check: @Sendable (Root, String, ProfileSourceMap, ProfileProblems) -> Void
}

/// What a key is, for the schema and the allowed-key lists.
struct ProfileKeyInfo: Sendable {
    /// The YAML key.
    let name: String
    /// Its JSON Schema (with description, bounds and default).
    let schema: SchemaJSON
    /// For a section: its keys; `isList` when the key holds a list of such sections.
    let children: [ProfileKeyInfo]?
    let isList: Bool
}

/// A numeric bound checked after command-line overrides (so `--rate 0` is caught as `ramp.rate: 0` is).
struct ProfileBound: Sendable {
    var minimum: Double?
    var exclusiveMinimum = false
    var maximum: Double?
    /// The message for a value outside the bound, given the value as written (nil when not shown).
    let message: @Sendable (String?) -> String

    /// `> x`; the message `must be > x` (or `text`) and the value.
    static func above(_ x: Double, _ text: String? = nil) -> ProfileBound {
        let text = text ?? "must be > \(x.compactText)"
        return ProfileBound(minimum: x, exclusiveMinimum: true, message: { value in value.map { "\(text), got \($0)" } ?? text })
    }

    /// `>= x`; the message `text` (default `must be >= x`) and the value.
    static func atLeast(_ x: Double, _ text: String? = nil) -> ProfileBound {
        let text = text ?? "must be >= \(x.compactText)"
        return ProfileBound(minimum: x, message: { value in value.map { "\(text), got \($0)" } ?? text })
    }

    /// `lo...hi`; the message `text` and the value.
    static func within(_ lo: Double, _ hi: Double, _ text: String) -> ProfileBound {
        ProfileBound(minimum: lo, maximum: hi, message: { value in value.map { "\(text), got \($0)" } ?? text })
    }

    /// `lo...hi` with a message of its own.
    static func within(_ lo: Double, _ hi: Double, message: @escaping @Sendable (String?) -> String) -> ProfileBound {
        ProfileBound(minimum: lo, maximum: hi, message: message)
    }

    /// Whether `x` is inside.
    func admits(_ x: Double) -> Bool {
        guard !x.isNaN else { return false }
        if let minimum, exclusiveMinimum ? x <= minimum : x < minimum { return false }
        if let maximum, x > maximum { return false }
        return true
    }

    /// `minimum` / `exclusiveMinimum` / `maximum` for a numeric schema.
    var schema: [(String, SchemaJSON)] {
        var out: [(String, SchemaJSON)] = []
        if let minimum { out.append((exclusiveMinimum ? "exclusiveMinimum" : "minimum", .number(minimum))) }
        if let maximum { out.append(("maximum", .number(maximum))) }
        return out
    }
}

/// How one kind of value is read from YAML, described in the schema and shown in messages.
struct ProfileValueType<V: Sendable>: Sendable {
    /// Its JSON Schema, without description.
    let schema: SchemaJSON
    /// Reads it from a node at a key path.
    let parse: @Sendable (inout ProfileReader, Node, String) throws(ProfileError) -> V
    /// The value as a number, for bounds (nil: no bound applies).
    let number: @Sendable (V) -> Double?
    /// The value as shown after "got" in a bound's message (nil: not shown).
    let shown: @Sendable (V) -> String?
    /// The value as the schema's `default` (nil: none shown, e.g. an empty list).
    let json: @Sendable (V) -> SchemaJSON?
}

extension ProfileKey where Root: ProfileSectionValue {
    /// A scalar (or list/map) key stored at `keyPath`.
    static func value<V>(
        _ name: String, _ keyPath: any WritableKeyPath<Root, V> & Sendable, _ type: ProfileValueType<V>, _ summary: String,
        bound: ProfileBound? = nil, schema extra: [(String, SchemaJSON)] = [], showDefault: Bool = true
    ) -> ProfileKey {
        ProfileKey(
            name: name,
            describe: {
                var schema = Self.describe(type.schema, summary, bound: bound, extra: extra)
                if showDefault, let value = type.json(Root()[keyPath: keyPath]) { schema = schema.merging([("default", value)]) }
                return ProfileKeyInfo(name: name, schema: schema, children: nil, isList: false)
            },
            read: { reader, node, path, root throws(ProfileError) in root[keyPath: keyPath] = try type.parse(&reader, node, path) },
            check: { root, path, map, problems in
                let value = root[keyPath: keyPath]
                if let bound, let x = type.number(value), !bound.admits(x) { problems += map.error(path, bound.message(type.shown(value))) }
            })
    }

    /// An optional key stored at `keyPath` (nil when absent).
    static func value<V>(
        _ name: String, _ keyPath: any WritableKeyPath<Root, V?> & Sendable, _ type: ProfileValueType<V>, _ summary: String,
        bound: ProfileBound? = nil, schema extra: [(String, SchemaJSON)] = [], showDefault: Bool = true
    ) -> ProfileKey {
        ProfileKey(
            name: name,
            describe: {
                var schema = Self.describe(type.schema, summary, bound: bound, extra: extra)
                if showDefault, let value = Root()[keyPath: keyPath].flatMap(type.json) { schema = schema.merging([("default", value)]) }
                return ProfileKeyInfo(name: name, schema: schema, children: nil, isList: false)
            },
            read: { reader, node, path, root throws(ProfileError) in root[keyPath: keyPath] = try type.parse(&reader, node, path) },
            check: { root, path, map, problems in
                guard let value = root[keyPath: keyPath] else { return }
                if let bound, let x = type.number(value), !bound.admits(x) { problems += map.error(path, bound.message(type.shown(value))) }
            })
    }

    /// A nested section (a mapping with keys of its own) stored at `keyPath`.
    static func section<S: ProfileSectionValue>(
        _ name: String, _ keyPath: any WritableKeyPath<Root, S> & Sendable, _ summary: String,
        _ keys: [ProfileKey<S>], required: [String] = [],
        schema extra: [(String, SchemaJSON)] = []
    ) -> ProfileKey {
        ProfileKey(
            name: name,
            describe: { Self.sectionInfo(name, summary, keys, required: required, extra: extra) },
            read: { reader, node, path, root throws(ProfileError) in
                try reader.readSection(node, path, keys, required: required, into: &root[keyPath: keyPath])
            },
            check: { root, path, map, problems in
                for key in keys { key.check(root[keyPath: keyPath], "\(path).\(key.name)", map, problems) }
            })
    }

    /// An optional section: absent is nil; present starts from the section's defaults.
    static func section<S: ProfileSectionValue>(
        _ name: String, _ keyPath: any WritableKeyPath<Root, S?> & Sendable, _ summary: String,
        _ keys: [ProfileKey<S>], required: [String] = [],
        schema extra: [(String, SchemaJSON)] = []
    ) -> ProfileKey {
        ProfileKey(
            name: name,
            describe: { Self.sectionInfo(name, summary, keys, required: required, extra: extra) },
            read: { reader, node, path, root throws(ProfileError) in
                var value = S()
                try reader.readSection(node, path, keys, required: required, into: &value)
                root[keyPath: keyPath] = value
            },
            check: { root, path, map, problems in
                guard let value = root[keyPath: keyPath] else { return }
                for key in keys { key.check(value, "\(path).\(key.name)", map, problems) }
            })
    }

    /// A list of sections, each item read from the section's defaults.
    static func list<S: ProfileSectionValue>(
        _ name: String, _ keyPath: any WritableKeyPath<Root, [S]> & Sendable, _ summary: String,
        _ keys: [ProfileKey<S>], required: [String] = []
    ) -> ProfileKey {
        ProfileKey(
            name: name,
            describe: {
                let item = Self.sectionInfo(name, nil, keys, required: required)
                let schema = SchemaJSON.object([("type", .string("array")), ("description", .string(summary)), ("items", item.schema)])
                return ProfileKeyInfo(name: name, schema: schema, children: item.children, isList: true)
            },
            read: { reader, node, path, root throws(ProfileError) in
                var items: [S] = []
                for (i, itemNode) in try reader.list(node, path, allowScalar: false).enumerated() {
                    var item = S()
                    try reader.readSection(itemNode, "\(path)[\(i)]", keys, required: required, into: &item)
                    items.append(item)
                }
                root[keyPath: keyPath] = items
            },
            check: { root, path, map, problems in
                for (i, item) in root[keyPath: keyPath].enumerated() {
                    for key in keys { key.check(item, "\(path)[\(i)].\(key.name)", map, problems) }
                }
            })
    }

    /// A key with a shape of its own (one of two sub-keys, say): its schema and reader given whole.
    static func custom(
        _ name: String, _ summary: String, schema: SchemaJSON, children: [ProfileKeyInfo]? = nil,
        read: @escaping @Sendable (inout ProfileReader, Node, String, inout Root) throws(ProfileError) -> Void
    ) -> ProfileKey {
        ProfileKey(
            name: name,
            describe: {
                ProfileKeyInfo(name: name, schema: Self.describe(schema, summary, bound: nil, extra: []), children: children, isList: false)
            },
            read: read,
            check: { _, _, _, _ in })
    }

    /// `schema` with the description after its type and then the bound and extra keys.
    private static func describe(_ schema: SchemaJSON, _ summary: String, bound: ProfileBound?, extra: [(String, SchemaJSON)]) -> SchemaJSON {
        guard case .object(var pairs) = schema else { return schema }
        let typeKeys = pairs.prefix { ["type", "$ref"].contains($0.0) }.count
        pairs.insert(("description", .string(summary)), at: typeKeys)
        if let bound, case .string(let t)? = schema["type"], t == "integer" || t == "number" { pairs += bound.schema }
        return SchemaJSON.object(pairs).merging(extra)
    }

    private static func sectionInfo<S: ProfileSectionValue>(
        _ name: String, _ summary: String?, _ keys: [ProfileKey<S>],
        required: [String], extra: [(String, SchemaJSON)] = []
    ) -> ProfileKeyInfo {
        let children = keys.map { $0.describe() }
        var pairs: [(String, SchemaJSON)] = [("type", .string("object"))]
        if let summary { pairs.append(("description", .string(summary))) }
        pairs.append(("additionalProperties", .bool(false)))
        if !required.isEmpty { pairs.append(("required", .array(required.map { .string($0) }))) }
        pairs += extra
        pairs.append(("properties", .object(children.map { ($0.name, $0.schema) })))
        return ProfileKeyInfo(name: name, schema: .object(pairs), children: children, isList: false)
    }
}

extension Double {
    /// `25` rather than `25.0`.
    var compactText: String {
        self == rounded() && abs(self) < 1e15 ? String(Int(self)) : String(self)
    }
}
