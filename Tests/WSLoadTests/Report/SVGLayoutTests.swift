import Foundation
import Testing

@testable import WSLoad

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The SVG chart's layout read back from its XML: expected-share lines, legend words, verdict clear of the
/// title, no text over the legend. Text boxes are estimated independently of the renderer: a glyph is at most
/// 0.62 em wide (DejaVu/Liberation Sans average about 0.55 em), the box runs from the baseline up one em
/// and down 0.25 em.
@Suite struct SVGLayoutTests {
    struct Element { var name: String; var attributes: [String: String]; var text: String; var groups: [String] }

    /// Every element with its attributes, its direct text and the classes of the `<g>` elements around it.
    final class Collector: NSObject, XMLParserDelegate {
        var elements: [Element] = []
        private var stack: [(index: Int, groupClass: String?)] = []
        init(_ svg: String) {
            super.init()
            let p = XMLParser(data: Data(svg.utf8)); p.delegate = self
            #expect(p.parse(), "the SVG does not parse")
        }
        func parser(
            _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            let groups = stack.compactMap(\.groupClass)
            elements.append(Element(name: name, attributes: attributes, text: "", groups: groups))
            stack.append((elements.count - 1, name == "g" ? (attributes["class"] ?? "") : nil))
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if let top = stack.last { elements[top.index].text += string }
        }
        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            stack.removeLast()
        }
    }

    struct Box: CustomStringConvertible {
        var x0, y0, x1, y1: Double
        func overlaps(_ o: Box) -> Bool { x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1 }
        var description: String { "[\(x0)…\(x1) × \(y0)…\(y1)]" }
    }

    /// The box a `<text>` element covers, from its x, y, anchor, font size (inherited 12 or 10 in the bars
    /// group) and character count.
    static func box(_ e: Element) -> Box {
        let inBars = e.groups.contains("bars")
        let size = Double(e.attributes["font-size"] ?? (inBars ? "10" : "12"))!
        let w = Double(e.text.count) * size * 0.62
        let x = Double(e.attributes["x"]!)!, y = Double(e.attributes["y"]!)!
        let anchor = e.attributes["text-anchor"] ?? (inBars ? "middle" : e.groups.contains("ticks") ? "end" : "start")
        let x0 = anchor == "middle" ? x - w / 2 : anchor == "end" ? x - w : x
        return Box(x0: x0, y0: y - size, x1: x0 + w, y1: y + size * 0.25)
    }

    static func attr(_ e: Element, _ k: String) -> Double { Double(e.attributes[k]!)! }

    @Test func oneExpectedShareLinePerPodAtTheExpectedCount() {
        let report = ReportFixture.make()
        let els = Collector(SVGRenderer.render(report)).elements
        let lines = els.filter { $0.name == "line" && $0.attributes["class"] == "expected" }
        #expect(lines.map { $0.attributes["data-pod"] } == ["ws-0", "ws-1", "ws-2"])
        // 20 connections over 3 equally weighted pods: 20/3 expected each. Axis 0…12 (largest bar 12, ticks of 4)
        // over 220 units below the plot top at 66: y = 66 + 220 − 220 × (20/3) / 12 = 163.8 → 164.
        #expect(report.statistics.pods.map(\.expectedCount).allSatisfy { abs($0 - 20.0 / 3) < 1e-9 })
        for l in lines {
            #expect(Self.attr(l, "y1") == 164 && Self.attr(l, "y2") == 164)
        }
        // Each line spans its own pod's two bars (wsload's, then the pods' own count) and stops before the next pod's.
        let bars = els.filter { $0.name == "rect" && $0.groups.contains("bars") }
        #expect(bars.count == 6)
        for (i, l) in lines.enumerated() {
            let client = bars[2 * i], server = bars[2 * i + 1]
            #expect(Self.attr(l, "x1") < Self.attr(client, "x"))
            #expect(Self.attr(l, "x2") > Self.attr(server, "x") + Self.attr(server, "width"))
            if i + 1 < lines.count { #expect(Self.attr(l, "x2") < Self.attr(bars[2 * i + 2], "x") - 4, "line \(i) runs into the next pod") }
        }
    }

    @Test func expectedShareAboveEveryBarStillFitsTheAxis() {
        var report = ReportFixture.make()
        // Weights 1:9 with 10 connections all on the light pod: pod b expects 9 but got 0.
        report.pods = [PodRow(name: "a", clients: 10, share: 1, expectedShare: 0.1), PodRow(name: "b", clients: 0, share: 0, expectedShare: 0.9)]
        report.statistics = DistributionStatistics(counts: ["a": 10, "b": 0], weights: ["a": 1, "b": 9])
        let els = Collector(SVGRenderer.render(report)).elements
        let lines = els.filter { $0.name == "line" && $0.attributes["class"] == "expected" }
        #expect(lines.count == 2)
        // Axis 0…10 (niceScale(10) = 10, step 2): a at 1 → 286 − 22 = 264; b at 9 → 286 − 198 = 88.
        #expect(lines.map { Self.attr($0, "y1") } == [264, 88])
        #expect(lines.allSatisfy { Self.attr($0, "y1") >= 66 })
    }

    @Test func legendNamesBothCountsAndTheExpectedLine() {
        let els = Collector(SVGRenderer.render(ReportFixture.make())).elements
        let legend = els.filter { $0.name == "text" && $0.groups.contains("legend") }.map(\.text)
        #expect(legend == ["wsload (client view)", "pods' own count", "expected share"])
        let swatches = els.filter { $0.groups.contains("legend") && $0.name != "text" }
        #expect(
            swatches.map { $0.attributes["fill"] ?? $0.attributes["stroke"] } == [
                SVGRenderer.clientColour, SVGRenderer.serverColour, SVGRenderer.expectedColour,
            ])
    }

    /// Reports whose verdict, pod names and values stress the layout: the fixture (FAIL, three pods), one pod
    /// with a bar reaching the axis top (narrowest chart), and the same incomplete (the longest verdict).
    static func stressReports() -> [Report] {
        var one = ReportFixture.make()
        one.pods = [PodRow(name: "ws-0", clients: 100, share: 1, expectedShare: 1, serverDelta: 100)]
        one.statistics = DistributionStatistics(counts: ["ws-0": 100])
        var incomplete = one
        incomplete.gate = GateVerdict(checks: one.gate.checks, incomplete: "the target refused every connection")
        return [ReportFixture.make(), one, incomplete]
    }

    @Test(arguments: 0..<3)
    func noTextOverlapsTheLegendAndTheVerdictClearsTheTitle(stress: Int) {
        let report = Self.stressReports()[stress]
        let svg = SVGRenderer.render(report)
        let els = Collector(svg).elements
        let root = els[0]
        let width = Self.attr(root, "width")
        let texts = els.filter { $0.name == "text" }
        let legendItems = els.filter { $0.groups.contains("legend") }
        // The legend's box: every swatch and label in it.
        var legend = Box(x0: .infinity, y0: .infinity, x1: -.infinity, y1: -.infinity)
        for e in legendItems {
            let b: Box
            switch e.name {
            case "text": b = Self.box(e)
            case "rect":
                b = Box(
                    x0: Self.attr(e, "x"), y0: Self.attr(e, "y"), x1: Self.attr(e, "x") + Self.attr(e, "width"),
                    y1: Self.attr(e, "y") + Self.attr(e, "height"))
            default: b = Box(x0: Self.attr(e, "x1"), y0: Self.attr(e, "y1") - 1, x1: Self.attr(e, "x2"), y1: Self.attr(e, "y2") + 1)
            }
            legend = Box(x0: min(legend.x0, b.x0), y0: min(legend.y0, b.y0), x1: max(legend.x1, b.x1), y1: max(legend.y1, b.y1))
        }
        #expect(legend.x1 <= width, "the legend \(legend) runs past the chart's width \(width)")
        for t in texts where !t.groups.contains("legend") && t.attributes["transform"] == nil {
            #expect(!Self.box(t).overlaps(legend), "\"\(t.text)\" at \(Self.box(t)) overlaps the legend \(legend)")
        }
        // Bars stay below the legend too.
        for r in els where r.name == "rect" && r.groups.contains("bars") {
            #expect(Self.attr(r, "y") >= legend.y1, "a bar reaches into the legend")
        }
        let title = texts.first { $0.attributes["class"] == "title" }!
        let verdict = texts.first { $0.attributes["class"] == "verdict" }!
        #expect(verdict.text == ReportText.verdict(report.gate))
        #expect(!Self.box(title).overlaps(Self.box(verdict)), "verdict \(Self.box(verdict)) overlaps the title \(Self.box(title))")
        #expect(Self.box(verdict).x0 >= Self.box(title).x1 + 8)
        #expect(Self.box(verdict).x1 <= width)
    }
}

