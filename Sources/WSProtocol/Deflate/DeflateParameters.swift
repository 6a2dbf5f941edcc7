/// Negotiated parameters renamed to this endpoint's send/receive direction, so the codec never asks which side it is on.
///
/// For a client, send = `client_*` and receive = `server_*`; for a server the reverse
/// (RFC 7692 §7.1).
public struct DeflateParameters: Sendable, Hashable {
    /// LZ77 window bits for compressing, 9...15: never 8, because zlib's raw deflate rejects 8
    /// (see PLATFORM.md) and negotiation refuses to agree to it.
    public var sendMaxWindowBits: Int
    /// Reset the compressor after every message (`*_no_context_takeover` for our direction, RFC 7692 §7.1.1).
    public var sendNoContextTakeover: Bool
    /// The peer's window bits, 8...15, for information: inflating with 15 always works.
    public var receiveMaxWindowBits: Int
    /// Reset the decompressor after every message (the peer promised not to reuse its context).
    public var receiveNoContextTakeover: Bool

    /// Creates parameters; the defaults are "no restrictions either way".
    public init(
        sendMaxWindowBits: Int = 15, sendNoContextTakeover: Bool = false,
        receiveMaxWindowBits: Int = 15, receiveNoContextTakeover: Bool = false
    ) {
        self.sendMaxWindowBits = sendMaxWindowBits
        self.sendNoContextTakeover = sendNoContextTakeover
        self.receiveMaxWindowBits = receiveMaxWindowBits
        self.receiveNoContextTakeover = receiveNoContextTakeover
    }
}
