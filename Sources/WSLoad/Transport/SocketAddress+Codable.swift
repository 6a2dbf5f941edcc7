/// A socket address in JSON: its numeric host and its port, `{"ip": "127.0.0.2", "port": 0}`.
extension SocketAddress: Codable {
    private enum CodingKeys: String, CodingKey { case ip, port }

    /// Decodes `{"ip", "port"}`; a host that is not a numeric address is a data error.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let ip = try c.decode(String.self, forKey: .ip)
        guard let address = SocketAddress(ip: ip, port: try c.decode(UInt16.self, forKey: .port)) else {
            throw DecodingError.dataCorruptedError(forKey: .ip, in: c, debugDescription: "not a numeric IPv4 or IPv6 address: \(ip)")
        }
        self = address
    }

    /// Encodes `{"ip", "port"}`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(ip, forKey: .ip)
        try c.encode(port, forKey: .port)
    }
}
