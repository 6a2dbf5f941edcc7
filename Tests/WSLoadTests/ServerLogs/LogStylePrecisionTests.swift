import Foundation
import Testing

@testable import WSLoad

/// 2026-12-02T04:25:11Z.
private let stamp = Date(timeIntervalSince1970: 1_796_185_511)

/// Issue 13, case 1: the log styles that stamp to the second are recognised, with their precision.
@Suite struct LogStylePrecisionTests {
    let parser = try! ActiveConnectionsParser(referenceDate: stamp)

    @Test(arguments: [
        ("[2026-12-02T04:25:11Z INFO app] Active connections: 3", LogTimestampPrecision.seconds),  // env_logger
        ("2026/12/02 04:25:11 Active connections: 3", .seconds),  // Go log
        ("2026/12/02 04:25:11.250000 Active connections: 3", .microseconds),  // Go log, Lmicroseconds
        ("2026-12-02T04:25:11Z Active connections: 3", .seconds),  // RFC 3339, seconds
        (#"{"ts": 1796185511, "active_connections": 3}"#, .seconds),  // JSON epoch seconds
        (#"{"time": 1796185511000, "activeConnections": 3}"#, .milliseconds),  // JSON epoch ms
        (#"{"timestamp": "2026-12-02T04:25:11Z", "active_connections": 3}"#, .seconds),  // JSON RFC 3339
        ("2026-12-02T04:25:11.123456789Z [2026-12-02T04:25:11Z INFO app] Active connections: 3", .nanoseconds),  // kubectl --timestamps wins
        ("[pod/ws-0/app] [2026-12-02T04:25:11Z INFO app] Active connections: 3", .seconds),  // --prefix stream
    ])
    func styleIsStampedWithItsPrecision(line: String, precision: LogTimestampPrecision) throws {
        guard case .sample(let s) = parser.parseLine(line, lineNumber: 1) else {
            Issue.record("no reading in \(line)"); return
        }
        #expect(s.activeConnections == 3)
        let t = try #require(s.timestamp, "no timestamp read from \(line)")
        #expect(abs(t.timeIntervalSince(stamp)) < 1, "\(t) for \(line)")
        #expect(s.precision == precision)
    }

    @Test func goLogIsReadInTheGivenZone() throws {
        let p = try ActiveConnectionsParser(referenceDate: stamp, klogTimeZone: TimeZone(secondsFromGMT: 3600)!)
        guard case .sample(let s) = p.parseLine("2026/12/02 05:25:11 Active connections: 1", lineNumber: 1) else {
            Issue.record("no reading"); return
        }
        #expect(s.timestamp == stamp)
    }

    @Test func untimestampedLinesHaveNoPrecision() {
        guard case .sample(let s) = parser.parseLine("Active connections: 4", lineNumber: 1) else {
            Issue.record("no reading"); return
        }
        #expect(s.timestamp == nil && s.precision == nil)
    }

    @Test func precisionAndPhaseStayOutOfTheJSONWhenAbsent() throws {
        let plain = LogSample(pod: "ws-0", timestamp: nil, activeConnections: 1, line: 1)
        let json = String(decoding: try JSONEncoder().encode(plain), as: UTF8.self)
        #expect(!json.contains("precision") && !json.contains("phase"))
        let full = LogSample(pod: "ws-0", timestamp: stamp, activeConnections: 1, line: 1, precision: .seconds, phase: .hold)
        let back = try JSONDecoder().decode(LogSample.self, from: JSONEncoder().encode(full))
        #expect(back == full)
    }
}
