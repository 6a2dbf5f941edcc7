import Foundation
import Testing

@testable import WSLoad

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Compares renderer output with golden files in Fixtures/golden; set WSLOAD_UPDATE_GOLDEN=1 to rewrite them.
@Suite struct RenderTests {
    static let goldenDirectory = TestPaths.fixtures.appendingPathComponent("golden")

    private func assertGolden(_ actual: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = Self.goldenDirectory.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["WSLOAD_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: Self.goldenDirectory, withIntermediateDirectories: true)
            try actual.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        if actual != expected {
            let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
            let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let line = (0..<min(a.count, e.count)).first { a[$0] != e[$0] } ?? min(a.count, e.count)
            Issue.record(
                "\(name) differs from golden at line \(line + 1):\n  got:      \(line < a.count ? a[line] : "<eof>")\n  expected: \(line < e.count ? e[line] : "<eof>")",
                sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: ReportFormat.allCases)
    func goldenOutput(format: ReportFormat) throws {
        let report = ReportFixture.make()
        try assertGolden(format.render(report), "report.\(format.fileExtension)")
    }

    /// A run with a share timeline, events and the pods' own counts (``ShareFixture``): the share-over-time chart
    /// below the bars, and the compact form in the text formats.
    @Test(arguments: [ReportFormat.svg, .table, .markdown])
    func goldenShareOverTime(format: ReportFormat) throws {
        try assertGolden(format.render(ShareFixture.make()), "report-share.\(format.fileExtension)")
    }

    @Test func colouredTableGolden() throws {
        let text = ReportFormat.table.render(ReportFixture.make(), colour: true)
        #expect(text.contains("\u{1B}[31mFAIL"))
        #expect(!ReportFormat.table.render(ReportFixture.make()).contains("\u{1B}"))
        try assertGolden(text, "report-colour.txt")
    }

    @Test func renderersAreDeterministic() {
        let report = ReportFixture.make()
        for format in ReportFormat.allCases {
            #expect(format.render(report) == format.render(ReportFixture.make()))
        }
    }

    @Test func svgIsWellFormed() throws {
        let svg = SVGRenderer.render(ReportFixture.make())
        let checker = XMLChecker(svg)
        #expect(checker.error == nil)
        #expect(checker.root == "svg")
        #expect(checker.elements["rect", default: 0] == 1 + 2 + 3 + 3)  // background, legend swatches, client and server bars
        #expect(!svg.contains("<script") && !svg.contains("@font-face") && !svg.contains("href"))
    }

    @Test func svgWithoutServerDataAndWithHostileNames() {
        var report = ReportFixture.make()
        report.pods = [PodRow(name: "a<b>&\"c\"", clients: 0, share: 0, expectedShare: 1)]
        let checker = XMLChecker(SVGRenderer.render(report))
        #expect(checker.error == nil)
        #expect(checker.text.contains("a<b>&\"c\""))
        #expect(checker.text.contains("n/a"))
    }

    @Test func junitIsWellFormedWithFailureCount() throws {
        let report = ReportFixture.make()
        let checker = XMLChecker(JUnitRenderer.render(report))
        #expect(checker.error == nil)
        #expect(checker.root == "testsuite")
        #expect(checker.elements["testsuite"] == 1)
        #expect(checker.elements["testcase"] == report.gate.checks.count)
        #expect(checker.elements["failure"] == 3)
        #expect(checker.rootAttributes["failures"] == "3")
        #expect(checker.rootAttributes["tests"] == "6")
        #expect(checker.rootAttributes["errors"] == "0")
        #expect(checker.rootAttributes["name"] == "wsload")
    }

    @Test func htmlEmbedsSvgAndEscapes() {
        let html = HTMLRenderer.render(ReportFixture.make())
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(html.contains("demo &amp; &lt;friends&gt;"))
        #expect(!html.contains("<script"))
        #expect(!html.contains("abc"))  // the redacted token never appears
    }

    @Test func markdownEscapesPipes() {
        var report = ReportFixture.make()
        report.pods[0].name = "a|b"
        #expect(MarkdownRenderer.render(report).contains("| a\\|b |"))
    }
}

/// Parses a document with `XMLParser` and records root, element counts, text and the first error.
final class XMLChecker: NSObject, XMLParserDelegate {
    var root: String?
    var rootAttributes: [String: String] = [:]
    var elements: [String: Int] = [:]
    var text = ""
    var error: (any Error)?

    init(_ document: String) {
        super.init()
        let parser = XMLParser(data: Data(document.utf8))
        parser.delegate = self
        if !parser.parse() { error = parser.parserError ?? NSError(domain: "xml", code: 1) }
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
        qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]
    ) {
        if root == nil {
            root = elementName
            rootAttributes = attributeDict
        }
        elements[elementName, default: 0] += 1
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) { error = parseError }
}
