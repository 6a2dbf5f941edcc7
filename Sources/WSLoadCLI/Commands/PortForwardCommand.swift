import ArgumentParser
import Foundation
import WSLoad

/// `wsload portforward`: per-pod capacity through `kubectl port-forward` (or any forward command).
struct PortForwardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "portforward",
        abstract: "Forward each pod's port and ramp WebSocket connections through it until a target or the first failure.",
        discussion: """
            For each pod: start the forward command (kubectl port-forward by default, no shell), wait until its \
            local port accepts TCP, open connections in steps until --target or the first step where connections \
            fail, hold, close. Reports per pod the capacity reached, why the ramp stopped (target-reached, \
            server-503, refused, timeout, http-error, peer-closed, dropped, error, forward-died, not-ready, \
            interrupted), forward restarts, upgrade latency p50/p99 and the forward's ready time. A forward that \
            exits or stops accepting is restarted with capped exponential backoff and jitter; every forward is \
            stopped on completion, on SIGINT/SIGTERM and on errors.

            Pods: --pod (repeatable), else pods.static, else pods.discovery (or --selector).
            --command replaces the forward command: repeat it once per argument (--command kubectl \
            --command port-forward …), or give one string that is split on spaces (--command "kubectl \
            port-forward -n {namespace} pod/{pod} {localPort}:{remotePort}"). Placeholders: {namespace} {pod} \
            {localPort} {remotePort}. A single argument that itself contains spaces needs the profile's \
            portforward.command list.

            Exit codes: 0 every pod reached --target or found its limit cleanly; 1 a pod's forward kept dying \
            (beyond max_restarts) or never accepted, no connection got through, or a capacity is below \
            --min-capacity; 2 usage or configuration error; 3 interrupted (a partial report is still written).

            Examples:
              wsload portforward --profile portforward-capacity --pod ws-0 --pod ws-1 \\
                --remote-port 8080
              wsload portforward --selector app=ws --namespace prod --remote-port 8080 \\
                --target 500 --step 25 --parallel
              wsload portforward --pod ws-0 --remote-port 8080 --format json --out out/
              wsload portforward --pod ws-0 \\
                --command "socat TCP-LISTEN:{localPort},reuseaddr,fork TCP:127.0.0.1:8080"
            """
    )

    @Option(name: .customLong("profile"), help: "Profile name or path (default: portforward-capacity).", completion: .profileNames)
    var profileName: String?
    @Option(name: .customLong("pod"), help: "A pod to test (repeatable; default: pods.static or pods.discovery).")
    var pods: [String] = []
    @Option(help: "Namespace for {namespace} and discovery.")
    var namespace: String?
    @Option(help: "Discover the pods with this label selector (kubectl get pods -l).")
    var selector: String?
    @Option(help: "Port on the pod, for {remotePort}.")
    var remotePort: Int?
    @Option(help: "First local port (pod i uses base + i); 0 picks free ports.")
    var localPortBase: Int?
    @Option(help: "URL path on the forwarded port (default /ws).")
    var path: String?
    @Option(help: "Connections to ramp to per pod.")
    var target: Int?
    @Option(help: "Connections added per step.")
    var step: Int?
    @Option(help: "Pause between steps (e.g. 1s, 250ms).")
    var stepInterval: DurationArgument?
    @Option(help: "How long to hold the reached connections.")
    var hold: DurationArgument?
    @Flag(inversion: .prefixedNo, help: "Test all pods at once (--parallel) or one after another (--no-parallel).")
    var parallel: Bool?
    @Flag(help: "The forwarded port speaks TLS (wss://); see --server-name.")
    var tls = false
    @Option(help: "Name (or IP address) the pods' certificates must match and the SNI sent (target.tls.server_name).")
    var serverName: String?
    @Option(help: "PEM bundle of CAs to trust for --tls.")
    var caFile: String?
    @Flag(help: "Do not verify the pods' certificates (--tls).")
    var insecure = false
    @Option(help: "Longest wait for a forward's local port to accept.")
    var readyTimeout: DurationArgument?
    @Option(help: "Forward restarts allowed per pod.")
    var maxRestarts: Int?
    @Option(
        name: .customLong("command"), parsing: .unconditionalSingleValue,
        help: "Forward command: repeat once per argument, or one string split on spaces.")
    var command: [String] = []
    @Option(help: "Exit 1 when a pod's capacity is below this.")
    var minCapacity: Int?
    @Option(name: .customLong("format"), help: "table or json (repeatable); json goes to --out DIR/portforward.json, else stdout.")
    var formats: [PortForwardFormat] = []
    @Option(help: "Directory for portforward.json.")
    var out: String?
    @Flag(help: "No progress output on standard error.")
    var quiet = false

    enum PortForwardFormat: String, ExpressibleByArgument, CaseIterable {
        case table, json
    }

    /// `--command` values as argv: one value with spaces is split on spaces, several values are taken as they are.
    static func commandArguments(_ values: [String]) -> [String] {
        if values.count == 1, values[0].contains(where: \.isWhitespace) {
            return values[0].split(whereSeparator: \.isWhitespace).map(String.init)
        }
        return values
    }

    func run() throws {
        Process.ignoreBrokenPipe()
        let cwd = FileManager.default.currentDirectoryPath
        let loaded: (profile: Profile, path: String, source: ProfileSource)
        do {
            loaded = try ProfileLoader.load(
                name: profileName ?? "portforward-capacity", workingDirectory: cwd,
                environment: ProcessInfo.processInfo.environment)
        } catch { throw CLIError(exitCode: .usageError, message: error.description) }
        var profile = loaded.profile
        applyOverrides(to: &profile)
        do {
            try profile.validate(requireURL: false)
            try profile.validateForPortForward()
        } catch { throw CLIError(exitCode: .usageError, message: error.description) }

        var plan = PortForwardPlan(profile: profile)
        if plan.tls?.verifyPeer == false { LineWriter.standardError.write(TLSClientConfiguration.insecureWarning) }
        if let namespace { plan.namespace = namespace }
        plan.minCapacity = minCapacity
        if let minCapacity, minCapacity < 0 { throw CLIError(exitCode: .usageError, message: "--min-capacity must be >= 0") }
        let commandRunner = CommandRunner()
        do { _ = try commandRunner.resolveExecutable(plan.command.arguments.first ?? "") } catch {
            throw CLIError(exitCode: .usageError, message: "portforward.command: \(error)")
        }
        let podNames = try resolvePods(profile, commandRunner)
        do { _ = try plan.argv(pod: podNames[0], localPort: 1) } catch {
            throw CLIError(exitCode: .usageError, message: "portforward.command: \(error)")
        }
        if plan.localPortBase > 0, plan.localPortBase + podNames.count - 1 > 65535 {
            throw CLIError(
                exitCode: .usageError,
                message: "--local-port-base \(plan.localPortBase) leaves no room for \(podNames.count) pods below port 65536")
        }

        let formats =
            self.formats.isEmpty
            ? (profile.output.formats.contains(.json) ? [PortForwardFormat.table, .json] : [.table]) : self.formats
        let outDir = out ?? profile.output.out
        let stderr = LineWriter.standardError
        let quiet = self.quiet
        let runner = PortForwardRunner(plan: plan, pods: podNames, profileName: profile.name, runner: commandRunner) { event in
            guard !quiet else { return }
            if let line = Self.describe(event) { stderr.write("wsload: \(line)") }
        }
        let signals = SignalWatcher([SIGINT, SIGTERM]) { _ in runner.cancel() }
        defer { signals.cancel() }
        if !quiet {
            stderr.write(
                "wsload: portforward \(profile.name): \(podNames.count) pod\(podNames.count == 1 ? "" : "s") (\(podNames.joined(separator: ", "))), "
                    + "target \(plan.target) in steps of \(plan.step), \(plan.parallel ? "in parallel" : "one after another"); "
                    + "forward: \(CommandResult.display(plan.command.arguments))")
        }
        let report = runner.run()
        commandRunner.stop(grace: 1)

        try present(report, formats: formats, outDir: outDir)
    }
}
