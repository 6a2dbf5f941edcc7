import Testing

@testable import WSProtocol

/// FIPS 180-4 / RFC 3174 test vectors for the pure-Swift SHA-1.
@Suite struct SHA1Tests {
    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { b in
            let s = String(b, radix: 16)
            return s.count == 1 ? "0" + s : s
        }.joined()
    }

    @Test(arguments: [
        ("", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
        ("abc", "a9993e364706816aba3e25717850c26c9cd0d89d"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1"),
        ("The quick brown fox jumps over the lazy dog", "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12"),
    ])
    func vectors(input: String, digest: String) {
        #expect(Self.hex(SHA1.hash(Array(input.utf8))) == digest)
    }

    @Test func oneMillionA() {
        let input = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(Self.hex(SHA1.hash(input)) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
    }

    /// Lengths around the 55/56/64-byte padding boundaries all give 20-byte digests and differ.
    @Test func paddingBoundaries() {
        var seen = Set<[UInt8]>()
        for length in [54, 55, 56, 57, 63, 64, 65, 119, 120, 128] {
            let digest = SHA1.hash([UInt8](repeating: 0x61, count: length))
            #expect(digest.count == 20)
            seen.insert(digest)
        }
        #expect(seen.count == 10)
        // 64 x 'a' (one full block plus a padding block).
        #expect(Self.hex(SHA1.hash([UInt8](repeating: 0x61, count: 64))) == "0098ba824b5c16427bd7a1122a5a442a25ec644d")
    }
}
