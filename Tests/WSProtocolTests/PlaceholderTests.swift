import Testing
@testable import WSProtocol
@Test func placeholder() { #expect(WSProtocolVersion.string == "0.1.0") }
