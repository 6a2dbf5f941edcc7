import ArgumentParser
import Foundation
import WSLoad

/// `wsload demo`: the local demo that needs no cluster.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Show on this machine what wsload does: pinned the naive way, spread the wsload way.",
        discussion: """
            Starts local reference pods behind a small local front that applies the chosen affinity, runs \
            the built-in local-demo profile twice — one source address and one shared cookie jar, then \
            varied source addresses and a cookie jar per client — follows the pods' "Active connections" \
            logs, prints both reports and cleans up. Exit code 0 when the contrast showed.

            Examples:
              wsload demo
              wsload demo --affinity source-hash --pods 4
              wsload demo --affinity ip-hash     # nginx ip_hash: 127.0.0.x on one pod
            """
    )

    @Option(help: "Number of local pods.")
    var pods = 3
    @Option(help: "Front affinity: none, cookie, source-hash, ip-hash.")
    var affinity: AffinityPolicy = .cookie
    @Option(help: "Hold each run this long (e.g. 2s).")
    var hold: DurationArgument?
    @Option(help: "Keep the pods' log files in this directory.")
    var logDir: String?
    @Option(name: .customLong("format"), help: "Report format to print: table, markdown, json (repeatable).")
    var formats: [ReportFormat] = [.table]

    func validate() throws {
        guard (1...16).contains(pods) else { throw ValidationError("--pods must be between 1 and 16") }
    }

    func run() throws {
        Process.ignoreBrokenPipe()
        var options = LocalDemo.Options()
        options.pods = pods
        options.policy = affinity
        options.logDirectory = logDir
        options.hold = hold?.seconds
        let err = LineWriter.standardError
        let demo = LocalDemo(options: options, logger: .lines { err.write($0) })
        let outcome: LocalDemo.Outcome
        do {
            outcome = try demo.run { dir in try LogFeedFactory.directory(dir) }
        } catch {
            throw CLIError(exitCode: .runIncomplete, message: "demo failed: \(error)")
        }
        for (title, o) in [
            ("1. The naive way: one source address, one shared cookie jar", outcome.naive),
            ("2. The wsload way: varied source addresses, a cookie jar per client", outcome.spread),
        ] {
            print("\n== \(title) ==\n")
            ReportPresenter.show(o.report, ReportWriter.Output(formats: formats, directory: nil), files: [])
        }
        if outcome.demonstrated {
            print(
                "Demo: the naive run pinned every connection to one pod and failed its gate; the wsload run spread across \(outcome.spread.report.statistics.podsHit) pods and passed."
            )
        } else {
            throw CLIError(
                exitCode: .gateFailed,
                message:
                    "the demo did not show the expected contrast (naive pods hit: \(outcome.naive.report.statistics.podsHit), wsload pods hit: \(outcome.spread.report.statistics.podsHit))"
            )
        }
    }
}

extension AffinityPolicy: ExpressibleByArgument {}
