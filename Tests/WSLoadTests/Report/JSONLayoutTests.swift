import Foundation
import Testing

@testable import WSLoad

/// `report.json`'s layout: objects a key per line, array elements a line each (compact), long elements indented.
@Suite struct JSONLayoutTests {
    static func laid(_ compact: String) -> String { String(decoding: JSONLayout.layout(Array(compact.utf8)), as: UTF8.self) }

    @Test func objectsIndentAndArrayElementsTakeOneLineEach() {
        let compact = #"{"a":1,"b":{"c":"x","d":[]},"list":[{"p":"ws-0","n":2},{"p":"ws-1","n":[1,2]}],"s":[1,"two"],"z":{}}"#
        let expected = """
            {
              "a" : 1,
              "b" : {
                "c" : "x",
                "d" : []
              },
              "list" : [
                {"p":"ws-0","n":2},
                {"p":"ws-1","n":[1,2]}
              ],
              "s" : [
                1,
                "two"
              ],
              "z" : {}
            }
            """
        #expect(Self.laid(compact) == expected)
    }

    @Test func stringsWithBracketsQuotesAndEscapesAreCopiedWhole() throws {
        let compact = #"{"k\"ey,:{":"v[a]l\\\"ue,}:","list":[{"m":"a\\","n":"]}"},"\u0001{"]}"#
        let text = Self.laid(compact)
        let a = try JSONSerialization.jsonObject(with: Data(compact.utf8)) as? NSDictionary
        let b = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? NSDictionary
        #expect(a != nil && a == b, "\(text)")
        #expect(text.contains(#"  "k\"ey,:{" : "v[a]l\\\"ue,}:","#))
        #expect(text.contains(#"    {"m":"a\\","n":"]}"},"#))
    }

    @Test func anElementLongerThanTheLimitIsIndentedSoNoLineOutgrowsIt() {
        let long = "[" + (0..<2000).map { String($0) }.joined(separator: ",") + "]"
        let compact = #"{"rows":[{"samples":\#(long)},{"short":1}]}"#
        let text = Self.laid(compact)
        let longest = text.split(separator: "\n").map(\.utf8.count).max() ?? 0
        #expect(longest <= JSONLayout.maxElementLine)
        #expect(text.contains("\n    {\n      \"samples\" : [\n        0,\n        1,\n"))
        #expect(text.contains("\n    {\"short\":1}\n  ]\n}"))
    }

    /// A million connections over 56 pods held for 30 s made 563 timeline points: each pod's count on a point costs
    /// its compact pair, `"ws-12":17857,` (14 bytes), not an indented line (25 bytes).
    @Test func aTimelinePointCostsItsCompactPairsPerPod() throws {
        let pods = (0..<56).map { "ws-\($0)" }
        let points = (0..<563).map { k in
            TimelinePoint(
                t: Double(k), phase: "hold", open: 56 * 17857, established: 56 * 17857, failed: 0, dropped: 0, reconnects: 0,
                perPod: Dictionary(uniqueKeysWithValues: pods.map { ($0, 17857) }))
        }
        var report = ReportFixture.make()
        report.timeline = points
        let base = ReportFixture.make()
        let bytes = JSONRenderer.render(report).utf8.count - JSONRenderer.render(base).utf8.count
        // Per pod and point: `"ws-N":17857,` is 13 (N < 10) or 14 bytes; per point ~105 bytes of the other fields.
        let pairs = 563 * (10 * 13 + 46 * 14)
        #expect(bytes > pairs && bytes < pairs + 563 * 130, "\(bytes) bytes for \(pairs) bytes of pairs")
        #expect(try Report.decode(json: Data(JSONRenderer.render(report).utf8)) == report)
    }
}
