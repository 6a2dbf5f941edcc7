/// `Sec-WebSocket-Key` generation and the `Sec-WebSocket-Accept` transformation (RFC 6455 §1.3, §4.1, §4.2.2).
public enum HandshakeKey {
    /// The GUID appended to the key before hashing (RFC 6455 §1.3).
    public static let guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    /// The `Sec-WebSocket-Key` value: Base64 of 16 caller-supplied random bytes (RFC 6455 §4.1, step 7 of the request).
    public static func make(_ sixteenRandomBytes: [UInt8]) -> String {
        precondition(sixteenRandomBytes.count == 16, "Sec-WebSocket-Key needs exactly 16 random bytes")
        return Base64.encode(sixteenRandomBytes)
    }

    /// The `Sec-WebSocket-Accept` value for `key`: Base64(SHA-1(key + GUID)) (RFC 6455 §1.3, §4.2.2 step 5.4).
    public static func accept(for key: String) -> String {
        Base64.encode(SHA1.hash(Array((key + guid).utf8)))
    }
}
