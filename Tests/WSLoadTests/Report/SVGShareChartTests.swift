import Foundation
import Testing

@testable import WSLoad

/// A report with a share timeline: ws-0 and ws-1 ramp up (ramp until 2 s), an event enables ws-2 at 4 s, a second one
/// fails at 4.2 s, at 7 s the old connections are cut and reconnect over all three; the pods' own counts from 1 s.
enum ShareFixture {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    static func counts(_ t: Int) -> [String: Int] {
        switch t {
        case 0: [:]
        case 1: ["ws-0": 3, "ws-1": 3]
        case 2...6: ["ws-0": 6, "ws-1": 6]
        case 7: ["ws-0": 2, "ws-1": 2, "ws-2": 2]
        default: ["ws-0": 4, "ws-1": 4, "ws-2": 4]
        }
    }

    static func make(serverView: Bool = true, events: Bool = true) -> Report {
        var raw = ReportRawData(result: EngineResult.empty(at: start), context: ReportContext(target: "ws://h/"))
        raw.heldPerPod = ["ws-0": 4, "ws-1": 4, "ws-2": 4]
        raw.knownPods = ["ws-0": 1, "ws-1": 1, "ws-2": 1]
        raw.window = RunWindow(
            runStart: start, holdStart: start.addingTimeInterval(2), holdEnd: start.addingTimeInterval(12),
            closeEnd: start.addingTimeInterval(12.5))
        raw.thresholds = GateThresholds(maxSkewPercent: 20)
        raw.thresholds.minNewPodSharePercent = 10
        if events {
            raw.events = [
                EventRecord(
                    name: "enable-ws-2", at: 4, command: "cp new.conf nginx.conf", outcome: .succeeded, startedAt: 4, duration: 0.01,
                    status: "exit status 0", exitStatus: 0),
                EventRecord(
                    name: "reload", at: 4.2, command: "nginx -s reload", outcome: .failed, startedAt: 4.2, duration: 0.05,
                    status: "exit status 1", exitStatus: 1),
            ]
        }
        let run = RunMetadata(
            profile: "share", target: "ws://h/", startedAt: start, endedAt: start.addingTimeInterval(12.5),
            phases: [
                PhaseTiming(name: "ramp", start: start, end: start.addingTimeInterval(2)),
                PhaseTiming(name: "hold", start: start.addingTimeInterval(2), end: start.addingTimeInterval(12)),
                PhaseTiming(name: "close", start: start.addingTimeInterval(12), end: start.addingTimeInterval(12.5)),
            ])
        var input = AnalysisInput(
            raw: raw, totals: RunTotals(attempted: 12, established: 12, failed: 0, held: 12, dropped: 0, failures: []),
            podCountsByClient: [:], run: run)
        input.timeline = (0...12).map { t in
            let c = counts(t)
            // The pods' own values lag one sample behind (log lines arrive after the change).
            let server = serverView && t >= 1 ? counts(t - 1).merging(["ws-2": 0]) { a, _ in a } : nil
            return TimelinePoint(
                t: Double(t), phase: t < 2 ? "ramp" : "hold", open: c.values.reduce(0, +), established: 12, failed: 0, dropped: 0,
                reconnects: t >= 7 ? 6 : 0, perPod: c, serverPerPod: server)
        }
        var report = Analyzer.analyse(input)
        report.toolVersion = "0.1.0"
        report.raw = nil
        return report
    }
}

/// The share-over-time chart read back from the SVG: one area per pod and view whose edges are the stacked shares,
/// markers at the events and the ramp/hold boundary, the bar chart's pod colours; absent without a share timeline.
@Suite struct SVGShareChartTests {
    typealias Element = SVGLayoutTests.Element

    static func elements(_ report: Report) -> [Element] { SVGLayoutTests.Collector(SVGRenderer.render(report)).elements }

    static func attr(_ e: Element, _ k: String) -> String { e.attributes[k] ?? "" }

