import Testing

@testable import WSProtocol

/// The RFC 6455 §5.7 examples and shared decoding helpers.
enum RFCVectors {
    static let key = MaskingKey(0x37, 0xFA, 0x21, 0x3D)
    static let hello = Array("Hello".utf8)
    static let unmaskedHello: [UInt8] = [0x81, 0x05, 0x48, 0x65, 0x6C, 0x6C, 0x6F]
    static let maskedHello: [UInt8] = [0x81, 0x85, 0x37, 0xFA, 0x21, 0x3D, 0x7F, 0x9F, 0x4D, 0x51, 0x58]
    static let fragment1: [UInt8] = [0x01, 0x03, 0x48, 0x65, 0x6C]
    static let fragment2: [UInt8] = [0x80, 0x02, 0x6C, 0x6F]
    static let unmaskedPing: [UInt8] = [0x89, 0x05, 0x48, 0x65, 0x6C, 0x6C, 0x6F]
    static let maskedPong: [UInt8] = [0x8A, 0x85, 0x37, 0xFA, 0x21, 0x3D, 0x7F, 0x9F, 0x4D, 0x51, 0x58]
    /// 256 bytes of binary data (bytes 0...255).
    static let payload256: [UInt8] = (0..<256).map { UInt8($0) }
    static let binary256: [UInt8] = [0x82, 0x7E, 0x01, 0x00] + payload256
    /// 64 KiB of binary data.
    static let payload64K: [UInt8] = (0..<65536).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
    static let binary64K: [UInt8] = [0x82, 0x7F, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00] + payload64K

    /// A vector, the role that receives it, and the frames it decodes to.
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var bytes: [UInt8]
        var role: Role
        var frames: [Frame]
        var testDescription: String { name }
    }

    static func frame(_ opcode: Opcode, _ payload: [UInt8], fin: Bool = true, key: MaskingKey? = nil) -> Frame {
        Frame(header: FrameHeader(fin: fin, opcode: opcode, maskingKey: key, payloadLength: payload.count), payload: payload)
    }

    static let cases: [Case] = [
        Case(name: "unmasked text", bytes: unmaskedHello, role: .client, frames: [frame(.text, hello)]),
        Case(name: "masked text", bytes: maskedHello, role: .server, frames: [frame(.text, hello, key: key)]),
        Case(
            name: "fragmented text", bytes: fragment1 + fragment2, role: .client,
            frames: [frame(.text, Array("Hel".utf8), fin: false), frame(.continuation, Array("lo".utf8))]),
        Case(name: "unmasked ping", bytes: unmaskedPing, role: .client, frames: [frame(.ping, hello)]),
        Case(name: "masked pong", bytes: maskedPong, role: .server, frames: [frame(.pong, hello, key: key)]),
        Case(name: "256-byte binary", bytes: binary256, role: .client, frames: [frame(.binary, payload256)]),
        Case(name: "64 KiB binary", bytes: binary64K, role: .client, frames: [frame(.binary, payload64K)]),
    ]

    /// Splits `bytes` into chunks at the given cut points.
    static func chunks(_ bytes: [UInt8], cuts: [Int]) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var start = 0
        for cut in cuts.sorted() where cut > start && cut < bytes.count {
            out.append(Array(bytes[start..<cut])); start = cut
        }
        out.append(Array(bytes[start...]))
        return out
    }

    /// Random cut points for `count` bytes.
    static func randomCuts(_ count: Int, using rng: inout TestRNG) -> [Int] {
        guard count > 1 else { return [] }
        let n = Int.random(in: 0...min(count - 1, 12), using: &rng)
        return (0..<n).map { _ in Int.random(in: 1..<count, using: &rng) }
    }

    /// Decodes with the streaming ``FrameDecoder/next()``, reassembling payload chunks into frames.
    static func decodeStreaming(
        _ chunks: [[UInt8]], role: Role, limits: ProtocolLimits = .default,
        allowsRSV1: Bool = false
    ) throws(ProtocolError) -> [Frame] {
        var decoder = FrameDecoder(role: role, limits: limits, allowsRSV1: allowsRSV1)
        var frames: [Frame] = []
        var header: FrameHeader?
        var payload: [UInt8] = []
        for chunk in chunks {
            decoder.append(chunk)
            while let part = try decoder.next() {
                switch part {
                case .header(let h):
                    precondition(header == nil, "header inside a frame")
                    header = h; payload = []
                case .payload(let bytes):
                    precondition(header != nil && !bytes.isEmpty, "payload outside a frame or empty chunk")
                    payload += bytes
                case .end:
                    frames.append(Frame(header: header!, payload: payload))
                    header = nil
                }
            }
        }
        return frames
    }

    /// Decodes with ``FrameDecoder/nextFrame()``.
    static func decodeWhole(
        _ chunks: [[UInt8]], role: Role, limits: ProtocolLimits = .default,
        allowsRSV1: Bool = false
    ) throws(ProtocolError) -> [Frame] {
        var decoder = FrameDecoder(role: role, limits: limits, allowsRSV1: allowsRSV1)
        var frames: [Frame] = []
        for chunk in chunks {
            decoder.append(chunk)
            while let frame = try decoder.nextFrame() { frames.append(frame) }
        }
        return frames
    }

    /// The error the streaming decoder throws for `bytes` (fed at once), or nil.
    static func error(_ bytes: [UInt8], role: Role, limits: ProtocolLimits = .default, allowsRSV1: Bool = false) -> ProtocolError? {
        do {
            _ = try decodeStreaming([bytes], role: role, limits: limits, allowsRSV1: allowsRSV1)
            return nil
        } catch {
            return error
        }
    }

    /// The error ``FrameDecoder/nextFrame()`` throws for `bytes`, or nil.
    static func wholeError(_ bytes: [UInt8], role: Role, limits: ProtocolLimits = .default, allowsRSV1: Bool = false) -> ProtocolError? {
        do {
            _ = try decodeWhole([bytes], role: role, limits: limits, allowsRSV1: allowsRSV1)
            return nil
        } catch {
            return error
        }
    }
}

