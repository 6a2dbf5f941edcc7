import Foundation

/// Finds the server pods: from a static list, or by running a command that prints `kubectl get pods -o json`.
public struct PodDiscovery: Sendable, Equatable {
    /// Where the pod list comes from.
    public enum Source: Sendable, Equatable {
        /// A fixed list.
        case list([PodInfo])
        /// A command printing a pod list as JSON; placeholders `{namespace}` and `{selector}`.
        case command(template: CommandTemplate, namespace: String, selector: String)
    }

    /// Where the pod list comes from.
    public var source: Source
    /// Longest time the command may run.
    public var timeout: TimeInterval

    /// `kubectl get pods -n {namespace} -l {selector} -o json`.
    public static let defaultTemplate = CommandTemplate.podDiscovery

    /// Discovery from a fixed list of pods.
    public init(pods: [PodInfo]) {
        source = .list(pods)
        timeout = 30
    }

    /// Discovery from a fixed list of pod names (assumed ready).
    public init(names: [String]) {
        self.init(pods: names.map { PodInfo(name: $0) })
    }

    /// Discovery by running `template` (default `kubectl get pods … -o json`).
    public init(
        namespace: String, selector: String, template: CommandTemplate = PodDiscovery.defaultTemplate,
        timeout: TimeInterval = 30
    ) {
        source = .command(template: template, namespace: namespace, selector: selector)
        self.timeout = timeout
    }

    /// The pods, sorted naturally by name (`ws-2` before `ws-10`).
    public func discover(runner: CommandRunner = CommandRunner()) throws(PodDiscoveryError) -> [PodInfo] {
        switch source {
        case .list(let pods):
            return Self.sorted(pods)
        case let .command(template, namespace, selector):
            let argv: [String]
            do { argv = try template.render(["namespace": namespace, "selector": selector]) } catch { throw .template(error) }
            let result: CommandResult
            do { result = try runner.run(argv, timeout: timeout) } catch { throw .command(error) }
            guard result.succeeded else {
                throw .commandFailed(
                    command: CommandResult.display(argv), termination: result.termination,
                    stderrFirstLine: result.stderrFirstLine)
            }
            return Self.sorted(try Self.parsePodList(result.stdout))
        }
    }

    /// Parses `kubectl get pods -o json` output (a `List`/`PodList` with `items`, or a single `Pod`).
    ///
    /// Per pod: `metadata.name`; `status.podIP`; ready when `status.conditions` has `Ready` = `"True"`;
    /// `spec.nodeName`; `status.containerStatuses[].restartCount` summed; `status.phase`. Input order is kept.
    public static func parsePodList(_ data: Data) throws(PodDiscoveryError) -> [PodInfo] {
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: data)
        } catch {
            let text =
                String(decoding: data.prefix(80), as: UTF8.self)
                .split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
            throw .invalidJSON(reason: data.isEmpty ? "empty output" : "starts with \"\(text)\"")
        }
        guard let object = root as? [String: Any] else { throw .notAPodList(reason: "top level is not an object") }
        let items: [Any]
        if let list = object["items"] {
            guard let array = list as? [Any] else { throw .notAPodList(reason: "items is not an array") }
            items = array
        } else if object["kind"] as? String == "Pod" {
            items = [object]
        } else {
            throw .notAPodList(reason: "no items (kind \(object["kind"] as? String ?? "missing"))")
        }
        var pods: [PodInfo] = []
        for (index, item) in items.enumerated() {
            guard let pod = item as? [String: Any] else { throw .notAPodList(reason: "items[\(index)] is not an object") }
            if let kind = pod["kind"] as? String, kind != "Pod" { continue }
            guard let metadata = pod["metadata"] as? [String: Any], let name = metadata["name"] as? String,
                !name.isEmpty
            else { throw .notAPodList(reason: "items[\(index)] has no metadata.name") }
            let spec = pod["spec"] as? [String: Any] ?? [:]
            let status = pod["status"] as? [String: Any] ?? [:]
            let conditions = status["conditions"] as? [[String: Any]] ?? []
            let ready = conditions.contains { $0["type"] as? String == "Ready" && $0["status"] as? String == "True" }
            let restarts = (status["containerStatuses"] as? [[String: Any]] ?? [])
                .reduce(0) { $0 + ((($1["restartCount"] as? NSNumber)?.intValue) ?? 0) }
            let ip = (status["podIP"] as? String).flatMap { $0.isEmpty ? nil : $0 }
            let node = (spec["nodeName"] as? String).flatMap { $0.isEmpty ? nil : $0 }
            pods.append(
                PodInfo(
                    name: name, ip: ip, ready: ready, node: node, restartCount: restarts,
                    phase: status["phase"] as? String))
        }
        return pods
    }

    private static func sorted(_ pods: [PodInfo]) -> [PodInfo] {
        pods.sorted { PodNameOrder.areInIncreasingOrder($0.name, $1.name) }
    }
}
