import Testing

@testable import WSLoad

/// Counted nouns: one is singular, everything else (zero too) plural.
@Suite struct PluralTests {
    @Test(arguments: [
        (1, "gate check", "1 gate check"), (2, "gate check", "2 gate checks"), (0, "gate check", "0 gate checks"),
        (1, "source address", "1 source address"), (3, "source address", "3 source addresses"),
        (2, "match", "2 matches"), (2, "box", "2 boxes"), (2, "push", "2 pushes"),
        (1, "worker process", "1 worker process"), (4, "worker process", "4 worker processes"),
    ])
    func counted(n: Int, noun: String, expected: String) {
        #expect(Plural.of(n, noun) == expected)
    }

    @Test func irregularPlural() {
        #expect(Plural.of(2, "child", plural: "children") == "2 children")
        #expect(Plural.of(1, "child", plural: "children") == "1 child")
    }
}
