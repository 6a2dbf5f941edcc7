import Foundation
import WSLoad

/// How `portforward` turns its flags and the profile into the pods to test, and tells its events.
extension PortForwardCommand {
    /// The flags that override the profile's `portforward:`, `target.tls` and `pods.discovery` fields.
    func applyOverrides(to p: inout Profile) {
        var pf = p.portforward ?? Profile.PortForwardSection()
        if !command.isEmpty { pf.command = Self.commandArguments(command) }
        if let remotePort { pf.remotePort = remotePort }
        if let localPortBase { pf.localPortBase = localPortBase }
        if let path { pf.path = path }
        if let target { pf.target = target }
        if let step { pf.step = step }
        if let stepInterval { pf.stepInterval = .seconds(stepInterval.seconds) }
        if let hold { pf.hold = .seconds(hold.seconds) }
        if let parallel { pf.parallel = parallel }
        if let readyTimeout { pf.readyTimeout = .seconds(readyTimeout.seconds) }
        if let maxRestarts { pf.restart.maxRestarts = maxRestarts }
        if tls { pf.tls = true }
        if let serverName { p.target.tls.serverName = serverName }
        if let caFile { p.target.tls.caFile = caFile }
        if insecure { p.target.tls.insecure = true }
        p.portforward = pf
        if selector != nil || (namespace != nil && p.pods.discovery != nil) {
            var d = p.pods.discovery ?? Profile.Discovery()
            if let selector { d.selector = selector }
            if let namespace { d.namespace = namespace }
            p.pods.discovery = d
        }
    }

    /// `--pod` names, else `pods.static`, else discovery.
    func resolvePods(_ profile: Profile, _ runner: CommandRunner) throws -> [String] {
        var seen = Set<String>()
        if !pods.isEmpty { return pods.filter { seen.insert($0).inserted } }
        if !profile.pods.staticPods.isEmpty { return profile.pods.staticPods.map(\.name) }
        let discovered: [PodInfo]?
        do { discovered = try profile.discoverPods(runner: runner) } catch {
            throw CLIError(exitCode: .runIncomplete, message: "pods.discovery: \(error)")
        }
        if let found = discovered, let d = profile.pods.discovery {
            guard !found.isEmpty else {
                throw CLIError(
                    exitCode: .runIncomplete, message: "pods.discovery: no pods match selector \"\(d.selector)\" in namespace \(d.namespace)")
            }
            let notReady = found.filter { !$0.ready }.map(\.name)
            if !notReady.isEmpty, !quiet { LineWriter.standardError.write("wsload: not ready (tested anyway): \(notReady.joined(separator: ", "))") }
            return found.map(\.name)
        }
        throw CLIError(
            exitCode: .usageError,
            message: "no pods: pass --pod NAME (repeatable) or --selector, or set pods.static or pods.discovery in the profile")
    }

    /// A progress line for an event.
    static func describe(_ event: PortForwardEvent) -> String? {
        switch event {
        case let .forwardStarted(pod, pid, port, attempt):
            return "\(pod): forward \(attempt == 0 ? "started" : "restarted") (pid \(pid), 127.0.0.1:\(port))"
        case let .forwardReady(pod, seconds):
            return "\(pod): forward ready after \(Int((seconds * 1000).rounded())) ms"
        case let .forwardDied(pod, detail):
            return "\(pod): forward failed: \(detail)"
        case let .restarting(pod, restart, delay):
            return "\(pod): restart \(restart) in \(String(format: "%.2f", delay)) s"
        case let .step(pod, open, failed):
            return "\(pod): \(open) open" + (failed > 0 ? ", \(failed) failed in this step" : "")
        case let .holding(pod, open, reason):
            return "\(pod): \(reason.rawValue) at \(open) open; holding"
        case let .finished(pod, capacity, reason):
            return "\(pod): done: capacity \(capacity), \(reason.rawValue)"
        }
    }

    /// Prints the table, prints or writes `portforward.json`, and maps the verdict to the exit code.
    func present(_ report: PortForwardReport, formats: [PortForwardFormat], outDir: String?) throws {
        let stderr = LineWriter.standardError
        if formats.contains(.table) { print(report.renderTable()) }
        if formats.contains(.json) {
            let data: Data
            do { data = try report.jsonData() } catch { throw CLIError(exitCode: .runIncomplete, message: "cannot encode the report: \(error)") }
            if let outDir {
                let path: String
                do { path = try ReportWriter.write(data + Data("\n".utf8), named: "portforward.json", in: outDir) } catch {
                    throw CLIError(exitCode: .runIncomplete, message: "cannot write portforward.json into \(outDir): \(error.localizedDescription)")
                }
                if !quiet { stderr.write("wsload: wrote \(path)") }
            } else {
                print(String(decoding: data, as: UTF8.self))
            }
        }
        switch report.exitCode {
        case .passed: return
        case .runIncomplete: throw CLIError(exitCode: .runIncomplete, message: "interrupted: the report is partial")
        default:
            throw CLIError(exitCode: .gateFailed, message: report.failingPods.map { "\($0.pod): \($0.why)" }.joined(separator: "; "))
        }
    }
}
