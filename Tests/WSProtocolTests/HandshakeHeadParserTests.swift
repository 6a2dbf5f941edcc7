import Testing

@testable import WSProtocol

/// Incremental response/request head parsing: splits, limits, malformed input (RFC 9112).
@Suite struct HandshakeHeadParserTests {
    static let response = Array(
        ("HTTP/1.1 101 Switching Protocols\r\n"
            + "Upgrade: websocket\r\n"
            + "connection:Upgrade\r\n"
            + "Sec-WebSocket-Accept:   s3pPLMBiTxaQ9kYGzzhZRbK+xOo=  \r\n"
            + "Set-Cookie: a=1\r\n"
            + "set-cookie: b=2\r\n"
            + "X-Empty:\r\n"
            + "\r\n").utf8)
    static let trailing: [UInt8] = [0x81, 0x05, 0x48, 0x65, 0x6C, 0x6C, 0x6F, 0x0D, 0x0A, 0x0D, 0x0A]

    static func checkHead(_ head: ResponseHead) {
        #expect(head.version == "HTTP/1.1")
        #expect(head.status == 101)
        #expect(head.reason == "Switching Protocols")
        #expect(head.headers.count == 6)
        #expect(head.headers.first("Connection") == "Upgrade")
        #expect(head.headers.first("sec-websocket-accept") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        #expect(head.headers.values("Set-Cookie") == ["a=1", "b=2"])
        #expect(head.headers.first("X-Empty") == "")
    }

    @Test func wholeBufferWithRemainder() throws {
        var parser = ResponseHeadParser()
        let result = try #require(try parser.feed(Self.response + Self.trailing))
        Self.checkHead(result.head)
        #expect(result.remainder == Self.trailing)
    }

    @Test func byteAtATime() throws {
        var parser = ResponseHeadParser()
        let input = Self.response + Self.trailing
        var result: (head: ResponseHead, remainder: [UInt8])?
        var index = 0
        while result == nil && index < input.count {
            result = try parser.feed(input[index..<index + 1])
            index += 1
        }
        let done = try #require(result)
        #expect(index == Self.response.count)
        Self.checkHead(done.head)
        #expect(done.remainder.isEmpty)
        #expect(Array(input[index...]) == Self.trailing)
    }

    @Test(arguments: 1...40)
    func randomSplits(seed: Int) throws {
        var rng = TestRNG(seed: UInt64(seed))
        var parser = ResponseHeadParser()
        let input = Self.response + Self.trailing
        var index = 0
        var result: (head: ResponseHead, remainder: [UInt8])?
        var afterHead: [UInt8] = []
        while index < input.count {
            let n = Int.random(in: 1...17, using: &rng)
            let end = min(input.count, index + n)
            if result == nil {
                result = try parser.feed(input[index..<end])
                if let result { afterHead += result.remainder }
            } else {
                afterHead += input[index..<end]
            }
            index = end
        }
        let done = try #require(result)
        Self.checkHead(done.head)
        #expect(afterHead == Self.trailing)
    }

    @Test func bareLineFeedsAreTolerated() throws {
        var parser = ResponseHeadParser()
        let result = try #require(try parser.feed(Array("HTTP/1.1 101 OK\nUpgrade: websocket\n\nxy".utf8)))
        #expect(result.head.status == 101)
        #expect(result.head.headers.first("Upgrade") == "websocket")
        #expect(result.remainder == Array("xy".utf8))
    }

    @Test func missingReasonPhraseIsTolerated() throws {
        for text in ["HTTP/1.1 404\r\n\r\n", "HTTP/1.1 404 \r\n\r\n"] {
            var parser = ResponseHeadParser()
            let result = try #require(try parser.feed(Array(text.utf8)))
            #expect(result.head.status == 404)
            #expect(result.head.reason == "")
        }
    }

    @Test func incompleteHeadReturnsNil() throws {
        var parser = ResponseHeadParser()
        #expect(try parser.feed(Array("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r".utf8)) == nil)
        let result = try #require(try parser.feed([0x0A]))
        #expect(result.head.headers.count == 1)
    }

