import Foundation
import Testing

@testable import WSLoad

/// The names `--profile` finds (what `wsload profiles` lists and shell completion offers).
@Suite struct ProfileNamesTests {
    @Test func builtinLocalAndEnvironmentProfiles() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("wsload-profile-names-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: root) }
        let local = root.appendingPathComponent("work/profiles"), extra = root.appendingPathComponent("extra")
        for d in [local, extra] { try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true) }
        try "name: mine\n".write(to: local.appendingPathComponent("mine.yaml"), atomically: true, encoding: .utf8)
        try "x".write(to: local.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        try "name: theirs\n".write(to: extra.appendingPathComponent("theirs.yaml"), atomically: true, encoding: .utf8)
        let names = ProfileLoader.availableNames(
            workingDirectory: root.appendingPathComponent("work").path,
            environment: ["WSLOAD_PROFILES": extra.path])
        #expect(names == (BuiltinProfiles.names + ["mine", "theirs"]).sorted())
        #expect(ProfileLoader.availableNames(workingDirectory: "/nonexistent", environment: [:]) == BuiltinProfiles.names)
    }
}
