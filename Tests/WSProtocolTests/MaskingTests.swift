import Testing

@testable import WSProtocol

/// `MaskingKey.apply` (RFC 6455 §5.3) against a naive byte loop: every length, key offset and buffer alignment.
@Suite struct MaskingTests {
    static func naive(_ bytes: [UInt8], key: MaskingKey, offset: Int) -> [UInt8] {
        let k = [key.bytes.0, key.bytes.1, key.bytes.2, key.bytes.3]
        return bytes.enumerated().map { i, b in b ^ k[(offset + i) % 4] }
    }

    @Test func keyByteOrderAndSubscript() {
        let key = MaskingKey(0x37FA_213D)
        #expect(key == MaskingKey(0x37, 0xFA, 0x21, 0x3D))
        #expect((0..<8).map { key[$0] } == [0x37, 0xFA, 0x21, 0x3D, 0x37, 0xFA, 0x21, 0x3D])
        #expect(key.hashValue == MaskingKey(0x37, 0xFA, 0x21, 0x3D).hashValue)
        #expect(key != MaskingKey(0x3D, 0x21, 0xFA, 0x37))
    }

    /// Every length 0...300 × every offset 0...7 × every buffer start 0...7 bytes past an allocation:
    /// equals the naive loop, and never touches a byte outside the buffer.
    @Test(arguments: [MaskingKey(0x37, 0xFA, 0x21, 0x3D), MaskingKey(0xFF, 0x00, 0x80, 0x01), MaskingKey(0)])
    func applyEqualsNaiveLoop(_ key: MaskingKey) {
        var rng = TestRNG(seed: 0xA11CE)
        var failures = 0
        for length in 0...300 {
            let data = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            for offset in 0...7 {
                let expected = Self.naive(data, key: key, offset: offset)
                for start in 0...7 {
                    // Guard bytes around the target region detect out-of-bounds writes.
                    var storage = [UInt8](repeating: 0xCC, count: start + length + 16)
                    storage.replaceSubrange(start..<(start + length), with: data)
                    storage.withUnsafeMutableBytes { raw in
                        key.apply(to: UnsafeMutableRawBufferPointer(rebasing: raw[start..<(start + length)]), offset: offset)
                    }
                    let ok =
                        Array(storage[start..<(start + length)]) == expected
                        && storage[..<start].allSatisfy { $0 == 0xCC }
                        && storage[(start + length)...].allSatisfy { $0 == 0xCC }
                    if !ok { failures += 1 }
                }
                // The array overload.
                var copy = data
                key.apply(to: &copy, offset: offset)
                if copy != expected { failures += 1 }
            }
        }
        #expect(failures == 0)
    }

    @Test func offsetsBeyondSevenWrapModuloFour() {
        let key = MaskingKey(1, 2, 3, 4)
        let data = [UInt8](repeating: 0, count: 37)
        for offset in [8, 13, 1_000_003] {
            var copy = data
            key.apply(to: &copy, offset: offset)
            #expect(copy == Self.naive(data, key: key, offset: offset % 4))
        }
    }

    /// Masking twice restores the input; masking in chunks with running offsets equals masking once.
    @Test func involutionAndChunking() {
        var rng = TestRNG(seed: 77)
        let key = MaskingKey(0xDE, 0xAD, 0xBE, 0xEF)
        let data = (0..<4099).map { _ in UInt8.random(in: 0...255, using: &rng) }
        var twice = data
        key.apply(to: &twice); key.apply(to: &twice)
        #expect(twice == data)
        var whole = data
        key.apply(to: &whole)
        for _ in 0..<50 {
            let cuts = RFCVectors.randomCuts(data.count, using: &rng)
            var position = 0
            var chunked: [UInt8] = []
            for var chunk in RFCVectors.chunks(data, cuts: cuts) {
                key.apply(to: &chunk, offset: position)
                position += chunk.count
                chunked += chunk
            }
            #expect(chunked == whole)
        }
    }

    @Test func emptyBuffersAreNoOps() {
        let key = MaskingKey(1, 2, 3, 4)
        var empty: [UInt8] = []
        key.apply(to: &empty, offset: 3)
        #expect(empty.isEmpty)
        key.apply(to: UnsafeMutableRawBufferPointer(start: nil, count: 0))
    }
}
