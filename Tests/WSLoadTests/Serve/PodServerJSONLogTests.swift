import Foundation
import Testing

@testable import WSLoad

/// `wsload serve --log-format json`: every line is one JSON object (RFC 8259), whatever the pod is called.
@Suite struct PodServerJSONLogTests {
    @Test func aPodNameWithQuotesBackslashesAndControlCharactersStillGivesJSONLines() throws {
        let name = "ws-\"0\"\\a\tb\u{1}"
        let lines = Locked<[String]>([])
        let config = PodServerConfiguration(listen: SocketAddress(ip: "127.0.0.1", port: 0)!, podName: name, logFormat: .json, ioQueues: 1)
        let server = try PodServer(config, logger: .lines { line in lines.withLock { $0.append(line) } })
        _ = try server.start()
        server.drain(timeout: 1)
        let logged = lines.current
        #expect(!logged.isEmpty)
        for line in logged {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
            #expect(object["pod"] as? String == name, "\(line)")
            #expect(object["active_connections"] as? Int == 0, "\(line)")
            #expect(object["msg"] is String && object["ts"] is String, "\(line)")
        }
    }
}