/// FrameDecoder: the RFC 6455 §5.7 examples in every split, and every violation with its close code (§5.2, §7.4.1).
@Suite struct FrameDecoderTests {
    // MARK: RFC 6455 §5.7 examples

    @Test(arguments: RFCVectors.cases)
    func rfcExampleAllAtOnce(_ c: RFCVectors.Case) throws {
        #expect(try RFCVectors.decodeWhole([c.bytes], role: c.role) == c.frames)
        #expect(try RFCVectors.decodeStreaming([c.bytes], role: c.role) == c.frames)
    }

    @Test(arguments: RFCVectors.cases.filter { $0.bytes.count < 1000 })
    func rfcExampleByteAtATime(_ c: RFCVectors.Case) throws {
        let single = c.bytes.map { [$0] }
        #expect(try RFCVectors.decodeWhole(single, role: c.role) == c.frames)
        #expect(try RFCVectors.decodeStreaming(single, role: c.role) == c.frames)
    }

    /// The 64 KiB vector byte at a time through the streaming decoder only (nextFrame rescans the header each time).
    @Test func largeExampleByteAtATimeStreaming() throws {
        let c = RFCVectors.cases.last!
        #expect(try RFCVectors.decodeStreaming(c.bytes.map { [$0] }, role: c.role) == c.frames)
    }

    @Test(arguments: RFCVectors.cases)
    func rfcExampleRandomSplits(_ c: RFCVectors.Case) throws {
        var rng = TestRNG(seed: 0x5EED_0001 &+ UInt64(c.bytes.count))
        for _ in 0..<200 {
            let chunks = RFCVectors.chunks(c.bytes, cuts: RFCVectors.randomCuts(c.bytes.count, using: &rng))
            #expect(try RFCVectors.decodeWhole(chunks, role: c.role) == c.frames)
            #expect(try RFCVectors.decodeStreaming(chunks, role: c.role) == c.frames)
        }
    }

    /// All client-bound vectors concatenated, split randomly, decode to the concatenated frames.
    @Test func concatenatedStreamRandomSplits() throws {
        let clientCases = RFCVectors.cases.filter { $0.role == .client }
        let stream = clientCases.flatMap(\.bytes)
        let frames = clientCases.flatMap(\.frames)
        var rng = TestRNG(seed: 42)
        for _ in 0..<100 {
            let chunks = RFCVectors.chunks(stream, cuts: RFCVectors.randomCuts(stream.count, using: &rng))
            #expect(try RFCVectors.decodeStreaming(chunks, role: .client) == frames)
            #expect(try RFCVectors.decodeWhole(chunks, role: .client) == frames)
        }
    }

