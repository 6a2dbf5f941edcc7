import Foundation

extension ProfileLoader {
    /// Every profile name `--profile NAME` can find, sorted: `profiles/*.yaml` in `workingDirectory`, each
    /// directory in `$WSLOAD_PROFILES`, and the built-in profiles (for `wsload profiles` and shell completion).
    public static func availableNames(workingDirectory: String, environment: [String: String]) -> [String] {
        var names = Set(BuiltinProfiles.names)
        var dirs = [(workingDirectory as NSString).appendingPathComponent("profiles")]
        dirs += (environment["WSLOAD_PROFILES"] ?? "").split(separator: ":").map(String.init)
        for d in dirs {
            for f in (try? FileManager.default.contentsOfDirectory(atPath: d)) ?? [] where f.hasSuffix(".yaml") {
                names.insert(String(f.dropLast(5)))
            }
        }
        return names.sorted()
    }
}
