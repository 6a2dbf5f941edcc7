import Foundation

/// A non-negative duration written as `30s`, `500ms`, `2m`, `1h30m`, `1.5s` or a plain number of seconds.
public struct ProfileDuration: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Length in seconds.
    public var seconds: Double

    /// A duration of `seconds` seconds.
    public init(seconds: Double) { self.seconds = seconds }

    /// A duration of `seconds` seconds.
    public static func seconds(_ seconds: Double) -> ProfileDuration { ProfileDuration(seconds: seconds) }
    /// A duration of `ms` milliseconds.
    public static func milliseconds(_ ms: Double) -> ProfileDuration { ProfileDuration(seconds: ms / 1000) }

    /// Units accepted after a number, longest first so `ms` wins over `m`.
    static let units: [(suffix: String, seconds: Double)] = [
        ("ms", 0.001), ("us", 0.000_001), ("µs", 0.000_001), ("ns", 0.000_000_001),
        ("h", 3600), ("m", 60), ("s", 1),
    ]

    /// Parses `30s`, `500ms`, `2m`, `1h30m`, `0.5`, `10`; `nil` if malformed or negative.
    public init?(parsing text: String) {
        let text = text.trimmingCharacters(in: .whitespaces)
        if text.isEmpty { return nil }
        if let plain = Double(text) {
            guard plain.isFinite, plain >= 0 else { return nil }
            self.seconds = plain
            return
        }
        var total = 0.0
        var rest = Substring(text)
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            guard let unit = Self.units.first(where: { rest.hasPrefix($0.suffix) }) else { return nil }
            rest = rest.dropFirst(unit.suffix.count)
            total += value * unit.seconds
        }
        guard total.isFinite else { return nil }
        self.seconds = total
    }

    /// Canonical short form: `1h30m`, `500ms`, `2.5s`, `0s`.
    public var description: String {
        if seconds == 0 { return "0s" }
        if seconds < 1 {
            let ms = seconds * 1000
            if ms == ms.rounded() { return "\(Int(ms))ms" }
            return "\(Self.trim(ms))ms"
        }
        if seconds != seconds.rounded() { return "\(Self.trim(seconds))s" }
        var s = Int(seconds)
        var out = ""
        if s >= 3600 { out += "\(s / 3600)h"; s %= 3600 }
        if s >= 60 { out += "\(s / 60)m"; s %= 60 }
        if s > 0 { out += "\(s)s" }
        return out
    }

    private static func trim(_ value: Double) -> String {
        var text = String(value)
        if text.hasSuffix(".0") { text.removeLast(2) }
        return text
    }

    /// Orders by length.
    public static func < (lhs: ProfileDuration, rhs: ProfileDuration) -> Bool { lhs.seconds < rhs.seconds }

    /// Encodes as the canonical string (e.g. `"1h30m"`).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// Decodes a number of seconds or a duration string.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Double.self) {
            self.seconds = number
            return
        }
        let text = try container.decode(String.self)
        guard let parsed = ProfileDuration(parsing: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "bad duration \"\(text)\"")
        }
        self = parsed
    }
}

/// A byte count written as `16MiB`, `64KiB`, `1MB`, `512B` or plain bytes.
public struct ProfileSize: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Size in bytes.
    public var bytes: Int

    /// A size of `bytes` bytes.
    public init(bytes: Int) { self.bytes = bytes }

    /// Units accepted after a number (case-insensitive), longest first.
    static let units: [(suffix: String, factor: Int)] = [
        ("kib", 1 << 10), ("mib", 1 << 20), ("gib", 1 << 30),
        ("kb", 1000), ("mb", 1_000_000), ("gb", 1_000_000_000),
        ("k", 1 << 10), ("m", 1 << 20), ("g", 1 << 30), ("b", 1),
    ]

    /// Parses `16MiB`, `64KiB`, `1.5MiB`, `1MB`, `100`, `100B`; `nil` if malformed or negative.
    public init?(parsing text: String) {
        let text = text.trimmingCharacters(in: .whitespaces)
        let number = text.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
        guard !number.isEmpty, let value = Double(number) else { return nil }
        let unitText = text.dropFirst(number.count).trimmingCharacters(in: .whitespaces).lowercased()
        let factor: Int
        if unitText.isEmpty {
            factor = 1
        } else if let unit = Self.units.first(where: { $0.suffix == unitText }) {
            factor = unit.factor
        } else {
            return nil
        }
        let bytes = value * Double(factor)
        guard bytes.isFinite, bytes < Double(Int.max) else { return nil }
        self.bytes = Int(bytes)
    }

    /// Canonical form: `16MiB`, `64KiB`, `1000` (bytes).
    public var description: String {
        for (suffix, factor) in [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)]
        where bytes >= factor && bytes % factor == 0 {
            return "\(bytes / factor)\(suffix)"
        }
        return "\(bytes)"
    }

    /// Orders by size.
    public static func < (lhs: ProfileSize, rhs: ProfileSize) -> Bool { lhs.bytes < rhs.bytes }

    /// Encodes as a plain number of bytes.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(bytes)
    }

    /// Decodes a number of bytes or a size string.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int.self) {
            self.bytes = number
            return
        }
        let text = try container.decode(String.self)
        guard let parsed = ProfileSize(parsing: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "bad size \"\(text)\"")
        }
        self = parsed
    }
}
