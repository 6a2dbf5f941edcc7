import Foundation
import Testing

@testable import WSLoad

@Suite("PodDiscovery")
struct PodDiscoveryTests {
    static let fixture = KubeTestSupport.fixtures.appendingPathComponent("pods.json")

    static let expected = [
        PodInfo(name: "ws-0", ip: "10.244.1.9", ready: true, node: "worker-a", restartCount: 0, phase: "Running"),
        PodInfo(name: "ws-1", ip: "10.244.2.17", ready: false, node: "worker-b", restartCount: 0, phase: "Running"),
        PodInfo(name: "ws-2", ip: "10.244.1.23", ready: true, node: "worker-a", restartCount: 3, phase: "Running"),
    ]

    @Test func parsesKubectlJSONFixture() throws {
        let pods = try PodDiscovery.parsePodList(Data(contentsOf: Self.fixture))
        // Input order kept by the parser (ws-1 comes first in the fixture).
        #expect(pods.map(\.name) == ["ws-1", "ws-0", "ws-2"])
        #expect(Set(pods) == Set(Self.expected))
    }

    @Test func discoversThroughAFakeKubectl() throws {
        let dir = try KubeTestSupport.makeTempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let argsFile = dir.appendingPathComponent("args").path
        let script = try KubeTestSupport.writeScript(
            """
            printf '%s\\n' "$@" > '\(argsFile)'
            cat '\(Self.fixture.path)'
            """, in: dir)
        let discovery = PodDiscovery(
            namespace: "load test", selector: "app in (ws, ws-canary)",
            template: [script, "get", "pods", "-n", "{namespace}", "-l", "{selector}", "-o", "json"])
        let pods = try discovery.discover()
        #expect(pods == Self.expected)  // sorted naturally
        let args = try String(contentsOfFile: argsFile, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(args == ["get", "pods", "-n", "load test", "-l", "app in (ws, ws-canary)", "-o", "json"])
    }

    @Test func nonZeroExitIncludesStderrFirstLine() throws {
        let dir = try KubeTestSupport.makeTempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = try KubeTestSupport.writeScript(
            """
            echo 'error: You must be logged in to the server (Unauthorized)' >&2
            echo 'second line' >&2
            exit 1
            """, in: dir)
        let discovery = PodDiscovery(namespace: "default", selector: "app=ws", template: [script, "get", "pods"])
        do {
            _ = try discovery.discover()
            Issue.record("expected an error")
        } catch {
            guard case let .commandFailed(_, termination, first) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(termination == .exited(1))
            #expect(first == "error: You must be logged in to the server (Unauthorized)")
            #expect(error.description.contains("exit status 1: error: You must be logged in"))
        }
    }

    @Test func invalidJSONIsAClearError() throws {
        let dir = try KubeTestSupport.makeTempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = try KubeTestSupport.writeScript("echo 'No resources found in default namespace.'", in: dir)
        #expect(throws: PodDiscoveryError.invalidJSON(reason: #"starts with "No resources found in default namespace.""#)) {
            try PodDiscovery(namespace: "default", selector: "", template: [script]).discover()
        }
        #expect(throws: PodDiscoveryError.invalidJSON(reason: "empty output")) {
            try PodDiscovery.parsePodList(Data())
        }
        #expect(throws: PodDiscoveryError.notAPodList(reason: "top level is not an object")) {
            try PodDiscovery.parsePodList(Data("[1]".utf8))
        }
    }

    @Test func missingKubectlIsReported() {
        let runner = CommandRunner(environment: ["PATH": "/nonexistent-dir"])
        do {
            _ = try PodDiscovery(namespace: "default", selector: "app=ws").discover(runner: runner)
            Issue.record("expected an error")
        } catch {
            #expect(error == .command(.executableNotFound(name: "kubectl", searchPath: "/nonexistent-dir")))
            #expect(error.description.contains("kubectl not found in PATH"))
        }
    }

    @Test func staticListAndSinglePod() throws {
        #expect(try PodDiscovery(names: ["ws-10", "ws-2"]).discover().map(\.name) == ["ws-2", "ws-10"])
        let single = #"{"kind":"Pod","metadata":{"name":"ws-5"},"status":{"phase":"Pending"}}"#
        #expect(
            try PodDiscovery.parsePodList(Data(single.utf8))
                == [PodInfo(name: "ws-5", ip: nil, ready: false, node: nil, restartCount: 0, phase: "Pending")])
        #expect(try PodDiscovery.parsePodList(Data(#"{"kind":"List","items":[]}"#.utf8)).isEmpty)
    }

    @Test func podInfoIsCodable() throws {
        let data = try JSONEncoder().encode(Self.expected)
        #expect(try JSONDecoder().decode([PodInfo].self, from: data) == Self.expected)
    }
}
