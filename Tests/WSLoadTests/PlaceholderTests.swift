import Testing
@testable import WSLoad
@Test func placeholder() { #expect(WSLoadVersion.string == "0.1.0") }