    /// The streaming decoder unmasks payload chunks with the right key offset whatever the split.
    @Test func maskedPayloadAcrossChunksUsesRunningOffset() throws {
        let payload = (0..<1000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let key = MaskingKey(0xDE, 0xAD, 0xBE, 0xEF)
        let bytes = FrameEncoder.encode(opcode: .binary, payload: payload, maskingKey: key)
        var rng = TestRNG(seed: 7)
        for _ in 0..<100 {
            let chunks = RFCVectors.chunks(bytes, cuts: RFCVectors.randomCuts(bytes.count, using: &rng))
            #expect(try RFCVectors.decodeStreaming(chunks, role: .server) == [RFCVectors.frame(.binary, payload, key: key)])
        }
    }

    @Test func partialInputYieldsNothingAndKeepsBytes() throws {
        var decoder = FrameDecoder(role: .client)
        decoder.append(RFCVectors.binary256.prefix(3))
        #expect(try decoder.nextFrame() == nil)
        #expect(try decoder.next() == nil)
        #expect(decoder.bufferedByteCount == 3)
        decoder.append(RFCVectors.binary256.dropFirst(3).prefix(10))
        #expect(try decoder.nextFrame() == nil)  // header complete, payload not: nothing committed
        #expect(decoder.bufferedByteCount == 13)
        decoder.append(RFCVectors.binary256.dropFirst(13))
        #expect(try decoder.nextFrame() == RFCVectors.frame(.binary, RFCVectors.payload256))
        #expect(decoder.bufferedByteCount == 0)
    }

    @Test func emptyPayloadFrameYieldsHeaderThenEnd() throws {
        var decoder = FrameDecoder(role: .client)
        decoder.append([0x81, 0x00])
        #expect(try decoder.next() == .header(FrameHeader(opcode: .text, payloadLength: 0)))
        #expect(try decoder.next() == .end)
        #expect(try decoder.next() == nil)
    }

    /// Payload is handed out as it arrives, not held until the frame completes.
    @Test func payloadIsStreamedBeforeFrameCompletes() throws {
        var decoder = FrameDecoder(role: .client)
        decoder.append(RFCVectors.binary64K.prefix(10 + 100))
        #expect(try decoder.next() == .header(FrameHeader(opcode: .binary, payloadLength: 65536)))
        #expect(try decoder.next() == .payload(Array(RFCVectors.payload64K.prefix(100))))
        #expect(try decoder.next() == nil)
    }

    @Test func lengthEncodingBoundariesRoundTrip() throws {
        for length in [0, 1, 125, 126, 127, 65535, 65536, 70000] {
            let payload = [UInt8](repeating: 0xA5, count: length)
            for key in [nil, RFCVectors.key] {
                let bytes = FrameEncoder.encode(opcode: .binary, payload: payload, maskingKey: key)
                let role: Role = key == nil ? .client : .server
                #expect(try RFCVectors.decodeWhole([bytes], role: role) == [RFCVectors.frame(.binary, payload, key: key)])
            }
        }
    }

    /// A frame exactly at `maxFrameSize` is accepted.
    @Test func frameAtLimitIsAccepted() throws {
        let limits = ProtocolLimits(maxFrameSize: 300)
        let payload = [UInt8](repeating: 1, count: 300)
        let bytes = FrameEncoder.encode(opcode: .binary, payload: payload, maskingKey: nil)
        #expect(try RFCVectors.decodeStreaming([bytes], role: .client, limits: limits) == [RFCVectors.frame(.binary, payload)])
    }

    @Test func rsv1AcceptedOnFirstDataFrameWithDeflate() throws {
        let bytes: [UInt8] = [0xC1, 0x01, 0x00]
        let frames = try RFCVectors.decodeStreaming([bytes], role: .client, allowsRSV1: true)
        #expect(frames.count == 1 && frames[0].header.rsv1 && frames[0].header.opcode == .text)
    }

    // MARK: Violations and their close codes

    @Test(arguments: [UInt8](3...7) + [UInt8](0xB...0xF))
    func reservedOpcodesFail1002(_ opcode: UInt8) {
        for role in [Role.client, .server] {
            let mask: UInt8 = role == .server ? 0x80 : 0
            // Only the first two bytes: the opcode check needs nothing more.
            let error = RFCVectors.error([0x80 | opcode, mask], role: role)
            #expect(error?.closeCode == .protocolError)
            #expect(RFCVectors.wholeError([0x80 | opcode, mask, 0, 0, 0, 0], role: role)?.closeCode == .protocolError)
        }
    }

    @Test(arguments: [UInt8(0x20), 0x10, 0x30, 0x60, 0x50, 0x70])
    func rsv2AndRsv3Fail1002(_ bits: UInt8) {
        for allowsRSV1 in [false, true] {
            #expect(RFCVectors.error([0x81 | bits, 0x00], role: .client, allowsRSV1: allowsRSV1)?.closeCode == .protocolError)
        }
    }

    @Test func rsv1WithoutDeflateFails1002() {
        for opcode: UInt8 in [0x0, 0x1, 0x2, 0x8, 0x9, 0xA] {
            #expect(RFCVectors.error([0xC0 | opcode, 0x00], role: .client)?.closeCode == .protocolError)
        }
    }

    @Test(arguments: [UInt8(0x8), 0x9, 0xA, 0x0])
    func rsv1OnControlOrContinuationWithDeflateFails1002(_ opcode: UInt8) {
        #expect(RFCVectors.error([0xC0 | opcode, 0x00], role: .client, allowsRSV1: true)?.closeCode == .protocolError)
    }

    @Test(arguments: [UInt8(0x8), 0x9, 0xA])
    func fragmentedControlFails1002(_ opcode: UInt8) {
        #expect(RFCVectors.error([opcode, 0x00], role: .client)?.closeCode == .protocolError)
        #expect(RFCVectors.error([opcode, 0x80], role: .server)?.closeCode == .protocolError)
    }

    @Test(arguments: [UInt8(0x8), 0x9, 0xA])
    func controlLongerThan125Fails1002(_ opcode: UInt8) {
        // 126 via the 16-bit form and 127 via the 64-bit form; only the first two bytes are fed.
        #expect(RFCVectors.error([0x80 | opcode, 126], role: .client)?.closeCode == .protocolError)
        #expect(RFCVectors.error([0x80 | opcode, 127], role: .client)?.closeCode == .protocolError)
        #expect(RFCVectors.error([0x80 | opcode, 0x80 | 126], role: .server)?.closeCode == .protocolError)
        // 125 is fine.
        let ok = FrameEncoder.encode(opcode: Opcode(rawValue: opcode), payload: [UInt8](repeating: 0x30, count: 125), maskingKey: nil)
        #expect(RFCVectors.error(ok, role: .client) == nil)
    }

    @Test func maskedFrameToClientFails1002() {
        #expect(RFCVectors.error(RFCVectors.maskedHello, role: .client)?.closeCode == .protocolError)
        #expect(RFCVectors.error(Array(RFCVectors.maskedHello.prefix(2)), role: .client)?.closeCode == .protocolError)
    }

    @Test func unmaskedFrameToServerFails1002() {
        #expect(RFCVectors.error(RFCVectors.unmaskedHello, role: .server)?.closeCode == .protocolError)
        #expect(RFCVectors.error(Array(RFCVectors.unmaskedHello.prefix(2)), role: .server)?.closeCode == .protocolError)
    }

    @Test func sixtyFourBitLengthWithHighBitFails1002() {
        let header: [UInt8] = [0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 0x01]
        #expect(RFCVectors.error(header, role: .client)?.closeCode == .protocolError)
        #expect(RFCVectors.wholeError(header, role: .client)?.closeCode == .protocolError)
        #expect(RFCVectors.error([0x82, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], role: .server)?.closeCode == .protocolError)
    }

    /// 1009 is raised from the header alone: no payload byte (and, for a server, not even the mask key) is needed.
    @Test func frameOverLimitFails1009FromHeaderOnly() {
        let limits = ProtocolLimits(maxFrameSize: 1000)
        let headers: [([UInt8], Role)] = [
            ([0x82, 0x7E, 0x03, 0xE9], .client),  // 1001, 16-bit length
            ([0x82, 0xFE, 0x03, 0xE9], .server),  // masked, key not yet sent
            ([0x82, 0x7F, 0, 0, 0, 0, 0, 0, 0x03, 0xE9], .client),  // 1001, 64-bit length
            ([0x82, 0x7F, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], .client),  // Int64.max
            ([0x82, 0xFF, 0, 0, 0, 1, 0, 0, 0, 0], .server),  // 4 GiB, masked, no key
            ([0x02, 0x7F, 0, 0, 0, 0, 0x01, 0, 0, 0], .client),  // 16 MiB non-final fragment
        ]
        for (header, role) in headers {
            var decoder = FrameDecoder(role: role, limits: limits)
            decoder.append(header)
            var caught: ProtocolError?
            do { _ = try decoder.next() } catch { caught = error }
            #expect(caught?.closeCode == .messageTooBig, "header \(header)")
            #expect(RFCVectors.wholeError(header, role: role, limits: limits)?.closeCode == .messageTooBig)
        }
        // The default 16 MiB limit rejects 16 MiB + 1 from the header.
        #expect(RFCVectors.error([0x82, 0x7F, 0, 0, 0, 0, 0x01, 0, 0, 0x01], role: .client)?.closeCode == .messageTooBig)
        #expect(RFCVectors.error([0x82, 0x7F, 0, 0, 0, 0, 0x01, 0, 0, 0x00], role: .client) == nil)
    }

    /// Errors are raised at the earliest byte that proves them: feeding fewer bytes yields nil, not an error.
    @Test func incompleteHeaderIsNotAnError() throws {
        var decoder = FrameDecoder(role: .server, limits: ProtocolLimits(maxFrameSize: 1000))
        decoder.append([0x82])
        #expect(try decoder.next() == nil)
        decoder.append([0xFE, 0x03])
        #expect(try decoder.next() == nil)
        decoder.append([0xE8, 0x01, 0x02])  // 1000 bytes: at the limit; key incomplete
        #expect(try decoder.next() == nil)
        decoder.append([0x03, 0x04])
        #expect(try decoder.next() == .header(FrameHeader(opcode: .binary, maskingKey: MaskingKey(1, 2, 3, 4), payloadLength: 1000)))
    }
}
