/// Natural ordering of pod names, so `ws-2` sorts before `ws-10`.
enum PodNameOrder {
    /// True when `a` sorts before `b`: digit runs compare numerically, everything else by Unicode scalars.
    static func areInIncreasingOrder(_ a: String, _ b: String) -> Bool {
        var ia = a.unicodeScalars.makeIterator(), ib = b.unicodeScalars.makeIterator()
        var ca = ia.next(), cb = ib.next()
        func isDigit(_ c: Unicode.Scalar?) -> Bool { c.map { $0.value >= 48 && $0.value <= 57 } ?? false }
        while let x = ca, let y = cb {
            if isDigit(x), isDigit(y) {
                var na = "", nb = ""
                while let c = ca, isDigit(c) { na.unicodeScalars.append(c); ca = ia.next() }
                while let c = cb, isDigit(c) { nb.unicodeScalars.append(c); cb = ib.next() }
                let ta = String(na.drop { $0 == "0" }), tb = String(nb.drop { $0 == "0" })
                if ta.count != tb.count { return ta.count < tb.count }
                if ta != tb { return ta < tb }
                if na.count != nb.count { return na.count < nb.count }
                continue
            }
            if x != y { return x.value < y.value }
            ca = ia.next(); cb = ib.next()
        }
        return ca == nil && cb != nil
    }

    /// The `k` first names in natural order, ascending: the same as `sorted(names).prefix(k)` without sorting
    /// them all (a placement's examples are 3 of possibly 100 000 clients).
    static func first<S: Sequence>(_ k: Int, of names: S) -> [String] where S.Element == String {
        guard k > 0 else { return [] }
        var out: [String] = []
        out.reserveCapacity(k + 1)
        for name in names {
            if out.count == k, let last = out.last, !areInIncreasingOrder(name, last) { continue }
            let at = out.firstIndex { areInIncreasingOrder(name, $0) } ?? out.endIndex
            out.insert(name, at: at)
            if out.count > k { out.removeLast() }
        }
        return out
    }

    /// Sorts pod names naturally.
    static func sorted<S: Sequence>(_ names: S) -> [String] where S.Element == String {
        names.sorted(by: areInIncreasingOrder)
    }
}
