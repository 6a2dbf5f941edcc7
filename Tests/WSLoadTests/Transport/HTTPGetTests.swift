import Testing

@testable import WSLoad

@Suite struct HTTPGetTests {
    @Test func chunkedAndContentLengthBodiesAreDecoded() throws {
        let chunked = Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n7;x=y\r\n, world\r\n0\r\n\r\n".utf8)
        #expect(try HTTPGet.parse(chunked).text == "hello, world")
        let sized = Array("HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nabcdef".utf8)
        let r = try HTTPGet.parse(sized)
        #expect(r.status == 404 && r.text == "abc")
        #expect(throws: HTTPGet.ParseError.self) { try HTTPGet.parse(Array("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc".utf8)) }
    }

    @Test func urlsSplitIntoHostPortAndTarget() {
        #expect(HTTPGet.split("http://127.0.0.1:9090/api/v1/query?query=up")! == ("127.0.0.1", 9090, "/api/v1/query?query=up", "127.0.0.1:9090"))
        #expect(HTTPGet.split("http://[::1]:81")! == ("::1", 81, "/", "[::1]:81"))
        #expect(HTTPGet.split("http://host?x")! == ("host", 80, "/?x", "host"))
        #expect(HTTPGet.split("https://host/") == nil)
        #expect(HTTPGet.split("http://host:99999/") == nil)
    }

    @Test func aClosedPortFailsNamingTheURLAndConnect() {
        do {
            // Port 1 on loopback: nothing listens there in a test sandbox.
            _ = try HTTPGet.get("http://127.0.0.1:1/metrics", timeout: 1)
            Issue.record("GET to port 1 succeeded")
        } catch {
            #expect(error.description.hasPrefix("GET http://127.0.0.1:1/metrics: connect 127.0.0.1:1"), "\(error)")
        }
    }
}
