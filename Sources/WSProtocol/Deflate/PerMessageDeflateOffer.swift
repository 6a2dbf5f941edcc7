/// A client's permessage-deflate extension offer (RFC 7692 §5, §7.1).
public struct PerMessageDeflateOffer: Sendable, Hashable {
    /// nil: don't send; 0: send bare `client_max_window_bits` ("I accept any"); 9...15: send that value (RFC 7692 §7.1.2.2).
    public var clientMaxWindowBits: Int?
    /// nil: don't send; 8...15: ask the server to limit its window (RFC 7692 §7.1.2.1).
    public var serverMaxWindowBits: Int?
    /// Promise to reset our compressor after every message (RFC 7692 §7.1.1.2).
    public var clientNoContextTakeover: Bool
    /// Ask the server to reset its compressor after every message (RFC 7692 §7.1.1.1).
    public var serverNoContextTakeover: Bool

    /// Creates an offer; the default is `permessage-deflate; client_max_window_bits`.
    ///
    /// Avoid `clientMaxWindowBits: 8`: a server answering with 8 cannot be honoured with zlib and
    /// the handshake then fails with `invalidExtensionParameters`.
    public init(
        clientMaxWindowBits: Int? = 0, serverMaxWindowBits: Int? = nil,
        clientNoContextTakeover: Bool = false, serverNoContextTakeover: Bool = false
    ) {
        self.clientMaxWindowBits = clientMaxWindowBits
        self.serverMaxWindowBits = serverMaxWindowBits
        self.clientNoContextTakeover = clientNoContextTakeover
        self.serverNoContextTakeover = serverNoContextTakeover
    }

    /// The `Sec-WebSocket-Extensions` value, e.g. `permessage-deflate; client_max_window_bits`.
    public var headerValue: String {
        var s = "permessage-deflate"
        if clientNoContextTakeover { s += "; client_no_context_takeover" }
        if serverNoContextTakeover { s += "; server_no_context_takeover" }
        if let bits = serverMaxWindowBits { s += "; server_max_window_bits=\(bits)" }
        if let bits = clientMaxWindowBits { s += bits == 0 ? "; client_max_window_bits" : "; client_max_window_bits=\(bits)" }
        return s
    }

    /// Validates the server's accepted element against this offer and returns the client's
    /// send/receive parameters (RFC 7692 §5, §7.1; send = `client_*`, receive = `server_*`).
    public func negotiate(_ response: ExtensionHeader) throws(HandshakeError) -> DeflateParameters {
        let p: DeflateNegotiation.Parameters
        switch DeflateNegotiation.parse(response.parameters, isOffer: false) {
        case .success(let parsed): p = parsed
        case .failure(let error): throw .invalidExtensionParameters(error.message)
        }
        // §7.1.1.1: a server accepts server_no_context_takeover by echoing it.
        if serverNoContextTakeover && !p.serverNoContextTakeover {
            throw .invalidExtensionParameters("server_no_context_takeover was offered but not accepted")
        }
        // §7.1.2.1: the server accepts server_max_window_bits=N by answering with a value <= N.
        if let offered = serverMaxWindowBits {
            guard let answered = p.serverMaxWindowBits else {
                throw .invalidExtensionParameters("server_max_window_bits=\(offered) was offered but not accepted")
            }
            if answered > offered {
                throw .invalidExtensionParameters("server_max_window_bits=\(answered) exceeds the offered \(offered)")
            }
        }
        // §7.1.2.2: client_max_window_bits only if offered, and not above an offered value.
        var sendBits = 15
        if let offered = clientMaxWindowBits, offered > 0 { sendBits = offered }
        if let answered = p.clientMaxWindowBits {
            guard let offered = clientMaxWindowBits else {
                throw .invalidExtensionParameters("client_max_window_bits in the response but not in the offer")
            }
            if offered > 0 && answered > offered {
                throw .invalidExtensionParameters("client_max_window_bits=\(answered) exceeds the offered \(offered)")
            }
            // zlib's raw deflate cannot use an 8-bit window (PLATFORM.md) and a 9-bit window could
            // emit back-references the peer's 256-byte window cannot resolve: refuse.
            if answered == 8 {
                throw .invalidExtensionParameters("client_max_window_bits=8 not supported by zlib")
            }
            sendBits = answered
        }
        sendBits = min(max(sendBits, 9), 15)
        return DeflateParameters(
            sendMaxWindowBits: sendBits,
            sendNoContextTakeover: p.clientNoContextTakeover || clientNoContextTakeover,
            receiveMaxWindowBits: p.serverMaxWindowBits ?? 15,
            receiveNoContextTakeover: p.serverNoContextTakeover
        )
    }
}
