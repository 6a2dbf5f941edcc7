import Foundation
import Testing

@testable import WSLoad

/// The direct `connections.jsonl` writer: what `JSONDecoder` reads back is the record, and the object is
/// the one `JSONEncoder` (the definition) writes, key for key.
@Suite struct ConnectionRecordLineTests {
    static func records() -> [ConnectionRecord] {
        var held = ConnectionRecord(index: 7, client: 3, conn: 1)
        held.status = .held; held.pod = "ws-2"; held.podSource = .header; held.local = "127.0.0.2:40122"
        held.tcpConnectMs = 0.125; held.upgradeMs = 12.0; held.firstMessageMs = 0.00001; held.deflate = true
        var cookie = ConnectionRecord(index: 0, client: 0, conn: 0)
        cookie.status = .open; cookie.affinityCookie = "<redacted:ab12>"; cookie.sentCookie = true
        cookie.receivedCookieNames = ["SERVERID", "route"]; cookie.tlsMs = 3.5; cookie.tlsResumed = true
        cookie.peerCloseCode = 1001
        var odd = ConnectionRecord(index: 2, client: 2, conn: 0)
        odd.status = .held; odd.pod = "pod \"x\" \\ é\n\t\u{01}/ünïcode"
        let pending = ConnectionRecord(index: 9, client: 9, conn: 0)
        return [held, cookie, odd, pending]
    }

    static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }

    @Test func theLineDecodesToTheRecordAndIsJSONEncodersObject() throws {
        for r in Self.records() {
            let line = try #require(ConnectionRecordLine.fastLine(r), "\(r)")
            let back = try JSONDecoder().decode(ConnectionRecord.self, from: Data(line.utf8))
            #expect(back == r, "\(line)")
            let ours = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? NSDictionary
            let theirs = try JSONSerialization.jsonObject(with: Self.encoder().encode(r)) as? NSDictionary
            #expect(ours == theirs, "\(line)")
            // The same keys in the same order as JSONEncoder's .sortedKeys.
            let keys = { (text: String) in
                text.matches(of: /"([A-Za-z]+)":/).map { String($0.output.1) }
            }
            let encoded = String(decoding: try Self.encoder().encode(r), as: UTF8.self)
            if !r.pod.map({ $0.contains("\"") }).isTrue { #expect(keys(line) == keys(encoded), "\(line)\n\(encoded)") }
        }
    }

    @Test func recordsWithRareDetailGoThroughJSONEncoder() throws {
        var failed = ConnectionRecord(index: 1, client: 1, conn: 0)
        failed.status = .failed
        failed.failure = ConnectionFailure(phase: .upgrade, kind: .httpStatus, httpStatus: 503, message: "server answered HTTP 503")
        var recycled = ConnectionRecord(index: 4, client: 4, conn: 0)
        recycled.status = .held; recycled.recycles = 2; recycled.recycledFromPods = ["ws-0", "ws-1"]
        var dropped = ConnectionRecord(index: 5, client: 5, conn: 0)
        dropped.status = .dropped; dropped.ageAtDropSeconds = 30
        for r in [failed, recycled, dropped] {
            #expect(ConnectionRecordLine.fastLine(r) == nil)
            var out = Data()
            try ConnectionRecordLine.append(r, to: &out, encoder: Self.encoder())
            #expect(out == (try Self.encoder().encode(r)))
            #expect(try JSONDecoder().decode(ConnectionRecord.self, from: out) == r)
        }
        var infinite = ConnectionRecord(index: 6, client: 6, conn: 0)
        infinite.upgradeMs = .infinity
        #expect(ConnectionRecordLine.fastLine(infinite) == nil)
    }

    @Test func controlCharactersAreEscapedAsRFC8259Says() {
        var s = ""
        JSONString.append("a\"b\\c\nd\u{1F}e", to: &s)
        #expect(s == #""a\"b\\c\nd\u001fe""#)
    }
}

extension Optional where Wrapped == Bool {
    fileprivate var isTrue: Bool { self ?? false }
}
