import Testing

@testable import WSProtocol

/// Close frame bodies (RFC 6455 §5.5.1, §7.4): parsing, code classification, reason encoding.
@Suite struct CloseFrameTests {
    static func parseError(_ payload: [UInt8]) -> ProtocolError? {
        do { _ = try CloseFrameBody.parse(payload); return nil } catch { return error }
    }

    /// The brief's classification, written independently of `isValidOnWire`.
    static func expectedValid(_ code: Int) -> Bool {
        (1000...1003).contains(code) || (1007...1014).contains(code) || (3000...4999).contains(code)
    }

    @Test func emptyBodyHasNoCode() throws {
        let body = try CloseFrameBody.parse([])
        #expect(body.code == nil && body.reason.isEmpty)
        #expect(body.payload.isEmpty)
    }

    @Test func oneByteBodyFails1002() {
        for b: UInt8 in [0x00, 0x03, 0xE8, 0xFF] {
            #expect(Self.parseError([b])?.closeCode == .protocolError)
        }
    }

    /// Every code 0...5000, with and without a reason: accepted exactly when valid on the wire, else 1002.
    @Test func everyCodeFrom0To5000() throws {
        var wrong: [Int] = []
        for code in 0...5000 {
            let c = CloseCode(UInt16(code))
            if c.isValidOnWire != Self.expectedValid(code) { wrong.append(code) }
            for reason in [[], Array("bye".utf8)] {
                let payload = [UInt8(code >> 8), UInt8(code & 0xFF)] + reason
                if Self.expectedValid(code) {
                    guard let body = try? CloseFrameBody.parse(payload), body.code == c, Array(body.reason.utf8) == reason,
                        body.payload == payload
                    else { wrong.append(code); continue }
                } else if Self.parseError(payload)?.closeCode != .protocolError {
                    wrong.append(code)
                }
            }
        }
        #expect(wrong.isEmpty, "misclassified: \(wrong.prefix(20))")
    }

    @Test func localOnlyCodesAreNotValidOnWire() {
        for code in [
            CloseCode.noStatusReceived, .abnormalClosure, .tlsHandshake, CloseCode(1004), CloseCode(999), CloseCode(2999), CloseCode(5000),
            CloseCode(65535),
        ] {
            #expect(!code.isValidOnWire, "\(code)")
        }
        for code in [
            CloseCode.normalClosure, .goingAway, .protocolError, .unsupportedData, .invalidFramePayloadData,
            .policyViolation, .messageTooBig, .mandatoryExtension, .internalServerError, CloseCode(3000), CloseCode(4999),
        ] {
            #expect(code.isValidOnWire, "\(code)")
        }
    }

    @Test func invalidUTF8ReasonFails1007() {
        let bad: [[UInt8]] = [[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], Array("ok".utf8) + [0xE2, 0x82]]
        for reason in bad {
            #expect(Self.parseError([0x03, 0xE8] + reason)?.closeCode == .invalidFramePayloadData)
        }
    }

    @Test func validReasonRoundTrips() throws {
        let body = try CloseFrameBody.parse([0x03, 0xE9] + Array("au revoir — κόσμε 𝄞".utf8))
        #expect(body == CloseFrameBody(code: .goingAway, reason: "au revoir — κόσμε 𝄞"))
    }

    /// Reasons are cut to at most 123 bytes on a character boundary, so the body stays ≤ 125 bytes and valid UTF-8.
    @Test(arguments: ["a", "é", "€", "𝄞", "aé€𝄞", "e\u{301}"])
    func reasonTruncatedAtCharacterBoundary(_ unit: String) throws {
        for prefix in ["", "x", "xy", "xyz"] {
            let reason = prefix + String(repeating: unit, count: 130)
            let payload = CloseFrameBody(code: .normalClosure, reason: reason).payload
            let reasonBytes = Array(payload.dropFirst(2))
            #expect(payload.count <= 125)
            #expect(Array(payload.prefix(2)) == [0x03, 0xE8])
            #expect(UTF8Validator.isValid(reasonBytes))
            #expect(Array(reason.utf8).starts(with: reasonBytes))
            // As long as possible: the next scalar would not have fit.
            let next = reason.unicodeScalars.dropFirst(String(decoding: reasonBytes, as: UTF8.self).unicodeScalars.count).first!
            #expect(reasonBytes.count + String(next).utf8.count > 123)
            // The truncated body parses back.
            #expect(try CloseFrameBody.parse(payload).reason == String(decoding: reasonBytes, as: UTF8.self))
        }
    }

    @Test func reasonOfExactly123BytesIsKept() {
        let reason = String(repeating: "r", count: 123)
        #expect(CloseFrameBody(code: .goingAway, reason: reason).payload == [0x03, 0xE9] + Array(reason.utf8))
        #expect(CloseFrameBody(code: .goingAway, reason: reason + "s").payload.count == 125)
    }

    @Test func noCodeMeansEmptyPayloadEvenWithReason() {
        #expect(CloseFrameBody(code: nil, reason: "ignored").payload.isEmpty)
    }

    @Test func descriptions() {
        #expect(CloseCode.normalClosure.description == "1000 normal closure")
        #expect(CloseCode(4001).description == "4001 private")
        #expect(ProtocolError(.protocolError, "x").description == "protocol error (1002 protocol error): x")
    }
}