    @Test func headTooLargeFiresBeforeTheTerminator() {
        var parser = ResponseHeadParser(maxHeadBytes: 64)
        let line = Array("HTTP/1.1 101 Switching Protocols\r\nX-Long: ".utf8)
        #expect(throws: Never.self) { _ = try parser.feed(line) }
        #expect(throws: HandshakeError.headTooLarge(limit: 64)) {
            _ = try parser.feed([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))
        }
    }

    @Test func headOfExactlyTheLimitIsAccepted() throws {
        let head = Array("HTTP/1.1 101 OK\r\n\r\n".utf8)
        var parser = ResponseHeadParser(maxHeadBytes: head.count)
        #expect(try parser.feed(head)?.head.status == 101)
        var smaller = ResponseHeadParser(maxHeadBytes: head.count - 1)
        #expect(throws: HandshakeError.headTooLarge(limit: head.count - 1)) { _ = try smaller.feed(head) }
    }

    @Test func tooManyHeadersFiresAtTheLineThatExceeds() throws {
        var parser = ResponseHeadParser(maxHeaderCount: 3)
        var text = "HTTP/1.1 101 OK\r\n"
        for i in 0..<3 { text += "X-\(i): v\r\n" }
        #expect(try parser.feed(Array(text.utf8)) == nil)
        #expect(throws: HandshakeError.tooManyHeaders(limit: 3)) { _ = try parser.feed(Array("X-3: v\r\n".utf8)) }

        var exact = ResponseHeadParser(maxHeaderCount: 3)
        #expect(try exact.feed(Array((text + "\r\n").utf8))?.head.headers.count == 3)
    }

    @Test(arguments: [
        "HTP/1.1 101 Switching Protocols\r\n\r\n",
        "HTTP/1.1 10 Short\r\n\r\n",
        "HTTP/1.1 1011 Long\r\n\r\n",
        "HTTP/1.1 abc Letters\r\n\r\n",
        "HTTP/11 101 X\r\n\r\n",
        "HTTP/1.1  101 Two spaces\r\n\r\n",
        "HTTP/1.1 101X\r\n\r\n",
        "SSH-2.0-OpenSSH_9.2\r\n\r\n",
        "\r\nHTTP/1.1 101 OK\r\n\r\n",
        "HTTP/1.1 101 OK\r\nNoColon\r\n\r\n",
        "HTTP/1.1 101 OK\r\nUpgrade: websocket\r\n  folded\r\n\r\n",
        "HTTP/1.1 101 OK\r\nUpgrade: websocket\r\n\tfolded\r\n\r\n",
        "HTTP/1.1 101 OK\r\nBad Name: x\r\n\r\n",
        "HTTP/1.1 101 OK\r\nUpgrade : websocket\r\n\r\n",
        "HTTP/1.1 101 OK\r\n: empty name\r\n\r\n",
        "HTTP/1.1 101 OK\r\nX-Bad: a\rb\r\n\r\n",
        "HTTP/1.1 101 OK\r\nX-Bad: a\u{01}b\r\n\r\n",
        "HTTP/1.1 101 O\u{7F}K\r\n\r\n",
    ])
    func malformedResponses(text: String) {
        var parser = ResponseHeadParser()
        #expect {
            _ = try parser.feed(Array(text.utf8))
        } throws: { error in
            guard let error = error as? HandshakeError, case .malformedHead = error else { return false }
            return true
        }
    }

    @Test func requestParserParsesAndKeepsPipelinedBytes() throws {
        var parser = RequestHeadParser()
        let text = "GET /ws?x=1 HTTP/1.1\r\nHost: example.com:8080\r\nUpgrade: websocket\r\n\r\n"
        var fedBytes = 0
        var byteWise: (head: RequestHead, remainder: [UInt8])?
        for byte in Array(text.utf8) where byteWise == nil {
            byteWise = try parser.feed([byte])
            fedBytes += 1
        }
        #expect(fedBytes == text.utf8.count)
        #expect(byteWise?.head.target == "/ws?x=1")
        var again = RequestHeadParser()
        let done = try #require(try again.feed(Array(text.utf8) + [0x81, 0x80]))
        #expect(done.head.method == "GET")
        #expect(done.head.target == "/ws?x=1")
        #expect(done.head.version == "HTTP/1.1")
        #expect(done.head.headers.first("host") == "example.com:8080")
        #expect(done.remainder == [0x81, 0x80])
    }

    @Test(arguments: [
        "GET /ws\r\n\r\n",
        "GET  /ws HTTP/1.1\r\n\r\n",
        "GET /ws HTTP/1.1 extra\r\n\r\n",
        "GET /w s HTTP/1.1\r\n\r\n",
        "G(T /ws HTTP/1.1\r\n\r\n",
        "GET /ws HTTQ/1.1\r\n\r\n",
        "GET /ws HTTP/1.1\r\nHost\r\n\r\n",
    ])
    func malformedRequests(text: String) {
        var parser = RequestHeadParser()
        #expect {
            _ = try parser.feed(Array(text.utf8))
        } throws: { error in
            guard let error = error as? HandshakeError, case .malformedHead = error else { return false }
            return true
        }
    }

    @Test func requestLimits() {
        var parser = RequestHeadParser(maxHeadBytes: 100, maxHeaderCount: 2)
        #expect(throws: HandshakeError.tooManyHeaders(limit: 2)) {
            _ = try parser.feed(Array("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n".utf8))
        }
        var small = RequestHeadParser(maxHeadBytes: 10)
        #expect(throws: HandshakeError.headTooLarge(limit: 10)) {
            _ = try small.feed(Array("GET / HTTP/1.1\r\n".utf8))
        }
    }
}
