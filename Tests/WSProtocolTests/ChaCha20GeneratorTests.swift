import Testing

@testable import WSProtocol

/// The masking-key CSPRNG against RFC 8439's test vectors.
@Suite struct ChaCha20GeneratorTests {
    static func bytes(_ hex: String) -> [UInt8] {
        let digits = hex.filter { !$0.isWhitespace && $0 != ":" }
        return stride(from: 0, to: digits.count, by: 2).map { i in
            let start = digits.index(digits.startIndex, offsetBy: i)
            return UInt8(digits[start..<digits.index(start, offsetBy: 2)], radix: 16)!
        }
    }

    /// RFC 8439 §2.1.1: the quarter round on a = 0x11111111, b = 0x01020304, c = 0x9b8d6f43, d = 0x01234567.
    @Test func quarterRoundVector() {
        var x: [UInt32] = [0x1111_1111, 0x0102_0304, 0x9B8D_6F43, 0x0123_4567]
        ChaCha20Generator.quarterRound(&x, 0, 1, 2, 3)
        #expect(x == [0xEA2A_92F4, 0xCB1C_F8CE, 0x4581_472E, 0x5881_C4BB])
    }

    /// RFC 8439 §2.3.2: key 00:01:…:1f, nonce 00:00:00:09:00:00:00:4a:00:00:00:00, block count 1.
    @Test func blockFunctionVector() {
        var g = ChaCha20Generator(key: Array(0...31), nonce: Self.bytes("000000090000004a00000000"), counter: 1)
        let expected = Self.bytes(
            """
            10 f1 e7 e4 d1 3b 59 15 50 0f dd 1f a3 20 71 c4
            c7 d1 f4 c7 33 c0 68 03 04 22 aa 9a c3 d4 6c 4e
            d2 82 64 46 07 9f aa 09 14 c2 d7 05 d9 8b 02 a2
            b5 12 9c d1 de 16 4e b9 cb d0 83 e8 a2 50 3c 4e
            """)
        #expect(g.nextBlockBytes() == expected)
    }

    /// RFC 8439 §2.4.2's keystream starts at block 1 with the same key and nonce 00:00:00:00:00:00:00:4a:00:00:00:00:
    /// its first keystream bytes (plaintext "Ladies and Gentlemen…" XOR ciphertext 6e 2e 35 9a …) are 22 4f 51 f3.
    @Test func wordsAreTheKeystreamLittleEndian() {
        var g = ChaCha20Generator(key: Array(0...31), nonce: Self.bytes("000000000000004a00000000"), counter: 1)
        let plaintext: [UInt8] = Array("Ladi".utf8)
        let ciphertext: [UInt8] = [0x6E, 0x2E, 0x35, 0x9A]
        let keystream = zip(plaintext, ciphertext).map { $0 ^ $1 }
        let w = g.nextWord()
        #expect((0..<4).map { UInt8(truncatingIfNeeded: w >> (8 * $0)) } == keystream)
    }

    @Test func streamsDifferByKeyAndDoNotRepeatAcrossBlocks() {
        var a = ChaCha20Generator(key: Array(repeating: 1, count: 32))
        var b = ChaCha20Generator(key: Array(repeating: 2, count: 32))
        let wa = (0..<64).map { _ in a.nextWord() }
        let wb = (0..<64).map { _ in b.nextWord() }
        #expect(wa != wb)
        #expect(Set(wa).count == 64, "64 words over 4 blocks, no repeats")
    }

    @Test func maskingKeysFromAStreamAreItsWords() {
        let stream = KeyStream(ChaCha20Generator(key: Array(0...31)))
        var reference = ChaCha20Generator(key: Array(0...31))
        var source = MaskingKeySource.stream(stream)
        #expect(!source.isSystemRandom && MaskingKeySource.random.isSystemRandom)
        for _ in 0..<20 { #expect(source.next() == MaskingKey(reference.nextWord())) }
    }
}
