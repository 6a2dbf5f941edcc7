/// Profiles compiled into the binary, so `wsload --profile ingress-20conns` works anywhere.
///
/// The YAML text lives in `BuiltinProfiles+Data.swift`, generated from `profiles/*.yaml` by
/// `scripts/gen-builtin-profiles.sh`; a test fails when the two drift apart.
public enum BuiltinProfiles {
    /// Built-in profile names, sorted.
    public static var names: [String] { all.keys.sorted() }

    /// The YAML text of a built-in profile, or `nil`.
    public static func yaml(named name: String) -> String? { all[name] }
}
