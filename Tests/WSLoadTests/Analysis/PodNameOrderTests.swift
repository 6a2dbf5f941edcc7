import Testing

@testable import WSLoad

/// Natural order of pod and client names, and picking the first few without sorting them all.
@Suite struct PodNameOrderTests {
    @Test func digitRunsCompareAsNumbers() {
        #expect(PodNameOrder.sorted(["ws-10", "ws-2", "ws-1", "client-100", "client-20"]) == ["client-20", "client-100", "ws-1", "ws-2", "ws-10"])
    }

    @Test func theFirstKAreTheSortedPrefix() {
        #expect(PodNameOrder.first(3, of: (0..<1000).reversed().map { "client-\($0)" }) == ["client-0", "client-1", "client-2"])
        #expect(PodNameOrder.first(3, of: ["b", "a"]) == ["a", "b"])
        #expect(PodNameOrder.first(0, of: ["a"]) == [])
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            let names = (0..<Int.random(in: 0...40, using: &rng)).map { _ in "ws-\(Int.random(in: 0...30, using: &rng))" }
            for k in [1, 3, 5] { #expect(PodNameOrder.first(k, of: names) == Array(PodNameOrder.sorted(names).prefix(k)), "\(names)") }
        }
    }
}
