import Foundation
import Testing

@testable import WSLoad

/// The feed a profile's `server_logs` section asks for: which sources, in which order, with which parser.
@Suite struct LogFeedFactoryTests {
    @Test func noSectionNoFeed() throws {
        #expect(try LogFeedFactory.make(profile: Profile(), runStart: Date()) == nil)
    }

    @Test func sourcesInTheirDocumentedOrder() throws {
        var p = Profile()
        p.serverLogs.files = ["ws-1": "/logs/1.log", "ws-0": "/logs/0.log"]
        p.serverLogs.directory = "/logs/dir"
        p.serverLogs.stream = .stdin
        let feed = try #require(try LogFeedFactory.make(profile: p, runStart: Date()) as? LogCollector)
        #expect(
            feed.sources == [
                .file(pod: "ws-0", path: "/logs/0.log"), .file(pod: "ws-1", path: "/logs/1.log"),
                .directory(path: "/logs/dir"), .stdin,
            ])
    }

    @Test func aPerPodCommandNeedsPods() throws {
        var p = Profile()
        p.serverLogs.command = ["kubectl", "logs", "-n", "{namespace}", "{pod}"]
        do {
            _ = try LogFeedFactory.make(profile: p, runStart: Date())
            Issue.record("a per-pod command without pods made a feed")
        } catch let error as PlanError {
            #expect(error.description.hasPrefix("server_logs.command needs pods"))
        }
        // Discovered pods are used when given; else the static list.
        let discovered = try #require(try LogFeedFactory.make(profile: p, runStart: Date(), pods: ["a", "b"]) as? LogCollector)
        #expect(discovered.sources == [.command(template: CommandTemplate(p.serverLogs.command!), pods: ["a", "b"])])
        p.pods.staticPods = [Profile.StaticPod(name: "s")]
        let fromStatic = try #require(try LogFeedFactory.make(profile: p, runStart: Date()) as? LogCollector)
        #expect(fromStatic.sources == [.command(template: CommandTemplate(p.serverLogs.command!), pods: ["s"])])
    }

    @Test func discoveryNamespaceAndSelectorReachTheTemplates() throws {
        var p = Profile()
        p.serverLogs.stream = .command(["kubectl", "logs", "-l", "{selector}", "--prefix"])
        var d = Profile.Discovery()
        d.namespace = "prod"
        d.selector = "app=ws"
        p.pods.discovery = d
        let feed = try #require(try LogFeedFactory.make(profile: p, runStart: Date()) as? LogCollector)
        #expect(feed.configuration.namespace == "prod" && feed.configuration.selector == "app=ws")
    }

    @Test func aCustomPatternIsUsedAndABadOneRefused() throws {
        var p = Profile()
        p.serverLogs.directory = "/logs"
        p.serverLogs.pattern = #"conns=(?<count>\d+)"#
        let feed = try #require(try LogFeedFactory.make(profile: p, runStart: Date()) as? LogCollector)
        #expect(feed.configuration.parser.parse("2026-12-02T10:00:00Z conns=42", pod: "ws-0").samples.map(\.activeConnections) == [42])
        #expect(feed.configuration.parser.parse("Active connections: 42", pod: "ws-0").samples.isEmpty, "the default pattern is replaced")
        p.serverLogs.pattern = "(unclosed"
        #expect(throws: (any Error).self) { try LogFeedFactory.make(profile: p, runStart: Date()) }
    }
}
