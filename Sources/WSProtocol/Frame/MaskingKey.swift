/// A 32-bit frame masking key (RFC 6455 §5.3), in wire byte order.
public struct MaskingKey: Hashable, Sendable {
    /// The four key bytes as they appear on the wire.
    public var bytes: (UInt8, UInt8, UInt8, UInt8)

    /// Creates a key from its four wire bytes.
    public init(_ b0: UInt8, _ b1: UInt8, _ b2: UInt8, _ b3: UInt8) { bytes = (b0, b1, b2, b3) }

    /// Creates a key from a 32-bit value whose most significant byte is sent first.
    public init(_ value: UInt32) {
        bytes = (
            UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16),
            UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)
        )
    }

    /// The key byte used for payload octet `i` (RFC 6455 §5.3: `j = i MOD 4`).
    @inlinable public subscript(i: Int) -> UInt8 {
        switch i & 3 {
        case 0: return bytes.0
        case 1: return bytes.1
        case 2: return bytes.2
        default: return bytes.3
        }
    }

    /// Compares two keys byte by byte.
    public static func == (a: MaskingKey, b: MaskingKey) -> Bool {
        a.bytes.0 == b.bytes.0 && a.bytes.1 == b.bytes.1 && a.bytes.2 == b.bytes.2 && a.bytes.3 == b.bytes.3
    }

    /// Hashes the four key bytes.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(bytes.0); hasher.combine(bytes.1); hasher.combine(bytes.2); hasher.combine(bytes.3)
    }

    /// XORs `buffer` with this key, starting at key position `offset` (RFC 6455 §5.3).
    ///
    /// Masking and unmasking are the same operation. Works a machine word at a time: the key is
    /// rotated to the offset and repeated into 64 bits, so the inner loop is one load, one XOR and
    /// one store per eight bytes.
    @inlinable
    public func apply(to buffer: UnsafeMutableRawBufferPointer, offset: Int = 0) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        let count = buffer.count
        var i = 0
        // Lead-in until the pointer is 8-byte aligned.
        while i < count && (Int(bitPattern: base + i) & 7) != 0 {
            base.storeBytes(of: base.load(fromByteOffset: i, as: UInt8.self) ^ self[offset + i], toByteOffset: i, as: UInt8.self)
            i += 1
        }
        if count - i >= 8 {
            // Key bytes in memory order starting at payload position offset+i.
            let k0 = UInt64(self[offset + i]), k1 = UInt64(self[offset + i + 1])
            let k2 = UInt64(self[offset + i + 2]), k3 = UInt64(self[offset + i + 3])
            let word32 = k0 | k1 << 8 | k2 << 16 | k3 << 24  // little-endian memory order
            var word = word32 | word32 << 32
            #if _endian(big)
                word = word.byteSwapped
            #endif
            while count - i >= 8 {
                let p = base + i
                p.storeBytes(of: p.load(as: UInt64.self) ^ word, as: UInt64.self)
                i += 8
            }
        }
        while i < count {
            base.storeBytes(of: base.load(fromByteOffset: i, as: UInt8.self) ^ self[offset + i], toByteOffset: i, as: UInt8.self)
            i += 1
        }
    }

    /// XORs `bytes` in place with this key, starting at key position `offset`.
    @inlinable
    public func apply(to bytes: inout [UInt8], offset: Int = 0) {
        bytes.withUnsafeMutableBytes { apply(to: $0, offset: offset) }
    }
}

/// Where a client gets its masking keys (RFC 6455 §5.3 requires unpredictable keys on the wire).
///
/// `.random` draws from the system generator (a syscall per key); `.stream` from a ChaCha20 keystream keyed once
/// from it (what the engine uses: one stream per I/O queue); tests inject `.fixed` or a seeded sequence for
/// byte-exact output.
public struct MaskingKeySource: Sendable {
    @usableFromInline enum Mode: Sendable {
        case random
        case stream(KeyStream)
        case fixed(MaskingKey)
        case seeded(UInt64)
    }
    @usableFromInline var mode: Mode

    /// Keys from the system's cryptographically secure generator.
    public static var random: MaskingKeySource { MaskingKeySource(mode: .random) }
    /// Keys from `stream`, a user-space CSPRNG shared by the connections of one queue (RFC 6455 §10.3).
    public static func stream(_ stream: KeyStream) -> MaskingKeySource { MaskingKeySource(mode: .stream(stream)) }
    /// Whether keys come from the system generator (a connection may then use its queue's stream instead).
    public var isSystemRandom: Bool {
        if case .random = mode { return true }
        return false
    }
    /// The same key for every frame (tests only).
    public static func fixed(_ key: MaskingKey) -> MaskingKeySource { MaskingKeySource(mode: .fixed(key)) }
    /// A deterministic pseudo-random sequence from `seed` (tests and reproducible benchmarks).
    public static func seeded(_ seed: UInt64) -> MaskingKeySource { MaskingKeySource(mode: .seeded(seed == 0 ? 0x9E37_79B9_7F4A_7C15 : seed)) }

    /// The next key.
    @inlinable
    public mutating func next() -> MaskingKey {
        switch mode {
        case .random:
            var g = SystemRandomNumberGenerator()
            return MaskingKey(UInt32.random(in: .min ... .max, using: &g))
        case .stream(let stream):
            return MaskingKey(stream.generator.nextWord())
        case .fixed(let key):
            return key
        case .seeded(var s):
            // xorshift64*
            s ^= s >> 12; s ^= s << 25; s ^= s >> 27
            mode = .seeded(s)
            return MaskingKey(UInt32(truncatingIfNeeded: (s &* 0x2545_F491_4F6C_DD1D) >> 32))
        }
    }
}
