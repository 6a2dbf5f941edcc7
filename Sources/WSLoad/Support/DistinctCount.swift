/// Counting the distinct values of a sequence of integers without a hash set when it need not build one.
public enum DistinctCount {
    /// The number of distinct values in `values`.
    ///
    /// A ledger's records come in slot order — each client's connections side by side, clients ascending — so the
    /// distinct clients are the runs of equal values, counted in one pass with no allocation (a `Set<Int>` of
    /// 15 000 clients was the biggest new allocation at the end of a run: its rehashes touched ~1.7 MB). When a run
    /// does not start above the previous one (values out of order), the count falls back to a set of all values,
    /// so the answer never depends on the order.
    public static func of<C: Collection>(_ values: C) -> Int where C.Element == Int {
        var count = 0
        var last: Int?
        for v in values {
            if let l = last {
                if v == l { continue }
                if v < l { return Set(values).count }
            }
            count += 1
            last = v
        }
        return count
    }
}
