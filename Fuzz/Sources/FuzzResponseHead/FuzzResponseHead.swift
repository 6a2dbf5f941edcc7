import WSProtocol

/// Feeds the input to a ResponseHeadParser in two chunks (split at `data[0] % size`) and, when a
/// head comes out, validates it with HandshakeValidator against a fixed request and deflate offer.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let split = size == 0 ? 0 : Int(data[0]) % (size + 1)
    let request = UpgradeRequest(host: "example.com", path: "/chat", key: "dGhlIHNhbXBsZSBub25jZQ==", subprotocols: ["chat", "superchat"])
    var parser = ResponseHeadParser(maxHeadBytes: 4096, maxHeaderCount: 32)
    do {
        var result = try parser.feed(bytes[..<split])
        if result == nil { result = try parser.feed(bytes[split...]) }
        guard let (head, _) = result else { return 0 }
        _ = try? HandshakeValidator.validate(head, request: request, deflateOffer: PerMessageDeflateOffer())
        _ = try? HandshakeValidator.validate(head, request: request, deflateOffer: nil)
        _ = try? HandshakeValidator.validate(
            head, request: request,
            deflateOffer: PerMessageDeflateOffer(clientMaxWindowBits: 12, serverMaxWindowBits: 10, clientNoContextTakeover: true, serverNoContextTakeover: true))
    } catch {
        return 0
    }
    return 0
}
