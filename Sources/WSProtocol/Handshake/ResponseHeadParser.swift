/// Incremental HTTP/1.1 response-head parser with size limits (any split of bytes, byte-at-a-time works).
///
/// Feed it what the socket delivers; it returns nil until the empty line that ends the head
/// has arrived, then the parsed head and every byte after it (the start of the WebSocket
/// stream, or of an error body). Each byte is scanned once. After returning a head the parser
/// is reset and could parse another one; after it throws, discard it.
public struct ResponseHeadParser: Sendable {
    private var scanner: HTTPHeadScanner

    /// A parser that rejects heads over `maxHeadBytes` bytes or with more than `maxHeaderCount` header fields.
    public init(maxHeadBytes: Int = 16 * 1024, maxHeaderCount: Int = 100) {
        scanner = HTTPHeadScanner(maxHeadBytes: maxHeadBytes, maxHeaderCount: maxHeaderCount)
    }

    /// Feed bytes; returns nil while the head is incomplete; when complete returns the head plus the bytes that followed it (the start of the WebSocket stream or of a body).
    public mutating func feed(_ bytes: some Collection<UInt8>) throws(HandshakeError) -> (head: ResponseHead, remainder: [UInt8])? {
        guard let (lines, remainder) = try scanner.feed(bytes) else { return nil }
        let head = try Self.parse(lines)
        return (head, remainder)
    }

    /// Parses `HTTP/1.1 101 Switching Protocols` and the header lines (RFC 9112 §4, §5).
    static func parse(_ lines: [ArraySlice<UInt8>]) throws(HandshakeError) -> ResponseHead {
        let statusLine = lines[0]
        let bytes = Array(statusLine)
        // status-line = HTTP-version SP status-code SP [ reason-phrase ]; a missing final SP is tolerated.
        guard bytes.count >= 12, HTTPHeadScanner.isHTTPVersion(bytes[0..<8]), bytes[8] == HTTPSyntax.space,
            bytes[9..<12].allSatisfy(HTTPHeadScanner.isDigit)
        else {
            throw .malformedHead("bad status line: \(HTTPHeadScanner.printable(statusLine))")
        }
        var reason = ArraySlice<UInt8>()
        if bytes.count > 12 {
            guard bytes[12] == HTTPSyntax.space else {
                throw .malformedHead("bad status line: \(HTTPHeadScanner.printable(statusLine))")
            }
            reason = bytes[13...]
            if reason.contains(where: HTTPSyntax.isForbiddenInValue) {
                throw .malformedHead("control character in the reason phrase")
            }
        }
        let status = bytes[9..<12].reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        let headers = try HTTPHeadScanner.parseHeaders(lines[1...])
        return ResponseHead(
            version: String(decoding: bytes[0..<8], as: UTF8.self),
            status: status,
            reason: String(decoding: reason, as: UTF8.self),
            headers: headers
        )
    }
}
