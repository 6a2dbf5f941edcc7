/// Ordered HTTP header fields, duplicates kept, case-insensitive lookup (RFC 9110 §5).
///
/// Names keep the spelling they were added with (proxies such as HAProxy send lower-case
/// names); every lookup compares names case-insensitively.
public struct HTTPHeaders: Sendable, Hashable, Sequence {
    /// One header field as stored.
    @usableFromInline
    struct Field: Sendable, Hashable {
        @usableFromInline var name: String
        @usableFromInline var value: String
    }

    @usableFromInline
    var fields: [Field] = []

    /// An empty header list.
    public init() {}

    /// A header list holding `pairs` in order.
    public init(_ pairs: [(String, String)]) {
        fields = pairs.map { Field(name: $0.0, value: $0.1) }
    }

    /// Appends a field, keeping any existing fields with the same name.
    public mutating func add(_ name: String, _ value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// Removes every field named `name` (case-insensitive).
    public mutating func remove(_ name: String) {
        fields.removeAll { Self.namesEqual($0.name, name) }
    }

    /// The value of the first field named `name` (case-insensitive), or nil.
    public func first(_ name: String) -> String? {
        fields.first { Self.namesEqual($0.name, name) }?.value
    }

    /// The values of all fields named `name` (case-insensitive), in order.
    public func values(_ name: String) -> [String] {
        fields.filter { Self.namesEqual($0.name, name) }.map(\.value)
    }

    /// Whether at least one field is named `name` (case-insensitive).
    public func contains(_ name: String) -> Bool {
        fields.contains { Self.namesEqual($0.name, name) }
    }

    /// The comma-separated list elements of every `name` field, trimmed and lower-cased, empty elements dropped (RFC 9110 §5.6.1).
    public func tokens(_ name: String) -> [String] {
        listElements(name).map { $0.lowercased() }
    }

    /// The comma-separated list elements of every `name` field, trimmed, case preserved, empty elements dropped (RFC 9110 §5.6.1).
    public func listElements(_ name: String) -> [String] {
        var result: [String] = []
        for value in values(name) {
            for element in value.split(separator: ",", omittingEmptySubsequences: false) {
                let trimmed = HTTPSyntax.trimOWS(element)
                if !trimmed.isEmpty { result.append(String(trimmed)) }
            }
        }
        return result
    }

    /// The number of fields, duplicates included.
    public var count: Int { fields.count }

    /// Whether there are no fields.
    public var isEmpty: Bool { fields.isEmpty }

    /// Iterates the fields in order as `(name, value)` pairs.
    public func makeIterator() -> Iterator {
        Iterator(base: fields.makeIterator())
    }

    /// Iterator over `(name, value)` pairs in insertion order.
    public struct Iterator: IteratorProtocol {
        var base: IndexingIterator<[Field]>
        /// The next field, or nil at the end.
        public mutating func next() -> (name: String, value: String)? {
            guard let field = base.next() else { return nil }
            return (name: field.name, value: field.value)
        }
    }

    /// ASCII case-insensitive comparison of two header names.
    static func namesEqual(_ a: String, _ b: String) -> Bool {
        let x = a.utf8
        let y = b.utf8
        guard x.count == y.count else { return false }
        for (p, q) in zip(x, y) where HTTPSyntax.asciiLower(p) != HTTPSyntax.asciiLower(q) {
            return false
        }
        return true
    }
}
