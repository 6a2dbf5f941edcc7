/// Counted nouns for messages a person reads: "1 gate check", "2 gate checks", "1 source address".
public enum Plural {
    /// `n` and the noun in the number `n` asks for; `plural` defaults to `singular` + "s" ("es" after s, x, sh, ch).
    public static func of(_ n: Int, _ singular: String, plural: String? = nil) -> String {
        "\(n) \(noun(n, singular, plural: plural))"
    }

    /// The noun alone in the number `n` asks for.
    public static func noun(_ n: Int, _ singular: String, plural: String? = nil) -> String {
        if n == 1 { return singular }
        if let plural { return plural }
        let sibilant = ["s", "x", "sh", "ch"].contains { singular.hasSuffix($0) }
        return singular + (sibilant ? "es" : "s")
    }
}
