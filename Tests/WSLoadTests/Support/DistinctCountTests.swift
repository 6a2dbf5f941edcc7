import Testing

@testable import WSLoad

/// Distinct values counted in one pass when they come in ascending runs, by a set otherwise.
@Suite struct DistinctCountTests {
    @Test func ascendingRunsAreCountedWithoutASet() {
        #expect(DistinctCount.of([Int]()) == 0)
        #expect(DistinctCount.of([7]) == 1)
        // Slot order: 3 clients × 2 connections.
        #expect(DistinctCount.of([0, 0, 1, 1, 2, 2]) == 3)
        // A shard's global client numbers: ascending with gaps.
        #expect(DistinctCount.of([4, 4, 9, 9, 9, 20]) == 3)
    }

    @Test func valuesOutOfOrderAreCountedExactly() {
        // 1 comes back after 2: a run count would say 3, the distinct values are 2.
        #expect(DistinctCount.of([1, 2, 1]) == 2)
        #expect(DistinctCount.of([5, 5, 3, 3, 5, 1]) == 3)
        #expect(DistinctCount.of([2, 1]) == 2)
    }
}
