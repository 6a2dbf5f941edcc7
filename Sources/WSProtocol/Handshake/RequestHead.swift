/// An HTTP/1.1 request head (request line + headers), as received by the server role.
public struct RequestHead: Sendable, Hashable {
    /// The method, e.g. `GET`.
    public var method: String
    /// The request target, e.g. `/ws?x=1`.
    public var target: String
    /// The protocol version, e.g. `HTTP/1.1`.
    public var version: String
    /// The header fields in order.
    public var headers: HTTPHeaders

    /// Creates a request head.
    public init(method: String, target: String, version: String = "HTTP/1.1", headers: HTTPHeaders = HTTPHeaders()) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
    }
}