    // Layout worked out by hand: 560 wide (the chart's minimum), plot x 64…536 (472 units) for 0…12 s (niceScale(12):
    // ticks of 4), so x(t) = 64 + round(t / 12 × 472): x(2) = 143, x(4) = 221, x(4.2) = 229, x(5) = 261, x(12) = 536.
    // The chart starts below the bars at y 350; legend row at 380; marker band from 400: "hold" (143…172) and
    // "1 enable-ws-2: succeeded" (221…) share row 0, "2 reload: failed" at 229 needs row 1 (rows 13 apart); so the client panel
    // spans 432…582 and the server panel 602…752: y(p) = bottom − round(p × 1.5).
    @Test func stackedAreasFollowTheSharesPerPodAndView() throws {
        let els = Self.elements(ShareFixture.make())
        let paths = els.filter { $0.name == "path" && Self.attr($0, "class") == "share" }
        #expect(paths.map { Self.attr($0, "data-pod") } == ["ws-0", "ws-1", "ws-2", "ws-0", "ws-1", "ws-2"])
        #expect(paths.prefix(3).allSatisfy { $0.groups.contains("share-panel") })
        let views = els.filter { $0.name == "g" && Self.attr($0, "class") == "share-panel" }.map { Self.attr($0, "data-view") }
        #expect(views == ["client", "server"])
        // t=5, client view: ws-0 0…50 % (y 582…507), ws-1 50…100 % (507…432).
        #expect(Self.attr(paths[0], "d").contains("261 507"))
        #expect(Self.attr(paths[1], "d").contains("261 432") && Self.attr(paths[1], "d").contains("261 507"))
        // t=12: ws-2 holds 4 of 12 = 33.33 % on top: 66.67…100 % → y 482…432.
        #expect(Self.attr(paths[2], "d").contains("536 432") && Self.attr(paths[2], "d").contains("536 482"))
        // The client view starts at t=1 (x 103; nothing open at t=0), the server view at t=2 (x 143): the pods'
        // values lag a sample and were all 0 at t=1.
        #expect(Self.attr(paths[0], "d").hasPrefix("M103 "))
        #expect(Self.attr(paths[3], "d").hasPrefix("M143 "))
        // Server view at t=8 (x 379): the pods still say 6/6/0 (the value of t=7 is 2/2/2, so at t=8 one third each).
        #expect(Self.attr(paths[3], "d").contains("379 702"))  // ws-0 top at 33.33 % → 752 − 50
        let svg = SVGRenderer.render(ShareFixture.make())
        #expect(svg.contains("width=\"560\" height=\"796\" viewBox=\"0 0 560 796\""))
        let checker = XMLChecker(svg)
        #expect(checker.error == nil && !svg.contains("<script"))
    }

