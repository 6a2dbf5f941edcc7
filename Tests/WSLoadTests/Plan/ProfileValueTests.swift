import Foundation
import Testing

@testable import WSLoad

/// Durations, sizes and "did you mean".
@Suite struct ProfileValueTests {
    @Test(arguments: [
        ("30s", 30.0), ("500ms", 0.5), ("2m", 120), ("1h30m", 5400), ("1h", 3600), ("1.5s", 1.5),
        ("0", 0), ("10", 10), ("0.25", 0.25), ("250us", 0.00025), ("1m30s", 90), ("2h0m5s", 7205),
    ])
    func durations(text: String, seconds: Double) {
        #expect(ProfileDuration(parsing: text)?.seconds == seconds)
    }

    @Test(arguments: ["", "s", "30 secs", "-5", "5x", "1h30", "ms", "1..5s", "nan", "inf", "1:30"])
    func badDurations(text: String) {
        #expect(ProfileDuration(parsing: text) == nil)
    }

    @Test(arguments: [(5400.0, "1h30m"), (0.5, "500ms"), (30, "30s"), (0, "0s"), (2.5, "2.5s"), (3600, "1h")])
    func durationDescription(seconds: Double, text: String) {
        #expect(ProfileDuration(seconds: seconds).description == text)
    }

    @Test(arguments: [
        ("16MiB", 16 << 20), ("64KiB", 65536), ("1MB", 1_000_000), ("100", 100), ("100B", 100),
        ("1.5KiB", 1536), ("2GiB", 2 << 30), ("16mib", 16 << 20), ("0", 0),
    ])
    func sizes(text: String, bytes: Int) {
        #expect(ProfileSize(parsing: text)?.bytes == bytes)
    }

    @Test(arguments: ["", "MiB", "16 megs", "-1", "1TiB", "12XB"])
    func badSizes(text: String) {
        #expect(ProfileSize(parsing: text) == nil)
    }

    @Test func sizeDescription() {
        #expect(ProfileSize(bytes: 16 << 20).description == "16MiB")
        #expect(ProfileSize(bytes: 65536).description == "64KiB")
        #expect(ProfileSize(bytes: 1000).description == "1000")
    }

    @Test func numbersInYAMLAreSeconds() throws {
        let profile = try ProfileLoader.parse(yaml: "hold: 45\ntimeouts: {connect: 0.5, tls: 2s}\n", file: "x.yaml")
        #expect(profile.hold == .seconds(45))
        #expect(profile.timeouts.connect == .milliseconds(500))
        #expect(profile.timeouts.tls == .seconds(2))
    }

    @Test func levenshtein() {
        #expect(Suggest.distance("kitten", "sitting") == 3)
        #expect(Suggest.distance("", "abc") == 3)
        #expect(Suggest.distance("same", "same") == 0)
        #expect(Suggest.closest(to: "per_client", in: ["none", "shared", "per-client", "per-connection"]) == "per-client")
        #expect(Suggest.closest(to: "maxSkew", in: ProfileSchema.allowedKeys["gate"]!) == "max_skew")
        #expect(Suggest.closest(to: "completely-different", in: ["count", "sources"]) == nil)
    }
}
