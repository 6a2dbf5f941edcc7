/// A header whose value may contain placeholders filled per connection.
///
/// Placeholders: `{client}` (virtual client index, from 0), `{conn}` (the connection's index within
/// its client), `{index}` (the connection's index in the run) and `{source}` (its source address).
public struct HeaderTemplate: Sendable, Hashable, Codable {
    /// The header name.
    public var name: String
    /// The value template.
    public var template: String

    /// Creates a template.
    public init(name: String, template: String) { self.name = name; self.template = template }

    /// The value for one connection.
    public func render(client: Int, conn: Int, index: Int, source: String) -> String {
        Self.render(template, client: client, conn: conn, index: index, source: source)
    }

    /// Fills the placeholders of any per-connection template (a header value, a `traffic.message`).
    public static func render(_ template: String, client: Int, conn: Int, index: Int, source: String) -> String {
        guard template.contains("{") else { return template }
        return template.replacingOccurrences(of: "{client}", with: String(client))
            .replacingOccurrences(of: "{conn}", with: String(conn))
            .replacingOccurrences(of: "{index}", with: String(index))
            .replacingOccurrences(of: "{source}", with: source)
    }
}
