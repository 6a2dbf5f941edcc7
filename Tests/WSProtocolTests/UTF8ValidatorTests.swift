import Testing

@testable import WSProtocol

/// The streaming UTF-8 validator (RFC 3629, RFC 6455 §8.1): Markus Kuhn-style cases, fail-fast
/// positions and agreement with the standard library.
@Suite struct UTF8ValidatorTests {
    /// The standard library's verdict.
    static func stdlibValid(_ bytes: [UInt8]) -> Bool { String(validating: bytes, as: UTF8.self) != nil }

    /// The standard library's UTF-8 parser without building a String (fast enough for the exhaustive oracle).
    static func stdlibParses(_ bytes: [UInt8]) -> Bool {
        !transcode(bytes.makeIterator(), from: UTF8.self, to: UTF32.self, stoppingOnError: true) { _ in }
    }

    /// Whether `prefix` can still be completed to valid UTF-8 (independent oracle: tries every
    /// continuation-byte class, 80-8F / 90-9F / A0-BF, for up to three more bytes).
    static func isExtendable(_ prefix: [UInt8]) -> Bool {
        if stdlibParses(prefix) { return true }
        let representatives: [UInt8] = [0x80, 0x90, 0xA0, 0xBF]
        var candidates: [[UInt8]] = [[]]
        for _ in 1...3 {
            candidates = candidates.flatMap { c in representatives.map { c + [$0] } }
            if candidates.contains(where: { stdlibParses(prefix + $0) }) { return true }
        }
        return false
    }

