import Testing

@testable import WSProtocol

/// permessage-deflate compression and decompression (RFC 7692 §7.2).
@Suite struct DeflateCodecTests {
    static let hello = Array("Hello".utf8)
    static let helloCompressed: [UInt8] = [0xF2, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00]
    static let mb = 1 << 20

    static func randomBytes(_ count: Int, seed: UInt64, alphabet: Int = 256) -> [UInt8] {
        var rng = TestRNG(seed: seed)
        return (0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next() % UInt64(alphabet)) }
    }

    /// RFC 7692 §7.2.3.1 and §7.2.3.2: "Hello" twice on one context.
    @Test func rfc7692SharedContextVectors() throws {
        let codec = try PerMessageDeflate(DeflateParameters())
        #expect(try codec.compress(Self.hello) == Self.helloCompressed)
        #expect(try codec.compress(Self.hello) == [0xF2, 0x00, 0x11, 0x00, 0x00])
    }

    /// RFC 7692 §7.2.3.2 with no context takeover: every message compresses the same.
    @Test func noContextTakeoverVectors() throws {
        let codec = try PerMessageDeflate(DeflateParameters(sendNoContextTakeover: true))
        #expect(try codec.compress(Self.hello) == Self.helloCompressed)
        #expect(try codec.compress(Self.hello) == Self.helloCompressed)
    }

    @Test func decompressVectors() throws {
        let codec = try PerMessageDeflate(DeflateParameters())
        // §7.2.3.1
        #expect(try codec.decompress(Self.helloCompressed, isFinal: true, maxMessageSize: 100) == Self.hello)
        // §7.2.3.2: the second message refers back into the first one's window.
        #expect(try codec.decompress([0xF2, 0x00, 0x11, 0x00, 0x00], isFinal: true, maxMessageSize: 100) == Self.hello)
    }

    /// §7.2.3.1: the compressed "Hello" split over two frames.
    @Test func fragmentedMessage() throws {
        let codec = try PerMessageDeflate(DeflateParameters())
        let first = try codec.decompress([0xF2, 0x48, 0xCD], isFinal: false, maxMessageSize: 100)
        let second = try codec.decompress([0xC9, 0xC9, 0x07, 0x00], isFinal: true, maxMessageSize: 100)
        #expect(first + second == Self.hello)
    }

    /// §7.2.3.3: a stored (uncompressed) DEFLATE block.
    @Test func uncompressedBlock() throws {
        let codec = try PerMessageDeflate(DeflateParameters())
        let payload: [UInt8] = [0x00, 0x05, 0x00, 0xFA, 0xFF, 0x48, 0x65, 0x6C, 0x6C, 0x6F, 0x00]
        #expect(try codec.decompress(payload, isFinal: true, maxMessageSize: 100) == Self.hello)
    }

    /// §7.2.3.4: a block with BFINAL set; the next message starts a new DEFLATE stream.
    @Test func bfinalBlock() throws {
        let codec = try PerMessageDeflate(DeflateParameters())
        let payload: [UInt8] = [0xF3, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00, 0x00]
        #expect(try codec.decompress(payload, isFinal: true, maxMessageSize: 100) == Self.hello)
        #expect(try codec.decompress(Self.helloCompressed, isFinal: true, maxMessageSize: 100) == Self.hello)
    }

    /// §7.2.3.5: two DEFLATE blocks in one message.
    @Test func twoBlocksInOneMessage() throws {
        let codec = try PerMessageDeflate(DeflateParameters())
        let payload: [UInt8] = [0xF2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xCA, 0xC9, 0xC9, 0x07, 0x00]
        #expect(try codec.decompress(payload, isFinal: true, maxMessageSize: 100) == Self.hello)
    }

    /// §7.2.3.6: an empty message is the single byte 00 and decodes to nothing.
    @Test func emptyMessage() throws {
        let codec = try PerMessageDeflate(DeflateParameters())
        #expect(try codec.compress([]) == [0x00])
        #expect(try codec.compress(Self.hello) == Self.helloCompressed)
        let again = try codec.compress([])
        #expect(!again.isEmpty)
        let receiver = try PerMessageDeflate(DeflateParameters())
        #expect(try receiver.decompress([0x00], isFinal: true, maxMessageSize: 10) == [])
        #expect(try receiver.decompress(Self.helloCompressed, isFinal: true, maxMessageSize: 10) == Self.hello)
        #expect(try receiver.decompress(again, isFinal: true, maxMessageSize: 10) == [])
    }

    static let roundTripMessages: [[UInt8]] = [0, 1, 100, 5000, 40_000].enumerated().flatMap { index, size in
        // Low-entropy data so back-references span the window, and incompressible data.
        [randomBytes(size, seed: UInt64(index), alphabet: 4), randomBytes(size, seed: UInt64(index + 10))]
    }

    @Test(arguments: 9...15)
    func roundTripsEveryWindowSize(bits: Int) throws {
        for noContextTakeover in [false, true] {
            let sender = try PerMessageDeflate(DeflateParameters(sendMaxWindowBits: bits, sendNoContextTakeover: noContextTakeover))
            let receiver = try PerMessageDeflate(DeflateParameters(receiveMaxWindowBits: bits, receiveNoContextTakeover: noContextTakeover))
            for message in Self.roundTripMessages {
                let compressed = try sender.compress(message)
                #expect(try receiver.decompress(compressed, isFinal: true, maxMessageSize: Self.mb) == message)
            }
        }
    }

    /// Any fragmentation of a compressed message decodes to the same bytes.
    @Test(arguments: 1...8)
    func roundTripsWithRandomFragmentation(seed: Int) throws {
        var rng = TestRNG(seed: UInt64(seed))
        let sender = try PerMessageDeflate(DeflateParameters())
        let receiver = try PerMessageDeflate(DeflateParameters())
        for round in 0..<4 {
            let message = Self.randomBytes(Int.random(in: 0...20_000, using: &rng), seed: UInt64(seed * 10 + round), alphabet: 8)
            let compressed = try sender.compress(message)
            var output: [UInt8] = []
            var index = 0
            repeat {
                let end = min(compressed.count, index + Int.random(in: 0...300, using: &rng))
                output += try receiver.decompress(Array(compressed[index..<end]), isFinal: end == compressed.count, maxMessageSize: Self.mb)
                index = end
            } while index < compressed.count
            #expect(output == message)
        }
    }

    @Test func zipBombIsStoppedAtTheLimit() throws {
        let sender = try PerMessageDeflate(DeflateParameters())
        let bomb = try sender.compress([UInt8](repeating: 0, count: 10 * Self.mb))
        #expect(bomb.count < 20_000)
        let receiver = try PerMessageDeflate(DeflateParameters())
        #expect(throws: ProtocolError.self) { _ = try receiver.decompress(bomb, isFinal: true, maxMessageSize: Self.mb) }
        do {
            _ = try PerMessageDeflate(DeflateParameters()).decompress(bomb, isFinal: true, maxMessageSize: Self.mb)
        } catch {
            #expect(error.closeCode == .messageTooBig)
        }
    }

    /// The limit applies to the whole message across fragments, and resets for the next message.
    @Test func limitSpansFragments() throws {
        let sender = try PerMessageDeflate(DeflateParameters(sendNoContextTakeover: true))
        let compressed = try sender.compress([UInt8](repeating: 7, count: 3000))
        let half = compressed.count / 2
        let receiver = try PerMessageDeflate(DeflateParameters(receiveNoContextTakeover: true))
        #expect(try receiver.decompress(compressed, isFinal: true, maxMessageSize: 3000).count == 3000)
        var produced = try receiver.decompress(Array(compressed[..<half]), isFinal: false, maxMessageSize: 2999)
        #expect(produced.count <= 2999)
        #expect {
            produced += try receiver.decompress(Array(compressed[half...]), isFinal: true, maxMessageSize: 2999)
        } throws: { error in
            (error as? ProtocolError)?.closeCode == .messageTooBig
        }
    }

    @Test func corruptDataThrows() throws {
        let codec = try PerMessageDeflate(DeflateParameters())
        // BTYPE 11 is reserved (RFC 1951 §3.2.3).
        #expect {
            _ = try codec.decompress([0xFF, 0xFF, 0xFF, 0xFF], isFinal: true, maxMessageSize: 100)
        } throws: { error in
            (error as? ProtocolError)?.closeCode == .invalidFramePayloadData
        }
        // A stored block whose NLEN is not the complement of LEN.
        let fresh = try PerMessageDeflate(DeflateParameters())
        #expect(throws: ProtocolError.self) {
            _ = try fresh.decompress([0x00, 0x05, 0x00, 0x00, 0x00, 0x48], isFinal: true, maxMessageSize: 100)
        }
    }

    @Test func rejectsUnsupportedWindowBits() {
        #expect(throws: ProtocolError.self) { _ = try PerMessageDeflate(DeflateParameters(sendMaxWindowBits: 8)) }
        #expect(throws: ProtocolError.self) { _ = try PerMessageDeflate(DeflateParameters(sendMaxWindowBits: 16)) }
        #expect(throws: Never.self) { _ = try PerMessageDeflate(DeflateParameters(sendMaxWindowBits: 9, receiveMaxWindowBits: 8)) }
    }

    /// Inflating with a 15-bit window decodes a peer's 9-bit stream; context survives between messages.
    @Test func contextTakeoverAcrossMessages() throws {
        let sender = try PerMessageDeflate(DeflateParameters(sendMaxWindowBits: 9))
        let receiver = try PerMessageDeflate(DeflateParameters(receiveMaxWindowBits: 9))
        // zlib can reach back at most 2^bits - 262 bytes (MAX_DIST), 250 for 9 bits.
        let message = Self.randomBytes(200, seed: 99)
        let first = try sender.compress(message)
        let second = try sender.compress(message)
        #expect(second.count < first.count / 4)
        #expect(try receiver.decompress(first, isFinal: true, maxMessageSize: 1000) == message)
        #expect(try receiver.decompress(second, isFinal: true, maxMessageSize: 1000) == message)
    }
}

