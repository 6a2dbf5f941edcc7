import Foundation
import Testing

@testable import WSLoad

/// The one report writer: terminal formats, files, connections.jsonl (redacted) and the colour rule.
@Suite struct ReportWriterTests {
    @Test func terminalFormatsFollowTheOutput() {
        typealias O = ReportWriter.Output
        // No directory: everything asked for is printed, in order.
        #expect(O(formats: [.junit, .table], directory: nil).terminalFormats == [.junit, .table])
        #expect(O(formats: [], directory: nil).terminalFormats == [.table])
        // With a directory: only what is read on a terminal; the table when nothing of that kind was asked for.
        #expect(O(formats: [.json, .markdown, .svg], directory: "d").terminalFormats == [.markdown])
        #expect(O(formats: [.junit], directory: "d").terminalFormats == [.table])
        #expect(O(formats: [.table, .html], directory: "d").terminalFormats == [.table])
    }

    @Test func filesAlwaysKeepTheJSONReport() {
        #expect(ReportWriter.Output(formats: [.junit], directory: "d").fileFormats == [.junit, .json])
        #expect(ReportWriter.Output(formats: [.json, .svg], directory: "d").fileFormats == [.json, .svg])
        #expect(ReportWriter.Output(formats: [.junit], directory: nil).fileFormats.isEmpty)
    }

    /// no-color.org: `NO_COLOR` set to a non-empty value disables colour; empty does not. Never off a terminal.
    @Test func colourRule() {
        #expect(ReportWriter.colour(isTerminal: true, environment: [:]))
        #expect(!ReportWriter.colour(isTerminal: false, environment: [:]))
        #expect(!ReportWriter.colour(isTerminal: true, environment: ["NO_COLOR": "1"]))
        #expect(ReportWriter.colour(isTerminal: true, environment: ["NO_COLOR": ""]))
        #expect(!ReportWriter.colour(isTerminal: true, environment: ["TERM": "dumb"]))
    }

    @Test func writesEachFormatAndRedactedConnections() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wsload-writer-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let report = ReportFixture.make()
        var record = ConnectionRecord(index: 0, client: 0, conn: 0)
        record.affinityCookie = "SERVERID=secret-value-123"
        record.pod = "ws-0"
        let earlier = (dir as NSString).appendingPathComponent("worker.jsonl")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Data("{\"from\":\"worker\"}\n".utf8).write(to: URL(fileURLWithPath: earlier))

        let files = try ReportWriter.writeFiles(
            report, .init(formats: [.junit], directory: dir), records: [record], recordFiles: [earlier, "/nonexistent"])
        #expect(files.map { ($0 as NSString).lastPathComponent } == ["report.xml", "report.json", "connections.jsonl"])
        let json = try #require(FileManager.default.contents(atPath: files[1]))
        #expect(try Report.decode(json: json).statistics.podsHit == report.statistics.podsHit)
        #expect(String(decoding: try #require(FileManager.default.contents(atPath: files[0])), as: UTF8.self) == ReportFormat.junit.render(report))
        let lines = String(decoding: try #require(FileManager.default.contents(atPath: files[2])), as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0] == #"{"from":"worker"}"#, "the copied files come first")
        #expect(!lines[1].contains("secret-value-123"), "cookie values never reach connections.jsonl")
        #expect(lines[1].contains(Redaction.placeholder(for: "SERVERID=secret-value-123")))
    }

    @Test func aReRenderedReportHasNoConnectionsFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wsload-writer-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let files = try ReportWriter.writeFiles(ReportFixture.make(), .init(formats: [.markdown], directory: dir), connections: false)
        #expect(files.map { ($0 as NSString).lastPathComponent } == ["report.md", "report.json"])
    }
}
