import Foundation
import Testing

@testable import WSLoad

@Suite("CommandTemplate")
struct CommandTemplateTests {
    @Test func substitutesPerArgumentKeepingSpacesInOneArgument() throws {
        let template: CommandTemplate = ["kubectl", "get", "pods", "-n", "{namespace}", "-l", "{selector}", "-o", "json"]
        let argv = try template.render(["namespace": "team a", "selector": "app in (ws, ws-canary)"])
        #expect(argv == ["kubectl", "get", "pods", "-n", "team a", "-l", "app in (ws, ws-canary)", "-o", "json"])
    }

    @Test func substitutesInsideArgumentsAndSeveralPerArgument() throws {
        let argv = try CommandTemplate.podLogs.render(["namespace": "ns", "pod": "ws-0", "start": "2026-11-25T12:00:00.000Z"])
        #expect(argv == ["kubectl", "logs", "-n", "ns", "ws-0", "--since-time=2026-11-25T12:00:00.000Z", "--timestamps", "-f"])
        let pf: CommandTemplate = ["kubectl", "port-forward", "pod/{pod}", "{localPort}:{remotePort}", "-c", "{container}"]
        #expect(
            try pf.render(["pod": "ws-1", "localPort": "18080", "remotePort": "8080", "container": "server"])
                == ["kubectl", "port-forward", "pod/ws-1", "18080:8080", "-c", "server"])
    }

    @Test func valuesAreNotRescannedAndShellSyntaxIsInert() throws {
        let template: CommandTemplate = ["/bin/echo", "{pod}", "{namespace}"]
        let argv = try template.render(["pod": "{namespace}", "namespace": "$(rm -rf /); `x` 'q' \"d\""])
        #expect(argv == ["/bin/echo", "{namespace}", "$(rm -rf /); `x` 'q' \"d\""])
    }

    @Test func nonPlaceholderBracesAreLiteralAndDoubleBraceEscapes() throws {
        let template: CommandTemplate = ["kubectl", "get", "pods", "-o", "jsonpath={.items[*].metadata.name}", "{{pod}", "{}", "{ pod }"]
        #expect(try template.render([:]) == ["kubectl", "get", "pods", "-o", "jsonpath={.items[*].metadata.name}", "{pod}", "{}", "{ pod }"])
        #expect(try template.placeholders() == [])
    }

    @Test func unknownPlaceholderIsAnErrorNamingIt() {
        let template: CommandTemplate = ["kubectl", "logs", "{podname}"]
        #expect(throws: CommandTemplateError.unknownPlaceholder(name: "podname", argument: "{podname}", index: 2)) {
            try template.render(["pod": "ws-0"])
        }
        do {
            _ = try template.render([:])
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("{podname}"))
            #expect(error.description.contains("argument 3"))
        }
        #expect(throws: CommandTemplateError.self) { try template.placeholders() }
    }

    @Test func missingValueAndEmptyTemplateAreErrors() {
        #expect(throws: CommandTemplateError.missingValue(name: "selector", argument: "{selector}", index: 1)) {
            try CommandTemplate(["kubectl", "{selector}"]).render(["namespace": "x"])
        }
        #expect(throws: CommandTemplateError.emptyCommand) { try CommandTemplate([]).render([:]) }
    }

    @Test func listsPlaceholdersInOrder() throws {
        #expect(try CommandTemplate.podLogs.placeholders() == ["namespace", "pod", "start"])
        #expect(try CommandTemplate.podDiscovery.placeholders() == ["namespace", "selector"])
    }

    @Test func codesAsAPlainArray() throws {
        let data = try JSONEncoder().encode(CommandTemplate.podDiscovery)
        #expect(String(decoding: data, as: UTF8.self).hasPrefix(#"["kubectl","get""#))
        #expect(try JSONDecoder().decode(CommandTemplate.self, from: data) == .podDiscovery)
    }
}
