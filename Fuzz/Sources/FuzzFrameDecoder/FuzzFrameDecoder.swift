import WSProtocol

/// Feeds the input into a client and a server ConnectionStateMachine (without and with
/// permessage-deflate), in two chunks split at `data[0] % size`, draining every event.
/// Invariants checked: after `.failed` the state is closed and nothing more is decoded.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let split = size == 0 ? 0 : Int(data[0]) % (size + 1)
    let limits = ProtocolLimits(maxFrameSize: 1 << 20, maxMessageSize: 1 << 20, maxFragments: 1000)
    for role in [Role.client, .server] {
        for withDeflate in [false, true] {
            let deflate = withDeflate ? try? PerMessageDeflate(DeflateParameters()) : nil
            var sm = ConnectionStateMachine(role: role, limits: limits, deflate: deflate, maskingKeys: .seeded(1))
            for chunk in [UnsafeRawBufferPointer(rebasing: bytes[..<split]), UnsafeRawBufferPointer(rebasing: bytes[split...])] {
                sm.receive(chunk)
                while let event = sm.nextEvent() {
                    switch event {
                    case .failed, .closeReceived, .closeCompleted:
                        precondition(sm.isClosed, "terminal event without closed state")
                    case .message(let m):
                        if m.opcode == .text { precondition(UTF8Validator.isValid(m.payload), "invalid UTF-8 delivered") }
                    default: break
                    }
                    if sm.isClosed { precondition(sm.nextEvent() == nil, "event after close") }
                }
                _ = sm.takeOutput()
            }
        }
    }
    return 0
}