    /// Index of the byte at which feeding one byte at a time first returns false, or nil.
    static func failIndexByteAtATime(_ bytes: [UInt8]) -> Int? {
        var v = UTF8Validator()
        for (i, b) in bytes.enumerated() where !v.validate([b]) { return i }
        return nil
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var bytes: [UInt8]
        /// nil: valid and complete; -1: valid so far but truncated; n: fails at byte n.
        var failAt: Int?
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "empty", bytes: [], failAt: nil),
        Case(name: "ASCII", bytes: Array("Hello, world! 0123456789abcdef".utf8), failAt: nil),
        Case(name: "2-byte é", bytes: [0xC3, 0xA9], failAt: nil),
        Case(name: "3-byte €", bytes: [0xE2, 0x82, 0xAC], failAt: nil),
        Case(name: "4-byte 𝄞", bytes: [0xF0, 0x9D, 0x84, 0x9E], failAt: nil),
        Case(name: "κόσμε", bytes: Array("κόσμε".utf8), failAt: nil),
        Case(
            name: "boundaries U+0080 U+07FF U+0800 U+FFFF U+10000 U+10FFFF",
            bytes: [0xC2, 0x80, 0xDF, 0xBF, 0xE0, 0xA0, 0x80, 0xEF, 0xBF, 0xBF, 0xF0, 0x90, 0x80, 0x80, 0xF4, 0x8F, 0xBF, 0xBF], failAt: nil),
        Case(name: "U+D7FF and U+E000 around the surrogates", bytes: [0xED, 0x9F, 0xBF, 0xEE, 0x80, 0x80], failAt: nil),
        Case(name: "U+FFFE/U+FFFF noncharacters are valid", bytes: [0xEF, 0xBF, 0xBE, 0xEF, 0xBF, 0xBF], failAt: nil),
        Case(name: "NUL", bytes: [0x00], failAt: nil),
        Case(name: "overlong C0 80", bytes: [0xC0, 0x80], failAt: 0),
        Case(name: "overlong C1 BF", bytes: [0xC1, 0xBF], failAt: 0),
        Case(name: "overlong E0 80 80", bytes: [0xE0, 0x80, 0x80], failAt: 1),
        Case(name: "overlong E0 9F BF", bytes: [0xE0, 0x9F, 0xBF], failAt: 1),
        Case(name: "overlong F0 80 80 80", bytes: [0xF0, 0x80, 0x80, 0x80], failAt: 1),
        Case(name: "overlong F0 8F BF BF", bytes: [0xF0, 0x8F, 0xBF, 0xBF], failAt: 1),
        Case(name: "surrogate ED A0 80", bytes: [0xED, 0xA0, 0x80], failAt: 1),
        Case(name: "surrogate ED BF BF", bytes: [0xED, 0xBF, 0xBF], failAt: 1),
        Case(name: "surrogate pair", bytes: [0xED, 0xA0, 0x80, 0xED, 0xB0, 0x80], failAt: 1),
        Case(name: "above U+10FFFF F4 90 80 80", bytes: [0xF4, 0x90, 0x80, 0x80], failAt: 1),
        Case(name: "F5", bytes: [0xF5, 0x80, 0x80, 0x80], failAt: 0),
        Case(name: "F8 5-byte form", bytes: [0xF8, 0x88, 0x80, 0x80, 0x80], failAt: 0),
        Case(name: "FC 6-byte form", bytes: [0xFC, 0x84, 0x80, 0x80, 0x80, 0x80], failAt: 0),
        Case(name: "FE", bytes: [0xFE], failAt: 0),
        Case(name: "FF", bytes: [0xFF], failAt: 0),
        Case(name: "lone continuation 80", bytes: [0x80], failAt: 0),
        Case(name: "lone continuation BF after ASCII", bytes: [0x41, 0x42, 0xBF], failAt: 2),
        Case(name: "2-byte lead then ASCII", bytes: [0xC3, 0x41], failAt: 1),
        Case(name: "3-byte lead, one cont, then lead", bytes: [0xE2, 0x82, 0xE2], failAt: 2),
        Case(name: "4-byte with 5th continuation", bytes: [0xF0, 0x9D, 0x84, 0x9E, 0x80], failAt: 4),
        Case(
            name: "Autobahn 6.4.1 fail mid-text", bytes: [0xCE, 0xBA, 0xE1, 0xBD, 0xB9, 0xCF, 0x83, 0xCE, 0xBC, 0xCE, 0xB5, 0xF4, 0x90, 0x80, 0x80],
            failAt: 12),
        Case(name: "invalid after 17 ASCII bytes (fast path)", bytes: Array("abcdefghijklmnopq".utf8) + [0xC0], failAt: 17),
        Case(name: "truncated 2-byte", bytes: [0xC3], failAt: -1),
        Case(name: "truncated 3-byte", bytes: [0xE2, 0x82], failAt: -1),
        Case(name: "truncated 4-byte", bytes: [0xF0, 0x9D, 0x84], failAt: -1),
        Case(name: "truncated after valid text", bytes: Array("κόσμε".utf8) + [0xF4, 0x8F], failAt: -1),
    ]

    @Test(arguments: cases)
    func kuhnCase(_ c: Case) {
        // All at once.
        var whole = UTF8Validator()
        let accepted = whole.validate(c.bytes)
        switch c.failAt {
        case nil:
            #expect(accepted && whole.isComplete && !whole.hasFailed)
            #expect(UTF8Validator.isValid(c.bytes))
        case .some(-1):
            #expect(accepted && !whole.isComplete && !whole.hasFailed)
            #expect(!UTF8Validator.isValid(c.bytes))
        case let index?:
            #expect(!accepted && whole.hasFailed && !whole.isComplete)
            #expect(!UTF8Validator.isValid(c.bytes))
            // Fail fast: byte at a time, the failure is at exactly the first impossible byte…
            #expect(Self.failIndexByteAtATime(c.bytes) == index)
            // …and everything before it is still accepted.
            var prefix = UTF8Validator()
            let prefixAccepted = prefix.validate(Array(c.bytes[..<index]))
            #expect(prefixAccepted)
            // Once failed, it stays failed, even for valid input.
            #expect(!whole.validate(Array("ok".utf8)) && whole.hasFailed)
        }
        #expect(UTF8Validator.isValid(c.bytes) == Self.stdlibValid(c.bytes))
    }

    /// Every single byte value on its own.
    @Test func everySingleByte() {
        for b in 0...255 {
            let byte = UInt8(b)
            var v = UTF8Validator()
            let accepted = v.validate([byte])
            switch byte {
            case 0x00...0x7F: #expect(accepted && v.isComplete)
            case 0xC2...0xF4: #expect(accepted && !v.isComplete, "lead byte \(byte)")
            default: #expect(!accepted && v.hasFailed, "byte \(byte)")
            }
        }
    }

    /// Every two-byte sequence agrees with the standard library (valid + complete); those starting with
    /// C0...FF (after ASCII or a continuation the single-byte test already decides) also with the prefix oracle.
    @Test func everyTwoByteSequence() {
        var mismatches: [[UInt8]] = []
        for a in 0...255 {
            for b in 0...255 {
                let bytes = [UInt8(a), UInt8(b)]
                var v = UTF8Validator()
                let accepted = v.validate(bytes)
                if (accepted && v.isComplete) != Self.stdlibValid(bytes) { mismatches.append(bytes) }
                if a >= 0xC0 && accepted != Self.isExtendable(bytes) { mismatches.append(bytes) }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }

    /// Random short inputs biased toward UTF-8 structure: the validator agrees with `String(validating:as:)`,
    /// in one piece and in random splits.
    @Test func agreesWithStandardLibraryOn10000RandomInputs() {
        var rng = TestRNG(seed: 0x00F8_1234)
        var mismatches: [[UInt8]] = []
        var validCount = 0
        for _ in 0..<10_000 {
            let bytes = Self.randomUTF8ish(using: &rng)
            let expected = Self.stdlibValid(bytes)
            if expected { validCount += 1 }
            var v = UTF8Validator()
            let whole = v.validate(bytes) && v.isComplete
            var split = UTF8Validator()
            var ok = true
            for chunk in RFCVectors.chunks(bytes, cuts: RFCVectors.randomCuts(bytes.count, using: &rng)) where ok {
                ok = split.validate(chunk)
            }
            let chunked = ok && split.isComplete
            if whole != expected || chunked != expected || UTF8Validator.isValid(bytes) != expected { mismatches.append(bytes) }
        }
        #expect(mismatches.isEmpty, "first mismatches: \(mismatches.prefix(5))")
        // The generator must exercise both outcomes substantially.
        #expect(validCount > 1000 && validCount < 9000, "valid: \(validCount)")
    }

    /// Fail-fast on random inputs: fed byte by byte, the validator fails exactly at the first byte after
    /// which no completion can be valid (the oracle), and not before.
    @Test func failFastPositionMatchesOracle() {
        var rng = TestRNG(seed: 0xFA57)
        var mismatches: [[UInt8]] = []
        for _ in 0..<2000 {
            let bytes = Self.randomUTF8ish(using: &rng, maxLength: 10)
            var expected: Int?
            for i in bytes.indices where !Self.isExtendable(Array(bytes[...i])) { expected = i; break }
            if Self.failIndexByteAtATime(bytes) != expected { mismatches.append(bytes) }
        }
        #expect(mismatches.isEmpty, "first mismatches: \(mismatches.prefix(5))")
    }

    /// Long inputs exercise the 8-byte ASCII fast path at every alignment.
    @Test func asciiFastPathAtEveryAlignment() {
        let ascii = Array(String(repeating: "The quick brown fox. ", count: 10).utf8)
        for start in 0..<16 {
            for badAt in stride(from: 0, to: 120, by: 7) {
                var bytes = Array(ascii[start...])
                bytes[badAt] = 0xFF
                bytes.withUnsafeBytes { raw in
                    var v = UTF8Validator()
                    let accepted = v.validate(raw)
                    #expect(!accepted)
                }
                #expect(Self.failIndexByteAtATime(bytes) == badAt)
                var v = UTF8Validator()
                #expect(v.validate(Array(ascii[start...])) && v.isComplete)
            }
        }
    }

    static func randomUTF8ish(using rng: inout TestRNG, maxLength: Int = 12) -> [UInt8] {
        let length = Int.random(in: 0...maxLength, using: &rng)
        var out: [UInt8] = []
        while out.count < length {
            switch Int.random(in: 0..<10, using: &rng) {
            case 0...2: out.append(UInt8.random(in: 0x00...0x7F, using: &rng))
            case 3...4: out.append(UInt8.random(in: 0x80...0xBF, using: &rng))
            case 5: out.append(UInt8.random(in: 0xC0...0xFF, using: &rng))
            default:
                // A well-formed scalar, occasionally one the stdlib rejects when encoded naively.
                let scalar: UInt32
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: scalar = UInt32.random(in: 0x80...0x7FF, using: &rng)
                case 1: scalar = UInt32.random(in: 0x800...0xFFFF, using: &rng)
                case 2: scalar = UInt32.random(in: 0x10000...0x10FFFF, using: &rng)
                default: scalar = UInt32.random(in: 0xD7F0...0xE010, using: &rng)  // around the surrogates
                }
                out += Self.encodeLoosely(scalar)
            }
        }
        return out
    }

    /// UTF-8 encoding without the surrogate check (so surrogates produce ED A0..BF xx).
    static func encodeLoosely(_ s: UInt32) -> [UInt8] {
        switch s {
        case ..<0x80: return [UInt8(s)]
        case ..<0x800: return [UInt8(0xC0 | s >> 6), UInt8(0x80 | s & 0x3F)]
        case ..<0x10000: return [UInt8(0xE0 | s >> 12), UInt8(0x80 | s >> 6 & 0x3F), UInt8(0x80 | s & 0x3F)]
        default: return [UInt8(0xF0 | s >> 18), UInt8(0x80 | s >> 12 & 0x3F), UInt8(0x80 | s >> 6 & 0x3F), UInt8(0x80 | s & 0x3F)]
        }
    }
}