/// The HTML page: a chart that scales to the page and explanations' backticks as code.
@Suite struct HTMLLayoutTests {
    @Test func chartScalesToThePage() {
        let html = HTMLRenderer.render(ReportFixture.make())
        #expect(html.contains(".chart svg{display:block;width:100%;max-width:960px;height:auto}"))
        let chart = html.range(of: "<div class=\"chart\">\n<svg ")
        #expect(chart != nil)
        #expect(html.contains("viewBox=\"0 0 "))
    }

    @Test func backticksBecomeCodeAfterEscaping() {
        #expect(
            HTMLRenderer.inlineMarkdown("use `hash $remote_addr` or `a<b>` & more")
                == "use <code>hash $remote_addr</code> or <code>a&lt;b&gt;</code> &amp; more")
        #expect(HTMLRenderer.inlineMarkdown("no code") == "no code")
        #expect(HTMLRenderer.inlineMarkdown("one ` tick") == "one ` tick")
        #expect(HTMLRenderer.inlineMarkdown("`a` and ` odd") == "<code>a</code> and ` odd")
        #expect(HTMLRenderer.inlineMarkdown("<script>`x`") == "&lt;script&gt;<code>x</code>")
    }

    @Test func explanationsInThePageHaveNoLiteralBackticks() {
        var report = ReportFixture.make()
        report.explanations = [SpreadExplanation(code: .singleSourceAddress, message: "an HAProxy `balance source` sends <all>")]
        let html = HTMLRenderer.render(report)
        #expect(html.contains("<li>an HAProxy <code>balance source</code> sends &lt;all&gt;</li>"))
        let section = html.components(separatedBy: "<h2>Why the spread is poor</h2>")[1].components(separatedBy: "</ul>")[0]
        #expect(!section.contains("`"))
    }
}
