import ArgumentParser
import Foundation
import WSLoad

/// `wsload run` (the default): a profile-driven run with a report and a gate.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Open connections from virtual clients, hold them, and report how they spread across pods (default command).",
        discussion: """
            Flags override the profile's fields. Exit codes: 0 gate passed, 1 gate failed, 2 usage or \
            configuration error, 3 the run could not complete (interrupted: a partial report is still written).

            Examples:
              wsload --profile ingress-20conns --url wss://ws.example.com/ws
              wsload run --url ws://127.0.0.1:8080/ws --clients 4 \\
                --connections-per-client 5 --hold 10s
              wsload run --profile service-clientip --url ws://10.96.0.10/ws \\
                --format junit --out out/
              wsload run --url ws://127.0.0.1:8080/ws --connections 20 \\
                --source 127.0.0.2-127.0.0.21 --cookies none --max-skew 50
              wsload run --profile ci-skew-gate --url ws://10.96.0.10/ws \\
                --connections 60000 --source 10.245.0.0/24 --workers 4
              wsload run --profile service-clientip --url ws://10.96.0.10/ws \\
                --shard 0/3 --format json --out s0/

            The last two: four worker processes on this machine with one merged report; one third of the \
            clients (`wsload merge` the shards' report.json).

            One process holds at most its file-descriptor limit (minus a reserve) of connections; beyond that \
            `run` splits itself over worker processes automatically (see docs/distributed.md).
            """
    )

    @OptionGroup var options: RunOptions

    func run() throws {
        Process.ignoreBrokenPipe()
        let code = try options.execute()
        if code != .passed { throw CLIError(exitCode: code, message: code == .gateFailed ? "gate failed" : "run incomplete") }
    }
}

extension RunOptions {
    /// Loads the profile, applies flags, validates, runs the session, presents the report; returns the exit code.
    func execute(defaultProfile: String? = nil) throws -> WSLoad.ExitCode {
        // A worker of `run --workers` runs the plan its parent wrote: no profile here.
        if let dir = workerIpc { return try executeWorker(directory: dir) }
        let (profile, profileFile) = try resolvedProfile(defaultProfile: defaultProfile)
        var request = RunSession.Request(profile: profile, profileFile: profileFile)
        request.extraPods = pods; request.shard = shard; request.workers = workers; request.quiet = quiet
        request.formats = formats.isEmpty ? profile.output.formats : formats
        request.outputDirectory = out ?? profile.output.out
        if let listen = metricsListen {
            guard let address = parseListenAddress(listen) else {
                throw CLIError(
                    exitCode: .usageError,
                    message: "--metrics-listen \(listen): expected host:port with a numeric address, e.g. 127.0.0.1:9464 or [::1]:9464")
            }
            request.metricsListen = address
        }
        do { return try run(request) } catch { throw CLIError(exitCode: error.exitCode, message: error.message) }
    }

    /// Plans, prepares and runs the session, with progress and signals, and presents its outcome.
    private func run(_ request: RunSession.Request) throws(RunSessionError) -> WSLoad.ExitCode {
        let stderr = LineWriter.standardError
        // The printer exists before the session, so the session's log lines go above the live progress block.
        let progress = quiet ? nil : ProgressPrinter()
        let session = try RunSession(
            request,
            logger: .lines { line in
                if let progress { progress.message(line) } else { stderr.write(line) }
            })
        warnIfInsecure(url: session.plan.url, tls: session.plan.tls)  // once per run: workers stay quiet
        try session.prepare()
        let signals = SignalWatcher([SIGINT, SIGTERM]) { _ in session.stop() }
        defer { signals.cancel() }
        var update: (@Sendable (EngineSnapshot) -> Void)?
        if let progress { update = { snapshot in progress.update(snapshot) } }
        let outcome: RunSession.Outcome
        do {
            outcome = try session.run(progress: update, progressDone: { progress?.finish() })
        } catch {
            progress?.finish()  // nothing left over on the terminal when the run throws
            throw error
        }
        present(outcome.report, files: outcome.files, formats: request.formats, outputDirectory: request.outputDirectory)
        return outcome.exitCode
    }

    /// The profile (`--profile`, the default, or an ad-hoc one) with the flags applied, validated, its sources bound.
    private func resolvedProfile(defaultProfile: String?) throws -> (Profile, String) {
        var profile: Profile
        var profileFile = "<command line>"
        if let name = profileName ?? defaultProfile {
            do {
                let loaded = try ProfileLoader.load(
                    name: name, workingDirectory: FileManager.default.currentDirectoryPath,
                    environment: ProcessInfo.processInfo.environment)
                profile = loaded.profile
                profileFile = loaded.path
            } catch { throw CLIError(exitCode: .usageError, message: error.description) }
        } else {
            profile = Profile()
            profile.origin = profileFile
            profile.name = "adhoc"
            profile.hold = .seconds(10)
        }
        do {
            try overrides.apply(to: &profile)
            try profile.validate(requireURL: true)
            // Every source address must be bindable here before anything connects (AnyIP routes count).
            try profile.checkSourcesBindable()
        } catch {
            throw CLIError(exitCode: .usageError, message: error.description)
        }
        return (profile, profileFile)
    }

    /// Prints the report in the formats meant for the terminal, names the files written, and the markers for `collect`.
    func present(_ report: Report, files: [String], formats: [ReportFormat], outputDirectory: String?) {
        ReportPresenter.show(report, ReportWriter.Output(formats: formats, directory: outputDirectory), files: files, quiet: quiet)
        if emitReportJson { ReportMarkers.print(report) }
    }
}
