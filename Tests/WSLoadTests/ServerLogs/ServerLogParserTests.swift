import Foundation
import Testing

@testable import WSLoad

/// 2026-11-25T12:00:00Z.
private let noon = Date(timeIntervalSince1970: 1_795_608_000)

@Suite struct ServerLogParserTests {
    let parser = try! ActiveConnectionsParser(referenceDate: noon)

    @Test func plainFormsAndGarbage() {
        let text = """
            server starting on :8080
            Active connections: 5
            active connections=7
            active_connections=9
            activeConnections: 11

            client 10.0.0.1 connected
            ACTIVE_CONNECTIONS = 13
            """
        let result = parser.parse(text, pod: "ws-0")
        #expect(result.samples.map(\.activeConnections) == [5, 7, 9, 11, 13])
        #expect(result.samples.map(\.line) == [2, 3, 4, 5, 8])
        #expect(result.samples.allSatisfy { $0.pod == "ws-0" && $0.timestamp == nil })
        #expect(result.garbageLines == 2)
        #expect(result.totalLines == 8)
    }

    @Test func jsonLines() {
        let text = """
            {"ts":"2026-11-25T12:00:01.5Z","level":"info","active_connections":3}
            {"time":1795608001,"activeConnections":4,"pod":"ws-2"}
            {"timestamp":1795608001250,"active_connections":"6"}
            {"msg":"hello"}
            {not json
            """
        let result = parser.parse(text, pod: "ws-1")
        #expect(result.samples.count == 3)
        #expect(result.garbageLines == 2)
        #expect(result.samples[0].timestamp == Date(timeIntervalSince1970: 1_795_608_001.5))
        #expect(result.samples[0].pod == "ws-1")
        #expect(result.samples[1].timestamp == Date(timeIntervalSince1970: 1_795_608_001))
        #expect(result.samples[1].pod == "ws-2")
        #expect(result.samples[1].activeConnections == 4)
        #expect(abs(result.samples[2].timestamp!.timeIntervalSince1970 - 1_795_608_001.25) < 1e-6)
        #expect(result.samples[2].activeConnections == 6)
    }

