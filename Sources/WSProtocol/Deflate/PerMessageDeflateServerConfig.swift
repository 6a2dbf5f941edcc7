/// How the server role answers permessage-deflate offers (RFC 7692 §5, §7.1).
///
/// Defaults accept any offer and honour the client's parameters without asking for more.
public struct PerMessageDeflateServerConfig: Sendable, Hashable {
    /// Upper bound for the server's own compression window, 9...15 (zlib cannot deflate with 8).
    public var serverMaxWindowBits: Int
    /// If set, ask the client to limit its window to at most this many bits (8...15); only sent when the client offered `client_max_window_bits`.
    public var clientMaxWindowBits: Int?
    /// Always reset the server's compressor after each message and say so.
    public var serverNoContextTakeover: Bool
    /// Ask the client to reset its compressor after each message.
    public var clientNoContextTakeover: Bool

    /// Creates a configuration; out-of-range window bits are clamped (server 9...15, client 8...15).
    public init(
        serverMaxWindowBits: Int = 15, clientMaxWindowBits: Int? = nil,
        serverNoContextTakeover: Bool = false, clientNoContextTakeover: Bool = false
    ) {
        self.serverMaxWindowBits = min(max(serverMaxWindowBits, 9), 15)
        self.clientMaxWindowBits = clientMaxWindowBits.map { min(max($0, 8), 15) }
        self.serverNoContextTakeover = serverNoContextTakeover
        self.clientNoContextTakeover = clientNoContextTakeover
    }

    /// Picks the first acceptable permessage-deflate offer (RFC 7692 §5: offers are in preference
    /// order) and returns the response element and the server's send/receive parameters
    /// (send = `server_*`, receive = `client_*`); nil if none is acceptable.
    public func negotiate(_ offers: [ExtensionHeader]) -> (response: ExtensionHeader, parameters: DeflateParameters)? {
        for offer in offers where offer.name == "permessage-deflate" {
            // §7.1: an offer with invalid parameters is declined; try the next one.
            guard case .success(let p) = DeflateNegotiation.parse(offer.parameters, isOffer: true) else { continue }
            // §7.1.2.1: honour the client's server_max_window_bits; decline 8 (zlib cannot deflate with 8).
            let serverBits = min(serverMaxWindowBits, p.serverMaxWindowBits ?? 15)
            if serverBits < 9 { continue }
            let serverNCT = p.serverNoContextTakeover || serverNoContextTakeover
            let clientNCT = p.clientNoContextTakeover || clientNoContextTakeover
            var response = ExtensionHeader(name: "permessage-deflate")
            if serverNCT { response.parameters.append(.init("server_no_context_takeover")) }
            if clientNCT { response.parameters.append(.init("client_no_context_takeover")) }
            if p.serverMaxWindowBits != nil || serverBits < 15 {
                response.parameters.append(.init("server_max_window_bits", String(serverBits)))
            }
            // §7.1.2.2: client_max_window_bits goes back only if the client offered it.
            var clientBits = 15
            if let offered = p.clientMaxWindowBits {
                if offered > 0 { clientBits = offered }
                if let wanted = clientMaxWindowBits { clientBits = min(clientBits, wanted) }
                if clientBits < 15 || offered > 0 {
                    response.parameters.append(.init("client_max_window_bits", String(clientBits)))
                }
            }
            let parameters = DeflateParameters(
                sendMaxWindowBits: serverBits, sendNoContextTakeover: serverNCT,
                receiveMaxWindowBits: clientBits, receiveNoContextTakeover: clientNCT
            )
            return (response, parameters)
        }
        return nil
    }
}
