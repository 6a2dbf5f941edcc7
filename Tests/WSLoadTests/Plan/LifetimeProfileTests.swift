import Foundation
import Testing

@testable import WSLoad

/// `clients.lifetime`: read, bounded with positioned errors, and planned.
@Suite struct LifetimeProfileTests {
    private static func error(_ yaml: String) -> String? {
        do {
            try ProfileLoader.parse(yaml: yaml, file: "p.yaml").validate()
            return nil
        } catch {
            return error.description
        }
    }

    @Test func theSectionIsPlannedWithItsDefaults() throws {
        let yaml = "target:\n  url: ws://127.0.0.1:1/ws\nclients:\n  connections: 4\n  lifetime:\n    age: 30s\n"
        let profile = try ProfileLoader.parse(yaml: yaml, file: "p.yaml")
        try profile.validate()
        let plan = try RunPlanner.plan(from: profile)
        #expect(plan.lifetime == ConnectionLifetime(age: 30, jitter: 0, distribution: .fixed, reopenDelay: 0))
    }

    @Test func everyKeyIsRead() throws {
        let yaml = """
            target:
              url: ws://127.0.0.1:1/ws
            clients:
              lifetime:
                age: 2m
                jitter: 0.25
                distribution: exponential
                reopen_delay: 500ms
            """
        let plan = try RunPlanner.plan(from: try ProfileLoader.parse(yaml: yaml, file: "p.yaml"))
        #expect(plan.lifetime == ConnectionLifetime(age: 120, jitter: 0.25, distribution: .exponential, reopenDelay: 0.5))
    }

    @Test func withoutAnAgeThereIsNoChurn() throws {
        let yaml = "target:\n  url: ws://127.0.0.1:1/ws\nclients:\n  lifetime:\n    jitter: 0.1\n"
        #expect(try RunPlanner.plan(from: try ProfileLoader.parse(yaml: yaml, file: "p.yaml")).lifetime == nil)
        #expect(try RunPlanner.plan(from: try ProfileLoader.parse(yaml: "target:\n  url: ws://127.0.0.1:1/ws\n", file: "p.yaml")).lifetime == nil)
    }

    @Test func theLifetimeFlagSetsTheAgeAndKeepsTheRestOfTheSection() throws {
        var profile = try ProfileLoader.parse(
            yaml: "target:\n  url: ws://127.0.0.1:1/ws\nclients:\n  lifetime:\n    age: 1m\n    jitter: 0.3\n", file: "p.yaml")
        var o = ProfileOverrides()
        o.lifetime = 30
        try o.apply(to: &profile)
        #expect(try RunPlanner.plan(from: profile).lifetime == ConnectionLifetime(age: 30, jitter: 0.3))
        var bare = try ProfileLoader.parse(yaml: "target:\n  url: ws://127.0.0.1:1/ws\n", file: "p.yaml")
        try o.apply(to: &bare)
        #expect(try RunPlanner.plan(from: bare).lifetime == ConnectionLifetime(age: 30))
    }

    @Test(
        arguments: [
            ("    age: 0s\n", "p.yaml:6:10: clients.lifetime.age: must be > 0"),
            ("    age: 10s\n    jitter: 1.5\n", "p.yaml:7:13: clients.lifetime.jitter: must be a fraction between 0 and 1, got 1.5"),
            ("    age: -3s\n", #"p.yaml:6:10: clients.lifetime.age: bad duration "-3s""#),
            (
                "    age: 1s\n    distribution: poisson\n",
                #"p.yaml:7:19: clients.lifetime.distribution: unknown value "poisson"; expected one of fixed, exponential"#
            ),
            ("    age: 1s\n    reopen_after: 1s\n", "p.yaml:7:5: clients.lifetime.reopen_after"),
        ])
    func badValuesNameFileLineAndKey(body: String, expected: String) throws {
        let yaml = "target:\n  url: ws://127.0.0.1:1/ws\nclients:\n  connections: 2\n  lifetime:\n" + body
        let message = try #require(Self.error(yaml))
        #expect(message.contains(expected), "\(message)")
    }
}
