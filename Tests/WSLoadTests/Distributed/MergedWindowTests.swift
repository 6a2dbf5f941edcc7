import Foundation
import Testing

@testable import WSLoad

/// The merged run window of shards (workers): held while every shard held; the note gives the measured spread of
/// the hold starts and how long all held at once, and a warning says when that fell well short of the shortest hold
/// (by more than 10 % of it and more than 1 s).
@Suite struct MergedWindowTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    /// A shard's raw data whose hold ran from `start` to `end` seconds after t0.
    static func shard(holdFrom start: Double, to end: Double) -> ReportRawData {
        var raw = ReportRawData(result: EngineResult.empty(at: t0), context: ReportContext(target: "ws://x/ws"))
        raw.window = RunWindow(
            runStart: t0, holdStart: t0.addingTimeInterval(start), holdEnd: t0.addingTimeInterval(end), closeEnd: t0.addingTimeInterval(end + 1))
        return raw
    }

    @Test func holdsBegunTogetherGiveTheirSpreadAndOverlapWithoutAWarning() {
        var notes: [String] = [], warnings: [String] = []
        let w = ReportMerger.mergedWindow(
            [Self.shard(holdFrom: 10, to: 40), Self.shard(holdFrom: 10.3, to: 40.3)], fallback: nil, notes: &notes, warnings: &warnings)
        // Held at once from 10.3 s (the last start) to 40 s (the first end): 29.7 s of the 30 s holds, 0.3 s short.
        #expect(w.holdStart == Self.t0.addingTimeInterval(10.3) && w.holdEnd == Self.t0.addingTimeInterval(40))
        #expect(
            notes == [
                "the 2 shards' holds began within 0.30 s of each other; both held their connections at the same time for 29.70 s (the shortest shard hold lasted 30.00 s)"
            ])
        #expect(warnings.isEmpty, "\(warnings)")
    }

    @Test func aShortHoldBegunHalfASecondApartIsNoWarning() {
        var notes: [String] = [], warnings: [String] = []
        // 2 s holds, 0.5 s apart: 1.5 s at once — short by 25 %, but by less than 1 s.
        _ = ReportMerger.mergedWindow(
            [Self.shard(holdFrom: 5, to: 7), Self.shard(holdFrom: 5.5, to: 7.5)], fallback: nil, notes: &notes, warnings: &warnings)
        #expect(notes.count == 1 && notes[0].contains("for 1.50 s") && warnings.isEmpty, "\(notes) \(warnings)")
    }

    @Test func holdsThatOverlapShortByMoreThanTenPercentAndASecondWarn() {
        var notes: [String] = [], warnings: [String] = []
        // Starts 10, 10.5 and 14 s, 30 s each: all at once from 14 to 40 s = 26 s, 4 s short (> 3 s = 10 % of 30, > 1 s).
        _ = ReportMerger.mergedWindow(
            [Self.shard(holdFrom: 10, to: 40), Self.shard(holdFrom: 10.5, to: 40.5), Self.shard(holdFrom: 14, to: 44)], fallback: nil,
            notes: &notes, warnings: &warnings)
        #expect(notes.count == 1 && notes[0].contains("within 4.00 s") && notes[0].contains("for 26.00 s"), "\(notes)")
        #expect(
            warnings == [
                "the shards held all their connections at the same time for only 26.00 s of the shortest shard's 30.00 s hold (their holds began up to 4.00 s apart): the servers saw every connection at once for that long only"
            ])
    }

    @Test func holdsThatNeverOverlapSayItAndOneShardSaysNothing() {
        var notes: [String] = [], warnings: [String] = []
        _ = ReportMerger.mergedWindow(
            [Self.shard(holdFrom: 0, to: 1), Self.shard(holdFrom: 2, to: 3)], fallback: nil, notes: &notes, warnings: &warnings)
        #expect(notes.isEmpty && warnings.count == 1 && warnings[0].contains("did not hold their connections at the same time"))
        notes = []; warnings = []
        _ = ReportMerger.mergedWindow([Self.shard(holdFrom: 0, to: 1)], fallback: nil, notes: &notes, warnings: &warnings)
        #expect(notes.isEmpty && warnings.isEmpty)
    }
}
