import Foundation
import Testing

@testable import WSLoad

/// A file that is not a report is explained in words: what is missing or wrong, and where.
@Suite struct ReportReadErrorTests {
    static func reason(_ text: String) -> String? {
        let data = Data(text.utf8)
        do { _ = try Report.decode(json: data); return nil } catch { return ReportReadError(decoding: error, data: data).reason }
    }

    @Test func missingKeyAtTheTop() {
        #expect(Self.reason(#"{"a": 1}"#) == "no `schemaVersion` key at the top level")
    }

    @Test func wrongType() {
        #expect(Self.reason(#"{"schemaVersion": "two"}"#) == "at `schemaVersion`: expected a whole number")
    }

    @Test func notJSONAndEmpty() {
        #expect(Self.reason("nope") == "not JSON")
        #expect(Self.reason("") == "the file is empty")
    }

    @Test func theSentenceSaysWhatAReportIs() {
        let text = ReportReadError(reason: "not JSON").description
        #expect(text == "not a wsload report: not JSON (a report is the report.json that `wsload run --out DIR` or `--format json` writes)")
        #expect(!text.contains("DecodingError"))
    }

    @Test func nestedPathsAreDotted() throws {
        // A real report with one field broken deep inside: the path names it.
        let good = try String(contentsOf: TestPaths.fixtures.appendingPathComponent("golden/report.json"), encoding: .utf8)
        let broken = good.replacingOccurrences(of: #""attempted" : "#, with: #""attempted" : "x", "was" : "#)
        let reason = try #require(Self.reason(broken))
        #expect(reason.hasPrefix("at `totals.attempted`: expected a whole number"), "\(reason)")
    }
}
