/// A cryptographically secure pseudo-random generator: the ChaCha20 keystream (RFC 8439 §2.3, 20 rounds) under a
/// 256-bit key, read as little-endian words.
///
/// wsload's masking keys must be unpredictable (RFC 6455 §5.3, §10.3: "derived from a strong source of entropy"),
/// but one `getrandom(2)` per frame costs a syscall each; this generator is keyed once from the system's generator
/// (``seeded(from:)``) and then runs in user space — the construction of OpenBSD's `arc4random` and Linux's own
/// `/dev/urandom` extraction. Pure: bytes in, words out; no clock, no I/O.
public struct ChaCha20Generator: RandomNumberGenerator, Sendable {
    private var state: [UInt32]  // the 16-word input block: constants, key, counter, nonce
    private var block: [UInt32] = Array(repeating: 0, count: 16)
    private var used = 16  // words of `block` consumed

    /// A generator over the keystream of `key` (32 bytes) and `nonce` (12 bytes), from block `counter`.
    public init(key: [UInt8], nonce: [UInt8] = Array(repeating: 0, count: 12), counter: UInt32 = 0) {
        precondition(key.count == 32 && nonce.count == 12, "ChaCha20 needs a 32-byte key and a 12-byte nonce")
        func word(_ bytes: [UInt8], _ i: Int) -> UInt32 {
            UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24
        }
        // RFC 8439 §2.3: "expand 32-byte k", then the key, the block counter and the nonce.
        state = [0x6170_7865, 0x3320_646E, 0x7962_2D32, 0x6B20_6574]
        state += (0..<8).map { word(key, 4 * $0) }
        state.append(counter)
        state += (0..<3).map { word(nonce, 4 * $0) }
    }

    /// A generator keyed with 32 bytes drawn from `source` (the system's generator in production).
    public static func seeded(from source: inout some RandomNumberGenerator) -> ChaCha20Generator {
        var key: [UInt8] = []
        key.reserveCapacity(32)
        for _ in 0..<4 {
            let w = source.next()
            for shift in stride(from: 0, to: 64, by: 8) { key.append(UInt8(truncatingIfNeeded: w >> UInt64(shift))) }
        }
        return ChaCha20Generator(key: key)
    }

    /// The next keystream word.
    public mutating func nextWord() -> UInt32 {
        if used == 16 { refill() }
        defer { used += 1 }
        return block[used]
    }

    /// The next 64 bits of keystream (two words, the first in the low half).
    public mutating func next() -> UInt64 {
        let low = UInt64(nextWord())
        return low | UInt64(nextWord()) << 32
    }

    /// The block function (RFC 8439 §2.3) on the current state, then the counter steps. Past 2³² blocks (256 GiB of
    /// keystream) the counter wraps into the nonce's first word, so the stream never repeats.
    private mutating func refill() {
        var x = state
        for _ in 0..<10 {
            Self.quarterRound(&x, 0, 4, 8, 12)
            Self.quarterRound(&x, 1, 5, 9, 13)
            Self.quarterRound(&x, 2, 6, 10, 14)
            Self.quarterRound(&x, 3, 7, 11, 15)
            Self.quarterRound(&x, 0, 5, 10, 15)
            Self.quarterRound(&x, 1, 6, 11, 12)
            Self.quarterRound(&x, 2, 7, 8, 13)
            Self.quarterRound(&x, 3, 4, 9, 14)
        }
        for i in 0..<16 { block[i] = x[i] &+ state[i] }
        state[12] &+= 1
        if state[12] == 0 { state[13] &+= 1 }
        used = 0
    }

    /// The quarter round (RFC 8439 §2.1) on words a, b, c, d of `x`.
    static func quarterRound(_ x: inout [UInt32], _ a: Int, _ b: Int, _ c: Int, _ d: Int) {
        x[a] &+= x[b]; x[d] ^= x[a]; x[d] = x[d] << 16 | x[d] >> 16
        x[c] &+= x[d]; x[b] ^= x[c]; x[b] = x[b] << 12 | x[b] >> 20
        x[a] &+= x[b]; x[d] ^= x[a]; x[d] = x[d] << 8 | x[d] >> 24
        x[c] &+= x[d]; x[b] ^= x[c]; x[b] = x[b] << 7 | x[b] >> 25
    }

    /// The serialized block (RFC 8439 §2.3.2's "Serialized Block") the next words come from, for tests.
    mutating func nextBlockBytes() -> [UInt8] {
        refill()
        used = 16
        return block.flatMap { w in (0..<4).map { UInt8(truncatingIfNeeded: w >> (8 * $0)) } }
    }
}

/// One ``ChaCha20Generator`` shared by every connection confined to one queue or thread (a reference, so the
/// state machines of that queue draw from one stream). Not thread-safe: use it from its owner's queue only.
public final class KeyStream: @unchecked Sendable {
    /// The generator.
    public var generator: ChaCha20Generator

    /// A stream keyed from the system's generator (one `getrandom(2)`-backed draw of 32 bytes).
    public init() {
        var system = SystemRandomNumberGenerator()
        generator = ChaCha20Generator.seeded(from: &system)
    }

    /// A stream over `generator` (tests).
    public init(_ generator: ChaCha20Generator) { self.generator = generator }
}