    @Test func markersForTheBoundaryAndEachEventThatRan() {
        let els = Self.elements(ShareFixture.make())
        let lines = els.filter { $0.name == "line" && Self.attr($0, "class") == "marker" }
        #expect(lines.map { Self.attr($0, "x1") } == ["143", "221", "229"])
        #expect(lines.map { Self.attr($0, "stroke") } == [SVGShareChart.boundaryColour, SVGShareChart.eventColour, SVGShareChart.failedEventColour])
        #expect(lines.allSatisfy { Self.attr($0, "y2") == "752" })  // through both panels
        let labels = els.filter { $0.name == "text" && $0.groups.contains("share-markers") }
        #expect(labels.map(\.text) == ["hold", "1 enable-ws-2: succeeded", "2 reload: failed"])
        #expect(labels.map { Self.attr($0, "y") } == ["410", "410", "423"])
        let boxes = labels.map(SVGLayoutTests.box)
        for i in boxes.indices {
            for j in boxes.indices where j > i { #expect(!boxes[i].overlaps(boxes[j]), "\(labels[i].text) / \(labels[j].text)") }
        }
        // Tooltips carry the event's summary.
        #expect(SVGRenderer.render(ShareFixture.make()).contains("<title>event 2: 4.2 s reload (nginx -s reload): exit status 1 after 0.1 s</title>"))
    }

    @Test func eachPodHasOneColourInTheLegendTheAreasAndUnderTheBars() {
        let els = Self.elements(ShareFixture.make())
        let under = els.filter { $0.name == "rect" && Self.attr($0, "class") == "pod-colour" }.map { Self.attr($0, "fill") }
        let legend = els.filter { $0.name == "rect" && $0.groups.contains("share-legend") }.map { Self.attr($0, "fill") }
        let areas = els.filter { $0.name == "path" }.prefix(3).map { Self.attr($0, "fill") }
        #expect(under == ["#59a14f", "#e15759", "#76b7b2"])
        #expect(legend == under && Array(areas) == under)
        #expect(!under.contains(SVGRenderer.clientColour) && !under.contains(SVGRenderer.serverColour))
        #expect(SVGShareChart.colour(of: "?", in: ["a", "?"]) == SVGShareChart.unattributedColour)
        #expect(SVGShareChart.colour(of: "k", in: (0..<11).map { $0 == 10 ? "k" : "p\($0)" }) == SVGShareChart.podColours[0])  // cycled
    }

    @Test func noServerPanelWithoutTheirCountsAndNoChartWithoutATimeline() {
        let client = Self.elements(ShareFixture.make(serverView: false, events: false))
        #expect(client.filter { $0.name == "g" && Self.attr($0, "class") == "share-panel" }.map { Self.attr($0, "data-view") } == ["client"])
        #expect(client.filter { $0.name == "line" && Self.attr($0, "class") == "marker" }.count == 1)  // the boundary only
        let plain = SVGRenderer.render(ReportFixture.make())
        #expect(!plain.contains("share-chart") && !plain.contains("pod-colour"))
        var one = ShareFixture.make()
        let first = Array(one.shareOverTime!.samples.prefix(1))
        one.shareOverTime?.samples = first
        #expect(!SVGRenderer.render(one).contains("share-chart"))
        // Two samples, but only one with connections open (a 1-s hold sampled every second): no chart either.
        var once = ShareFixture.make()
        let two = Array(once.shareOverTime!.samples.prefix(2))
        once.shareOverTime?.samples = two
        #expect(two.map(\.clientOpen) == [0, 6] && !SVGRenderer.render(once).contains("share-chart"))
        #expect(HTMLRenderer.render(ShareFixture.make()).contains("<g class=\"share-chart\">"))
    }

    @Test func hostileNamesAreEscapedAndDegenerateInputDoesNotCrash() throws {
        var r = ShareFixture.make()
        let hostile = "a<b>&\"c\""
        r.shareOverTime?.pods[0] = hostile
        let renamed = r.shareOverTime!.samples.map { s in
            var s = s
            if let v = s.client.removeValue(forKey: "ws-0") { s.client[hostile] = v }
            return s
        }
        r.shareOverTime?.samples = renamed
        r.events?[0].name = "<script>"
        let svg = SVGRenderer.render(r)
        let checker = XMLChecker(svg)
        #expect(checker.error == nil && checker.text.contains(hostile) && checker.text.contains("1 <script>: succeeded"))
        #expect(!svg.contains("<script>"))
        // A hand-edited report: unsorted and negative times, shares above 100, an event far past the end.
        var odd = ShareFixture.make()
        odd.shareOverTime?.samples.reverse()
        odd.shareOverTime?.samples[0].t = -3
        odd.shareOverTime?.samples[1].client = ["ws-0": 250]
        odd.events?[1].startedAt = 1e6
        #expect(XMLChecker(SVGRenderer.render(odd)).error == nil)
    }

    @Test func writesTheChartForALook() throws {
        guard let dir = ProcessInfo.processInfo.environment["WSLOAD_SHARE_SVG_DIR"] else { return }
        try SVGRenderer.render(ShareFixture.make()).write(toFile: dir + "/share.svg", atomically: true, encoding: .utf8)
        try HTMLRenderer.render(ShareFixture.make()).write(toFile: dir + "/share.html", atomically: true, encoding: .utf8)
        try SVGRenderer.render(ShareFixture.make(serverView: false, events: false))
            .write(toFile: dir + "/share-client.svg", atomically: true, encoding: .utf8)
    }
}
