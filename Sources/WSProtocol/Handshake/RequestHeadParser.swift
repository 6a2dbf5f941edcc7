/// Incremental HTTP/1.1 request-head parser with size limits, for the server role (RFC 9112 §3).
///
/// Same contract as `ResponseHeadParser`: nil until the head is complete, then the head and the
/// bytes that followed it (a client may pipeline its first WebSocket frames). After it throws,
/// discard it.
public struct RequestHeadParser: Sendable {
    private var scanner: HTTPHeadScanner

    /// A parser that rejects heads over `maxHeadBytes` bytes or with more than `maxHeaderCount` header fields.
    public init(maxHeadBytes: Int = 16 * 1024, maxHeaderCount: Int = 100) {
        scanner = HTTPHeadScanner(maxHeadBytes: maxHeadBytes, maxHeaderCount: maxHeaderCount)
    }

    /// Feed bytes; returns nil while the head is incomplete; when complete returns the head plus the bytes that followed it.
    public mutating func feed(_ bytes: some Collection<UInt8>) throws(HandshakeError) -> (head: RequestHead, remainder: [UInt8])? {
        guard let (lines, remainder) = try scanner.feed(bytes) else { return nil }
        let head = try Self.parse(lines)
        return (head, remainder)
    }

    /// Parses `GET /path HTTP/1.1` and the header lines (RFC 9112 §3, §5).
    static func parse(_ lines: [ArraySlice<UInt8>]) throws(HandshakeError) -> RequestHead {
        let requestLine = lines[0]
        // request-line = method SP request-target SP HTTP-version, single spaces.
        let parts = requestLine.split(separator: HTTPSyntax.space, omittingEmptySubsequences: false)
        guard parts.count == 3,
            !parts[0].isEmpty, parts[0].allSatisfy(HTTPSyntax.isTokenChar),
            !parts[1].isEmpty, !parts[1].contains(where: { $0 <= 0x20 || $0 == 0x7F }),
            HTTPHeadScanner.isHTTPVersion(parts[2])
        else {
            throw .malformedHead("bad request line: \(HTTPHeadScanner.printable(requestLine))")
        }
        let headers = try HTTPHeadScanner.parseHeaders(lines[1...])
        return RequestHead(
            method: String(decoding: parts[0], as: UTF8.self),
            target: String(decoding: parts[1], as: UTF8.self),
            version: String(decoding: parts[2], as: UTF8.self),
            headers: headers
        )
    }
}
