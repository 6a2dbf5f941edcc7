/// Splits a byte stream into lines: `\n` ends a line, a trailing `\r` is dropped, invalid UTF-8 is replaced.
///
/// A partial last line is kept until more bytes or ``flush(_:)``. A line longer than ``maxLineBytes`` is
/// emitted in pieces rather than buffered without bound.
struct LineBuffer {
    /// Longest line kept whole.
    static let maxLineBytes = 1 << 20

    private var pending: [UInt8] = []

    /// True when a partial line is buffered.
    var hasPartialLine: Bool { !pending.isEmpty }

    /// Appends bytes and calls `emit` for every completed line.
    mutating func append<C: Collection>(_ bytes: C, _ emit: (String) -> Void) where C.Element == UInt8 {
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                emitPending(emit)
            } else {
                pending.append(byte)
                if pending.count >= Self.maxLineBytes { emitPending(emit) }
            }
        }
    }

    /// Emits a buffered partial line, if any.
    mutating func flush(_ emit: (String) -> Void) {
        if !pending.isEmpty { emitPending(emit) }
    }

    /// Forgets a buffered partial line (after truncation).
    mutating func reset() { pending.removeAll(keepingCapacity: true) }

    private mutating func emitPending(_ emit: (String) -> Void) {
        if pending.last == UInt8(ascii: "\r") { pending.removeLast() }
        emit(String(decoding: pending, as: UTF8.self))
        pending.removeAll(keepingCapacity: true)
    }
}
