import Testing

@testable import WSLoad

/// The close of a run's end goes to each I/O queue in batches, not one block per connection.
@Suite struct CloseBatchTests {
    @Test func itemsAreGroupedByKeyInOrderAndCutIntoBatches() {
        let items: [Int?] = [1, nil, 2, 3, 4, nil, 5, 6, 7]
        // Key: odd or even. Odd first (1 appears first), each group in order, batches of 2.
        let batches = LoadEngine.batches(items, size: 2) { $0 % 2 }
        #expect(batches == [[1, 3], [5, 7], [2, 4], [6]])
        let none = LoadEngine.batches([Int?](), size: 2) { $0 }
        let single = LoadEngine.batches([1, 2, 3], size: 0) { _ in 0 }
        #expect(none.isEmpty)
        #expect(single == [[1], [2], [3]])
    }
}
