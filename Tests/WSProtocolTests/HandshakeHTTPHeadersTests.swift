import Testing

@testable import WSProtocol

/// Ordered, duplicate-keeping, case-insensitive header fields.
@Suite struct HTTPHeadersTests {
    @Test func caseInsensitiveLookupKeepsOrderAndDuplicates() {
        var headers = HTTPHeaders([("Set-Cookie", "a=1"), ("x-pod-name", "pod-0")])
        headers.add("set-cookie", "b=2")
        #expect(headers.count == 3)
        #expect(headers.first("SET-COOKIE") == "a=1")
        #expect(headers.values("Set-Cookie") == ["a=1", "b=2"])
        #expect(headers.first("X-Pod-Name") == "pod-0")
        #expect(headers.contains("X-POD-NAME"))
        #expect(!headers.contains("X-Pod"))
        #expect(headers.first("missing") == nil)
        #expect(headers.map(\.name) == ["Set-Cookie", "x-pod-name", "set-cookie"])
        headers.remove("SET-cookie")
        #expect(headers.count == 1)
    }

    @Test func tokensSplitTrimAndLowerCaseAcrossValues() {
        let headers = HTTPHeaders([("Connection", "keep-alive,  Upgrade "), ("connection", " , TE")])
        #expect(headers.tokens("Connection") == ["keep-alive", "upgrade", "te"])
        #expect(headers.listElements("CONNECTION") == ["keep-alive", "Upgrade", "TE"])
        #expect(headers.tokens("Upgrade").isEmpty)
    }

    @Test func hashableAndEquatable() {
        let a = HTTPHeaders([("A", "1"), ("B", "2")])
        let b = HTTPHeaders([("A", "1"), ("B", "2")])
        let c = HTTPHeaders([("B", "2"), ("A", "1")])
        #expect(a == b)
        #expect(a != c)
        #expect(Set([a, b, c]).count == 2)
    }
}
