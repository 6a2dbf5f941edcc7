/// Finds the end of an HTTP/1.1 head in a byte stream and splits it into lines (RFC 9112 §2.1, §2.2, §5).
///
/// Shared by `ResponseHeadParser` and `RequestHeadParser`. Every byte is looked at once: the
/// scanner remembers where the current line starts, so feeding a head byte by byte is linear.
/// Lines end with CRLF; a bare LF is tolerated (RFC 9112 §2.2). Limits fire the moment they
/// are exceeded.
struct HTTPHeadScanner: Sendable {
    let maxHeadBytes: Int
    let maxHeaderCount: Int
    private var buffer: [UInt8] = []
    private var lineStart = 0
    private var lineCount = 0

    init(maxHeadBytes: Int, maxHeaderCount: Int) {
        self.maxHeadBytes = maxHeadBytes
        self.maxHeaderCount = maxHeaderCount
    }

    /// Consumes `bytes`; returns the complete head's lines (terminators removed) and the bytes
    /// after the head, or nil if the empty line has not arrived yet. Resets after a complete head.
    mutating func feed(_ bytes: some Collection<UInt8>) throws(HandshakeError) -> (lines: [ArraySlice<UInt8>], remainder: [UInt8])? {
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let byte = bytes[index]
            bytes.formIndex(after: &index)
            buffer.append(byte)
            if buffer.count > maxHeadBytes { throw .headTooLarge(limit: maxHeadBytes) }
            guard byte == HTTPSyntax.lf else { continue }
            let lineEnd = buffer.count - 1
            let isEmptyLine = lineEnd == lineStart || (lineEnd == lineStart + 1 && buffer[lineStart] == HTTPSyntax.cr)
            if isEmptyLine {
                guard lineCount > 0 else { throw .malformedHead("empty line before the start line") }
                let lines = splitLines()
                let remainder = Array(bytes[index...])
                self = HTTPHeadScanner(maxHeadBytes: maxHeadBytes, maxHeaderCount: maxHeaderCount)
                return (lines, remainder)
            }
            lineCount += 1
            // The first line is the start line; the rest are header fields.
            if lineCount - 1 > maxHeaderCount { throw .tooManyHeaders(limit: maxHeaderCount) }
            lineStart = buffer.count
        }
        return nil
    }

    /// Splits the buffered head (up to the start of the empty line) into lines without CRLF / LF.
    private func splitLines() -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        lines.reserveCapacity(lineCount)
        var start = 0
        for i in 0..<lineStart where buffer[i] == HTTPSyntax.lf {
            var end = i
            if end > start && buffer[end - 1] == HTTPSyntax.cr { end -= 1 }
            lines.append(buffer[start..<end])
            start = i + 1
        }
        return lines
    }

    /// Parses header lines into `HTTPHeaders` (RFC 9112 §5): `name: OWS value OWS`, name a token,
    /// no obs-fold (RFC 9112 §5.2: rejected), no bare CR or other control characters in values.
    static func parseHeaders(_ lines: ArraySlice<ArraySlice<UInt8>>) throws(HandshakeError) -> HTTPHeaders {
        var headers = HTTPHeaders()
        for line in lines {
            guard let first = line.first else { continue }
            if first == HTTPSyntax.space || first == HTTPSyntax.tab {
                throw .malformedHead("obsolete line folding (continuation line) is not accepted")
            }
            guard let colon = line.firstIndex(of: HTTPSyntax.colon) else {
                throw .malformedHead("header line without a colon: \(printable(line))")
            }
            let name = line[line.startIndex..<colon]
            guard !name.isEmpty, name.allSatisfy(HTTPSyntax.isTokenChar) else {
                throw .malformedHead("invalid header name: \(printable(name))")
            }
            var value = line[(colon + 1)...]
            while let b = value.first, b == HTTPSyntax.space || b == HTTPSyntax.tab { value.removeFirst() }
            while let b = value.last, b == HTTPSyntax.space || b == HTTPSyntax.tab { value.removeLast() }
            if value.contains(where: HTTPSyntax.isForbiddenInValue) {
                throw .malformedHead("control character in the value of \(printable(name))")
            }
            headers.add(String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
        }
        return headers
    }

    /// Checks `HTTP/d.d` (RFC 9112 §2.3).
    static func isHTTPVersion(_ bytes: some Collection<UInt8>) -> Bool {
        let v = Array(bytes)
        guard v.count == 8, v[0..<5].elementsEqual("HTTP/".utf8), v[6] == UInt8(ascii: ".") else { return false }
        return isDigit(v[5]) && isDigit(v[7])
    }

    static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    /// A short, printable rendering of untrusted bytes for error messages.
    static func printable(_ bytes: some Collection<UInt8>) -> String {
        let clipped = bytes.prefix(80).map { ($0 >= 0x20 && $0 < 0x7F) ? $0 : UInt8(ascii: "?") }
        return String(decoding: clipped, as: UTF8.self) + (bytes.count > 80 ? "…" : "")
    }
}