/// Lazy creation and optional release of zlib contexts (memory per idle connection).
@Suite struct DeflateContextLifetimeTests {
    @Test func contextsAreCreatedLazily() throws {
        let codec = try PerMessageDeflate(DeflateParameters())
        #expect(codec.hasContexts == (false, false))
        _ = try codec.compress(Array("Hello".utf8))
        #expect(codec.hasContexts == (true, false))
        _ = try codec.decompress([0xF2, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00], isFinal: true, maxMessageSize: 10)
        #expect(codec.hasContexts == (true, true))
    }

    @Test func noContextTakeoverCanReleaseContexts() throws {
        let parameters = DeflateParameters(sendNoContextTakeover: true, receiveNoContextTakeover: true)
        let codec = try PerMessageDeflate(parameters, memoryLevel: 1, releasesContextsBetweenMessages: true)
        let hello: [UInt8] = [0xF2, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00]
        for _ in 0..<3 {
            #expect(try codec.compress(Array("Hello".utf8)) == hello)
            #expect(codec.hasContexts.compressor == false)
            #expect(
                try codec.decompress(Array(hello[..<3]), isFinal: false, maxMessageSize: 10)
                    + codec.decompress(Array(hello[3...]), isFinal: true, maxMessageSize: 10) == Array("Hello".utf8))
            #expect(codec.hasContexts.decompressor == false)
        }
        #expect(throws: ProtocolError.self) { _ = try PerMessageDeflate(parameters, memoryLevel: 0, releasesContextsBetweenMessages: false) }
    }
}
