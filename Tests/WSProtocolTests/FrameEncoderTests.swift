import Testing

@testable import WSProtocol

/// FrameEncoder and the state machine's output produce the RFC 6455 §5.7 examples byte for byte.
@Suite struct FrameEncoderTests {
    typealias V = RFCVectors

    @Test func singleFrameUnmaskedText() {
        #expect(FrameEncoder.encode(opcode: .text, payload: V.hello, maskingKey: nil) == V.unmaskedHello)
    }

    @Test func singleFrameMaskedText() {
        #expect(FrameEncoder.encode(opcode: .text, payload: V.hello, maskingKey: V.key) == V.maskedHello)
    }

    @Test func fragmentedUnmaskedText() {
        var out: [UInt8] = []
        FrameEncoder.encode(opcode: .text, payload: Array("Hel".utf8), fin: false, maskingKey: nil, into: &out)
        #expect(out == V.fragment1)
        FrameEncoder.encode(opcode: .continuation, payload: Array("lo".utf8), maskingKey: nil, into: &out)
        #expect(out == V.fragment1 + V.fragment2)
    }

    @Test func unmaskedPingAndMaskedPong() {
        #expect(FrameEncoder.encode(opcode: .ping, payload: V.hello, maskingKey: nil) == V.unmaskedPing)
        #expect(FrameEncoder.encode(opcode: .pong, payload: V.hello, maskingKey: V.key) == V.maskedPong)
    }

    @Test func extendedLengths() {
        #expect(FrameEncoder.encode(opcode: .binary, payload: V.payload256, maskingKey: nil) == V.binary256)
        #expect(FrameEncoder.encode(opcode: .binary, payload: V.payload64K, maskingKey: nil) == V.binary64K)
    }

    @Test func rawBufferOverloadMatchesArrayOverload() {
        for payload in [V.hello, V.payload256, []] {
            var out: [UInt8] = [0xEE]  // pre-existing bytes stay in place
            payload.withUnsafeBytes { FrameEncoder.encode(opcode: .binary, payload: $0, maskingKey: V.key, into: &out) }
            #expect(out == [0xEE] + FrameEncoder.encode(opcode: .binary, payload: payload, maskingKey: V.key))
        }
    }

    /// Masking is applied only to the payload appended, even when `out` already holds earlier frames of odd length.
    @Test func maskingAfterExistingOutputUsesFrameOffsetZero() {
        var out: [UInt8] = [1, 2, 3]
        FrameEncoder.encode(opcode: .text, payload: V.hello, maskingKey: V.key, into: &out)
        #expect(out == [1, 2, 3] + V.maskedHello)
    }

    @Test func headerBitsAndSizes() {
        let cases: [(FrameHeader, [UInt8])] = [
            (FrameHeader(fin: false, opcode: .binary, payloadLength: 0), [0x02, 0x00]),
            (FrameHeader(fin: true, rsv1: true, opcode: .text, payloadLength: 125), [0xC1, 0x7D]),
            (FrameHeader(fin: true, rsv2: true, opcode: .text, payloadLength: 126), [0xA1, 0x7E, 0x00, 0x7E]),
            (FrameHeader(fin: true, rsv3: true, opcode: .close, payloadLength: 0xFFFF), [0x98, 0x7E, 0xFF, 0xFF]),
            (
                FrameHeader(opcode: .binary, maskingKey: MaskingKey(1, 2, 3, 4), payloadLength: 0x10000),
                [0x82, 0xFF, 0, 0, 0, 0, 0, 1, 0, 0, 1, 2, 3, 4]
            ),
            (FrameHeader(opcode: .ping, maskingKey: MaskingKey(0xA0B0C0D0), payloadLength: 3), [0x89, 0x83, 0xA0, 0xB0, 0xC0, 0xD0]),
        ]
        for (header, expected) in cases {
            var out: [UInt8] = []
            FrameEncoder.appendHeader(header, to: &out)
            #expect(out == expected)
            #expect(header.encodedSize == expected.count)
        }
    }

    /// Regression: encoding into an array that already holds queued frames must keep geometric growth.
    /// `encode` used to `reserveCapacity(out.count + frameSize)` on every call, which reallocates to the
    /// exact size and copies all queued output per frame (O(N²) for N queued frames, e.g. pongs to a ping burst).
    @Test func queuedFramesGrowOutputGeometrically() {
        var out: [UInt8] = []
        var capacity = out.capacity
        var reallocations = 0
        for i in 0..<10_000 {
            FrameEncoder.encode(opcode: .pong, payload: i % 2 == 0 ? [] : [1, 2, 3], maskingKey: MaskingKey(1, 2, 3, 4), into: &out)
            if out.capacity != capacity { reallocations += 1; capacity = out.capacity }
        }
        #expect(out.count == 5_000 * 6 + 5_000 * 9)
        #expect(reallocations < 40, "reallocated \(reallocations) times for 10,000 frames")
        // A single large frame still gets exactly one allocation.
        var single: [UInt8] = []
        FrameEncoder.encode(opcode: .binary, payload: RFCVectors.payload64K, maskingKey: nil, into: &single)
        #expect(single == RFCVectors.binary64K)
    }

    // MARK: Through the state machine

    /// A client with a fixed key emits the masked RFC example; a server emits the unmasked one.
    @Test func stateMachineOutputMatchesRFCExamples() {
        var client = ConnectionStateMachine(role: .client, maskingKeys: .fixed(V.key))
        client.send(.text("Hello"))
        #expect(client.takeOutput() == V.maskedHello)
        #expect(!client.hasOutput)

        var server = ConnectionStateMachine(role: .server)
        server.send(.text("Hello"))
        #expect(server.takeOutput() == V.unmaskedHello)
        server.send(.binary(V.payload256))
        server.send(.binary(V.payload64K))
        #expect(server.takeOutput() == V.binary256 + V.binary64K)
        server.ping(V.hello)
        #expect(server.takeOutput() == V.unmaskedPing)
    }

    /// A client answering the server's unmasked ping "Hello" emits exactly the masked pong of §5.7.
    @Test func clientPongToRFCPingIsTheMaskedPongExample() {
        var client = ConnectionStateMachine(role: .client, maskingKeys: .fixed(V.key))
        client.receive(V.unmaskedPing)
        #expect(client.nextEvent() == .ping(V.hello))
        #expect(client.takeOutput() == V.maskedPong)
    }

    /// Seeded keys are deterministic and differ from frame to frame.
    @Test func seededMaskingKeysAreReproducible() {
        var a = MaskingKeySource.seeded(99), b = MaskingKeySource.seeded(99)
        let keysA = (0..<50).map { _ in a.next() }
        let keysB = (0..<50).map { _ in b.next() }
        #expect(keysA == keysB)
        #expect(Set(keysA).count == 50)
        var zero = MaskingKeySource.seeded(0)
        #expect(zero.next() != zero.next())
        var fixed = MaskingKeySource.fixed(V.key)
        #expect(fixed.next() == V.key && fixed.next() == V.key)
        var random = MaskingKeySource.random
        #expect(Set((0..<20).map { _ in random.next() }).count > 1)
    }
}