    @Test func jsonMessageFallsBackToPattern() {
        let r = parser.parseLine(#"{"msg":"Active connections: 8"}"#, lineNumber: 1)
        guard case .sample(let s) = r else { Issue.record("expected a sample"); return }
        #expect(s.activeConnections == 8)
    }

    @Test func rfc3339Forms() throws {
        let utc = try #require(LogTimestamp.parseRFC3339("2026-11-25T12:00:01.123456789Z"))
        #expect(abs(utc.timeIntervalSince1970 - 1_795_608_001.123456789) < 1e-6)
        let plusOne = try #require(LogTimestamp.parseRFC3339("2026-11-25T13:00:01+01:00"))
        #expect(plusOne.timeIntervalSince1970 == 1_795_608_001)
        let minus = try #require(LogTimestamp.parseRFC3339("2026-11-25T06:30:01.5-05:30"))
        #expect(minus.timeIntervalSince1970 == 1_795_608_001.5)
        #expect(LogTimestamp.parseRFC3339("2026-11-25 12:00:01Z") == nil)
        #expect(LogTimestamp.parseRFC3339("2026-13-25T12:00:01Z") == nil)
        #expect(LogTimestamp.parseRFC3339("2026-11-25T12:00:01") == nil)
    }

    @Test func kubectlTimestamps() {
        let text = """
            2026-11-25T12:00:01.123456789Z Active connections: 5
            2026-11-25T12:00:02.000000000Z {"active_connections": 6}
            2026-11-25T12:00:03Z nothing to see
            """
        let result = parser.parse(text, pod: "ws-0")
        #expect(result.samples.map(\.activeConnections) == [5, 6])
        #expect(abs(result.samples[0].timestamp!.timeIntervalSince1970 - 1_795_608_001.123457) < 1e-5)
        #expect(result.samples[1].timestamp == Date(timeIntervalSince1970: 1_795_608_002))
        #expect(result.garbageLines == 1)
    }

    @Test func klogLines() {
        let text = """
            I1125 12:00:01.123456   12 server.go:42] Active connections: 5
            W1125 12:00:02.000000   12 server.go:43] slow client
            E1125 12:00:03.5   7 server.go:44] active_connections=4
            """
        let result = parser.parse(text, pod: "ws-0")
        #expect(result.samples.map(\.activeConnections) == [5, 4])
        #expect(abs(result.samples[0].timestamp!.timeIntervalSince1970 - 1_795_608_001.123456) < 1e-5)
        #expect(result.samples[1].timestamp == Date(timeIntervalSince1970: 1_795_608_003.5))
        #expect(result.garbageLines == 1)
    }

    @Test func klogYearComesFromReferenceAcrossNewYear() throws {
        let newYear = Date(timeIntervalSince1970: 1_798_761_600 + 3600)  // 2027-01-01T01:00Z
        let p = try ActiveConnectionsParser(referenceDate: newYear)
        guard case .sample(let s) = p.parseLine("I1231 23:59:59.000000 1 a.go:1] Active connections: 2", lineNumber: 1)
        else { Issue.record("expected a sample"); return }
        #expect(s.timestamp == Date(timeIntervalSince1970: 1_798_761_599))  // 2026-12-31T23:59:59Z
    }

    @Test func kubectlPrefixStreams() {
        let text = """
            [pod/ws-0/server] Active connections: 5
            [pod/ws-1/server] 2026-11-25T12:00:01Z active_connections=3
            [ws-2] {"activeConnections": 7}
            [ws-2] hello
            [info] Active connections: 1
            [INFO] Active connections: 2
            """
        let result = parser.parse(text)
        #expect(result.samples.map(\.pod) == ["ws-0", "ws-1", "ws-2", nil, nil])
        #expect(result.samples.map(\.activeConnections) == [5, 3, 7, 1, 2])
        #expect(result.samples[1].timestamp == Date(timeIntervalSince1970: 1_795_608_001))
        #expect(result.garbageLines == 1)
        let series = result.series(unattributedPod: "unknown")
        #expect(series.map(\.pod) == ["unknown", "ws-0", "ws-1", "ws-2"])
        #expect(series[0].samples.count == 2)
    }

    @Test func prefixSplitter() {
        #expect(LogStreamPrefix.split("[pod/ws-0/server] x")?.pod == "ws-0")
        #expect(LogStreamPrefix.split("[pod/ws-0/server] x")?.rest == "x")
        #expect(LogStreamPrefix.split("[ws-0.ns] y")?.pod == "ws-0.ns")
        #expect(LogStreamPrefix.split("[Ws-0] y") == nil)
        #expect(LogStreamPrefix.split("[warn] y") == nil)
        #expect(LogStreamPrefix.split("no prefix") == nil)
    }

    @Test func customPatternWithPod() throws {
        let p = try ActiveConnectionsParser(pattern: #"pod=(?<pod>\S+) conns=(?<count>\d+)"#, referenceDate: noon)
        let result = p.parse("pod=ws-3 conns=12\npod=ws-4 other=1\n")
        #expect(result.samples == [LogSample(pod: "ws-3", timestamp: nil, activeConnections: 12, line: 1)])
        #expect(result.garbageLines == 1)
        #expect(result.totalLines == 2)
    }

    @Test func badPatternsAreRejected() {
        #expect(throws: LogPatternError.missingCountGroup(pattern: #"conns=(\d+)"#)) {
            try ActiveConnectionsParser(pattern: #"conns=(\d+)"#)
        }
        #expect {
            try ActiveConnectionsParser(pattern: #"(?<count>\d+"#)
        } throws: { error in
            if case LogPatternError.invalidRegularExpression = error { return true }
            return false
        }
    }

    @Test func seriesOrderingByTimestamp() {
        let t0 = noon
        let s = LogSampleSeries(
            pod: "ws-0",
            samples: [
                LogSample(pod: "ws-0", timestamp: t0.addingTimeInterval(2), activeConnections: 2, line: 1),
                LogSample(pod: "ws-0", timestamp: t0, activeConnections: 0, line: 2),
            ])
        #expect(s.isFullyTimestamped)
        #expect(s.ordered.map(\.line) == [2, 1])
    }
}
