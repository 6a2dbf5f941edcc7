/// An HTTP/1.1 response head (status line + headers).
public struct ResponseHead: Sendable, Hashable {
    /// The protocol version from the status line, e.g. `HTTP/1.1`.
    public var version: String
    /// The three-digit status code.
    public var status: Int
    /// The reason phrase (may be empty).
    public var reason: String
    /// The header fields in order.
    public var headers: HTTPHeaders

    /// Creates a response head.
    public init(version: String = "HTTP/1.1", status: Int, reason: String, headers: HTTPHeaders = HTTPHeaders()) {
        self.version = version
        self.status = status
        self.reason = reason
        self.headers = headers
    }
}
