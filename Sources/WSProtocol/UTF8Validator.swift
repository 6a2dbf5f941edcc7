/// A streaming UTF-8 validator (RFC 3629) that fails at the first invalid byte (RFC 6455 §8.1).
///
/// Feed a text message fragment by fragment (or chunk by chunk inside a frame); it rejects a
/// sequence as soon as no valid continuation exists, and ``isComplete`` says whether the input
/// so far ends on a character boundary. A DFA in the style of Björn Höhrmann's decoder with an
/// ASCII fast path; the state is one byte.
public struct UTF8Validator: Sendable, Hashable {
    @usableFromInline var state: UInt8 = 0  // 0 = accept, 1 = reject, others = inside a sequence

    /// Creates a validator at a character boundary.
    public init() {}

    /// Whether everything fed so far is valid and ends on a character boundary.
    public var isComplete: Bool { state == 0 }
    /// Whether an invalid byte has been seen.
    public var hasFailed: Bool { state == 1 }

    /// Validates the next bytes; returns `false` as soon as the input cannot be valid UTF-8.
    @inlinable
    public mutating func validate(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard state != 1 else { return false }
        guard let base = bytes.baseAddress else { return true }
        let n = bytes.count
        // Hoist the tables out of the loop as raw pointers: one load per table per byte, no
        // global-accessor or bounds-check cost on the multi-byte path.
        let result = UTF8Validator.byteClass.withUnsafeBufferPointer { classes in
            UTF8Validator.transition.withUnsafeBufferPointer { table -> UInt8 in
                var s = state
                var i = 0
                while i < n {
                    if s == 0 {
                        // ASCII fast path, eight bytes at a time.
                        while i + 8 <= n, base.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 { i += 8 }
                        while i < n, base.load(fromByteOffset: i, as: UInt8.self) < 0x80 { i += 1 }
                        if i == n { break }
                    }
                    let byte = base.load(fromByteOffset: i, as: UInt8.self)
                    s = table[Int(s) &* 16 &+ Int(classes[Int(byte)])]
                    if s == 1 { return 1 }
                    i += 1
                }
                return s
            }
        }
        state = result
        return result != 1
    }

    /// Validates the next bytes of an array.
    @inlinable
    public mutating func validate(_ bytes: [UInt8]) -> Bool { bytes.withUnsafeBytes { validate($0) } }

    /// Whether `bytes` is, on its own, complete valid UTF-8.
    public static func isValid(_ bytes: [UInt8]) -> Bool {
        var v = UTF8Validator()
        return v.validate(bytes) && v.isComplete
    }

    // Byte classes: 0 ASCII, 1 cont 80-8F, 2 cont 90-9F, 3 cont A0-BF, 4 C2-DF, 5 E0, 6 E1-EC/EE-EF,
    // 7 ED, 8 F0, 9 F1-F3, 10 F4, 11 invalid (C0, C1, F5-FF).
    @usableFromInline static let byteClass: [UInt8] = {
        var t = [UInt8](repeating: 11, count: 256)
        for b in 0x00...0x7F { t[b] = 0 }
        for b in 0x80...0x8F { t[b] = 1 }
        for b in 0x90...0x9F { t[b] = 2 }
        for b in 0xA0...0xBF { t[b] = 3 }
        for b in 0xC2...0xDF { t[b] = 4 }
        t[0xE0] = 5
        for b in 0xE1...0xEC { t[b] = 6 }
        t[0xED] = 7
        t[0xEE] = 6; t[0xEF] = 6
        t[0xF0] = 8
        for b in 0xF1...0xF3 { t[b] = 9 }
        t[0xF4] = 10
        return t
    }()

    // States: 0 accept, 1 reject, 2 need 1 cont (any), 3 need 2 cont (any), 4 need 3 cont (any),
    // 5 after E0 (need A0-BF), 6 after ED (need 80-9F), 7 after F0 (need 90-BF), 8 after F4 (need 80-8F).
    @usableFromInline static let transition: [UInt8] = {
        var t = [UInt8](repeating: 1, count: 16 * 16)
        func set(_ s: Int, _ c: Int, _ n: Int) { t[s * 16 + c] = UInt8(n) }
        // From accept.
        set(0, 0, 0); set(0, 4, 2); set(0, 5, 5); set(0, 6, 3); set(0, 7, 6); set(0, 8, 7); set(0, 9, 4); set(0, 10, 8)
        for c in 1...3 { set(2, c, 0); set(3, c, 2); set(4, c, 3) }
        set(5, 3, 2)
        set(6, 1, 2); set(6, 2, 2)
        set(7, 2, 3); set(7, 3, 3)
        set(8, 1, 3)
        return t
    }()
}
