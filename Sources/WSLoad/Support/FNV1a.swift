/// FNV-1a (Fowler–Noll–Vo, variant 1a; draft-eastlake-fnv): a fast, non-cryptographic hash. wsload uses it
/// where a stable short fingerprint or a stable spread is wanted — the redaction placeholder's `#hhhhhhhh`
/// (32 bits) and the test front's source-address / cookie hashing (64 bits) — never for secrecy.
public enum FNV1a {
    /// The 32-bit FNV-1a hash of `bytes` (offset basis 0x811C9DC5, prime 0x01000193).
    public static func hash32(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var hash: UInt32 = 0x811C_9DC5
        for byte in bytes { hash = (hash ^ UInt32(byte)) &* 0x0100_0193 }
        return hash
    }

    /// The 64-bit FNV-1a hash of `bytes` (offset basis 0xCBF29CE484222325, prime 0x100000001B3).
    public static func hash64(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return hash
    }
}
