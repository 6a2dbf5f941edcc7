import Yams

// The kinds of value a profile key can hold: how each is read, described in the schema and shown.

extension ProfileValueType where V == String {
    /// Any string.
    static var string: Self {
        Self(
            schema: .object([("type", .string("string"))]), parse: { r, n, p throws(ProfileError) in try r.string(n, p) },
            number: { _ in nil }, shown: { "\"\($0)\"" }, json: { $0.isEmpty ? nil : .string($0) })
    }
}

extension ProfileValueType where V == Int {
    /// An integer (`_` separators allowed).
    static var integer: Self {
        Self(
            schema: .object([("type", .string("integer"))]), parse: { r, n, p throws(ProfileError) in try r.int(n, p) },
            number: { Double($0) }, shown: { String($0) }, json: { .integer($0) })
    }
}

extension ProfileValueType where V == Double {
    /// A finite number.
    static var number: Self {
        Self(
            schema: .object([("type", .string("number"))]), parse: { r, n, p throws(ProfileError) in try r.double(n, p) },
            number: { $0 }, shown: { $0.compactText }, json: { .number($0) })
    }

    /// A percentage: `25`, `25%` or `12.5%`.
    static var percent: Self {
        Self(
            schema: .object([
                (
                    "oneOf",
                    .array([
                        .object([("type", .string("number")), ("minimum", .integer(0)), ("maximum", .integer(100))]),
                        .object([("type", .string("string")), ("pattern", .string("^[0-9.]+ *%$"))]),
                    ])
                )
            ]),
            parse: { r, n, p throws(ProfileError) in try r.percent(n, p) }, number: { $0 }, shown: { $0.compactText }, json: { .number($0) })
    }
}

extension ProfileValueType where V == Bool {
    /// `true` / `false` (also yes/no, on/off).
    static var bool: Self {
        Self(
            schema: .object([("type", .string("boolean"))]), parse: { r, n, p throws(ProfileError) in try r.bool(n, p) },
            number: { _ in nil }, shown: { String($0) }, json: { .bool($0) })
    }
}

extension ProfileValueType where V == ProfileDuration {
    /// Seconds or `500ms`, `30s`, `2m`, `1h30m`.
    static var duration: Self {
        Self(
            schema: .object([("$ref", .string("#/$defs/duration"))]), parse: { r, n, p throws(ProfileError) in try r.duration(n, p) },
            number: { $0.seconds }, shown: { _ in nil }, json: { .string($0.description) })
    }
}

extension ProfileValueType where V == ProfileSize {
    /// Bytes or `64KiB`, `16MiB`.
    static var size: Self {
        Self(
            schema: .object([("$ref", .string("#/$defs/size"))]), parse: { r, n, p throws(ProfileError) in try r.size(n, p) },
            number: { Double($0.bytes) }, shown: { _ in nil }, json: { $0.bytes == 0 ? .integer(0) : .string($0.description) })
    }
}

extension ProfileValueType where V == [String] {
    /// One string or a list of them.
    static var stringOrList: Self {
        Self(
            schema: .object([("$ref", .string("#/$defs/stringOrList"))]),
            parse: { r, n, p throws(ProfileError) in try r.stringList(n, p, allowScalar: true) },
            number: { _ in nil }, shown: { _ in nil }, json: { $0.isEmpty ? nil : .array($0.map { .string($0) }) })
    }

    /// A program and its arguments (run without a shell): a non-empty list.
    static var command: Self {
        Self(
            schema: .object([("$ref", .string("#/$defs/command"))]),
            parse: { r, n, p throws(ProfileError) in try r.stringList(n, p, allowScalar: false) },
            number: { _ in nil }, shown: { _ in nil }, json: { $0.isEmpty ? nil : .array($0.map { .string($0) }) })
    }
}

extension ProfileValueType where V == [String: String] {
    /// A mapping of free names to scalar values (headers, cookie maps, files).
    static var stringMap: Self {
        Self(
            schema: .object([
                ("type", .string("object")),
                ("additionalProperties", .object([("type", .array([.string("string"), .string("number"), .string("boolean")]))])),
            ]),
            parse: { r, n, p throws(ProfileError) in try r.stringMap(n, p) },
            number: { _ in nil }, shown: { _ in nil }, json: { _ in nil })
    }
}

extension ProfileValueType where V == [String: Double] {
    /// A mapping of free names to numbers (weights).
    static var numberMap: Self {
        Self(
            schema: .object([
                ("type", .string("object")),
                ("additionalProperties", .object([("type", .string("number")), ("minimum", .integer(0))])),
            ]),
            parse: { r, n, p throws(ProfileError) in try r.numberMap(n, p) },
            number: { _ in nil }, shown: { _ in nil }, json: { _ in nil })
    }
}

extension ProfileValueType where V: RawRepresentable & CaseIterable, V.RawValue == String {
    /// One of the enumeration's raw values.
    static var choice: Self {
        Self(
            schema: .object([("type", .string("string")), ("enum", .array(V.allCases.map { .string($0.rawValue) }))]),
            parse: { r, n, p throws(ProfileError) in try r.choice(n, p, V.self) },
            number: { _ in nil }, shown: { "\"\($0.rawValue)\"" }, json: { .string($0.rawValue) })
    }
}

extension ProfileValueType where V == [ReportFormat] {
    /// One format or a list of distinct formats.
    static var formats: Self {
        let one = SchemaJSON.object([("$ref", .string("#/$defs/format"))])
        return Self(
            schema: .object([
                (
                    "oneOf",
                    .array([
                        one,
                        .object([
                            ("type", .string("array")), ("items", one),
                            ("uniqueItems", .bool(true)), ("minItems", .integer(1)),
                        ]),
                    ])
                )
            ]),
            parse: { r, n, p throws(ProfileError) in
                var formats: [ReportFormat] = []
                for (i, item) in try r.list(n, p, allowScalar: true).enumerated() {
                    formats.append(try r.choice(item, "\(p)[\(i)]", ReportFormat.self))
                }
                return formats
            },
            number: { _ in nil }, shown: { _ in nil }, json: { .array($0.map { .string($0.rawValue) }) })
    }
}

extension ProfileValueType where V == Profile.MinPodsHit {
    /// A number or `all`.
    static var countOrAll: Self {
        Self(
            schema: .object([
                (
                    "oneOf",
                    .array([
                        .object([("type", .string("integer")), ("minimum", .integer(1))]),
                        .object([("const", .string("all"))]),
                    ])
                )
            ]),
            parse: { r, n, p throws(ProfileError) in
                if n.scalar?.string == "all" { return .all }
                guard let count = n.scalar.flatMap({ Int($0.string) }) else {
                    throw r.map.error(p, "expected a number or \"all\", got \(ProfileReader.describe(n))")
                }
                return .count(count)
            },
            number: { if case .count(let n) = $0 { Double(n) } else { nil } },
            shown: { if case .count(let n) = $0 { String(n) } else { "\"all\"" } },
            json: { _ in nil })
    }
}
