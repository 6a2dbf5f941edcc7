/// One element of a `Sec-WebSocket-Extensions` list: an extension name and its parameters (RFC 6455 §9.1).
///
/// Names are lower-cased when parsed (extension and parameter names compare
/// case-insensitively); values are kept as sent, with quoted strings unquoted.
public struct ExtensionHeader: Sendable, Hashable {
    /// One `name[=value]` parameter.
    public struct Parameter: Sendable, Hashable {
        /// The parameter name, lower-cased.
        public var name: String
        /// The value with quotes removed, or nil for a bare parameter.
        public var value: String?
        /// Creates a parameter.
        public init(_ name: String, _ value: String? = nil) {
            self.name = name
            self.value = value
        }
    }

    /// The extension token, lower-cased, e.g. `permessage-deflate`.
    public var name: String
    /// The parameters in the order they were sent.
    public var parameters: [Parameter]

    /// Creates an extension element.
    public init(name: String, parameters: [Parameter] = []) {
        self.name = name
        self.parameters = parameters
    }

    /// The element as it appears on the wire, e.g. `permessage-deflate; server_max_window_bits=10`.
    public var headerValue: String {
        var s = name
        for parameter in parameters {
            s += "; " + parameter.name
            if let value = parameter.value { s += "=" + value }
        }
        return s
    }

    /// Parses all `Sec-WebSocket-Extensions` values in order, or nil if any is malformed.
    public static func parse(_ values: [String]) -> [ExtensionHeader]? {
        var result: [ExtensionHeader] = []
        for value in values {
            guard let elements = parse(value) else { return nil }
            result += elements
        }
        return result
    }

    /// Parses one header value, or nil if it is malformed.
    ///
    /// RFC 6455 §9.1: `extension-list = 1#extension`, `extension = token *( ";" param )`,
    /// `param = token [ "=" (token | quoted-string) ]`; a quoted-string value must be a token
    /// once unescaped. Empty list elements are skipped (RFC 9110 §5.6.1).
    public static func parse(_ value: String) -> [ExtensionHeader]? {
        var scanner = Scanner(bytes: Array(value.utf8))
        var result: [ExtensionHeader] = []
        while true {
            scanner.skipOWS()
            if scanner.atEnd { break }
            if scanner.consume(UInt8(ascii: ",")) { continue }
            guard let name = scanner.token() else { return nil }
            var element = ExtensionHeader(name: name.lowercased())
            scanner.skipOWS()
            while scanner.consume(UInt8(ascii: ";")) {
                scanner.skipOWS()
                guard let parameterName = scanner.token() else { return nil }
                scanner.skipOWS()
                var parameterValue: String?
                if scanner.consume(UInt8(ascii: "=")) {
                    scanner.skipOWS()
                    if scanner.peek == UInt8(ascii: "\"") {
                        guard let quoted = scanner.quotedString(), HTTPSyntax.isToken(quoted) else { return nil }
                        parameterValue = quoted
                    } else {
                        guard let token = scanner.token() else { return nil }
                        parameterValue = token
                    }
                    scanner.skipOWS()
                }
                element.parameters.append(Parameter(parameterName.lowercased(), parameterValue))
            }
            result.append(element)
            if scanner.atEnd { break }
            guard scanner.consume(UInt8(ascii: ",")) else { return nil }
        }
        return result
    }

    /// A cursor over header-value bytes.
    private struct Scanner {
        let bytes: [UInt8]
        var index = 0

        var atEnd: Bool { index >= bytes.count }
        var peek: UInt8? { atEnd ? nil : bytes[index] }

        mutating func skipOWS() {
            while let b = peek, b == HTTPSyntax.space || b == HTTPSyntax.tab { index += 1 }
        }

        mutating func consume(_ byte: UInt8) -> Bool {
            guard peek == byte else { return false }
            index += 1
            return true
        }

        mutating func token() -> String? {
            let start = index
            while let b = peek, HTTPSyntax.isTokenChar(b) { index += 1 }
            return index > start ? String(decoding: bytes[start..<index], as: UTF8.self) : nil
        }

        /// quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE (RFC 9110 §5.6.4), unescaped.
        mutating func quotedString() -> String? {
            guard consume(UInt8(ascii: "\"")) else { return nil }
            var out: [UInt8] = []
            while let b = peek {
                index += 1
                switch b {
                case UInt8(ascii: "\""):
                    return String(decoding: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard let escaped = peek, !HTTPSyntax.isForbiddenInValue(escaped) else { return nil }
                    index += 1
                    out.append(escaped)
                default:
                    if HTTPSyntax.isForbiddenInValue(b) { return nil }
                    out.append(b)
                }
            }
            return nil  // unterminated
        }
    }
}
