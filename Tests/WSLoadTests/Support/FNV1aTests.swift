import Testing

@testable import WSLoad

/// FNV-1a against the reference values of draft-eastlake-fnv (its test vectors for "", "a" and "foobar").
@Suite struct FNV1aTests {
    @Test func thirtyTwoBitVectors() {
        #expect(FNV1a.hash32("".utf8) == 0x811C_9DC5)  // the offset basis
        #expect(FNV1a.hash32("a".utf8) == 0xE40C_292C)
        #expect(FNV1a.hash32("foobar".utf8) == 0xBF9C_F968)
    }

    @Test func sixtyFourBitVectors() {
        #expect(FNV1a.hash64("".utf8) == 0xCBF2_9CE4_8422_2325)
        #expect(FNV1a.hash64("a".utf8) == 0xAF63_DC4C_8601_EC8C)
        #expect(FNV1a.hash64("foobar".utf8) == 0x8594_4171_F739_67E8)
    }

    /// The redaction placeholder's fingerprint is the 32-bit hash, zero-padded to 8 hex digits.
    @Test func redactionFingerprintIsTheThirtyTwoBitHash() {
        #expect(Redaction.fnv1aHex("a") == "e40c292c")
        #expect(Redaction.fnv1aHex("") == "811c9dc5")
    }
}
