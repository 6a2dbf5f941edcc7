/// A WebSocket frame opcode (RFC 6455 §5.2, §11.8).
///
/// An open set of 4-bit wire values: the six defined opcodes are static members; the reserved
/// values 0x3–0x7 and 0xB–0xF are representable so the decoder can reject them with 1002.
public struct Opcode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The 4-bit opcode value.
    public var rawValue: UInt8
    /// Creates an opcode from its 4-bit wire value.
    public init(rawValue: UInt8) { self.rawValue = rawValue & 0x0F }

    /// 0x0: continuation of a fragmented message.
    public static let continuation = Opcode(rawValue: 0x0)
    /// 0x1: a text (UTF-8) data frame.
    public static let text = Opcode(rawValue: 0x1)
    /// 0x2: a binary data frame.
    public static let binary = Opcode(rawValue: 0x2)
    /// 0x8: connection close (control).
    public static let close = Opcode(rawValue: 0x8)
    /// 0x9: ping (control).
    public static let ping = Opcode(rawValue: 0x9)
    /// 0xA: pong (control).
    public static let pong = Opcode(rawValue: 0xA)

    /// Control frames have the most significant opcode bit set (RFC 6455 §5.5).
    public var isControl: Bool { rawValue & 0x08 != 0 }
    /// Whether the opcode is one RFC 6455 defines (others are reserved, §5.2).
    public var isDefined: Bool {
        switch rawValue {
        case 0x0, 0x1, 0x2, 0x8, 0x9, 0xA: return true
        default: return false
        }
    }

    /// The opcode's name, e.g. `text`.
    public var description: String {
        switch rawValue {
        case 0x0: return "continuation"
        case 0x1: return "text"
        case 0x2: return "binary"
        case 0x8: return "close"
        case 0x9: return "ping"
        case 0xA: return "pong"
        default: return "reserved(0x\(String(rawValue, radix: 16)))"
        }
    }
}
