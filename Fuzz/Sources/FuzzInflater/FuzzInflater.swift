import WSProtocol

/// Inflates the input with PerMessageDeflate (1 MiB message limit), both with context takeover
/// and with receive_no_context_takeover (+ released contexts), as one message split into two
/// fragments at `data[0] % size`, then a second time to exercise the kept window.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let split = size == 0 ? 0 : Int(data[0]) % (size + 1)
    let limit = 1 << 20
    let settings = [
        (DeflateParameters(), false),
        (DeflateParameters(receiveMaxWindowBits: 9, receiveNoContextTakeover: true), true),
    ]
    for (parameters, release) in settings {
        guard let codec = try? PerMessageDeflate(parameters, memoryLevel: 8, releasesContextsBetweenMessages: release) else { continue }
        for _ in 0..<2 {
            do {
                let a = try codec.decompress(Array(bytes[..<split]), isFinal: false, maxMessageSize: limit)
                let b = try codec.decompress(Array(bytes[split...]), isFinal: true, maxMessageSize: limit)
                precondition(a.count + b.count <= limit, "limit exceeded")
            } catch {
                break  // the codec must not be used after it throws
            }
        }
    }
    return 0
}
