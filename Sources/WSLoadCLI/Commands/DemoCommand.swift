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

            --scenario scale-out starts five pods of which three are behind a local round-robin front; 2 s into \
            each run a timed event adds the other two. The run is made twice, without and with clients.lifetime \
            (connections close and reopen after about 1.5 s), and both reports' scale-out sections are printed: \
            without churn the new pods stay near 0 %, with it they reach about their fair share (40 %). Exit code 0 \
            when the difference showed, 1 otherwise.

            Examples:
              wsload demo
              wsload demo --scenario scale-out
              wsload demo --affinity source-hash --pods 4
              wsload demo --affinity ip-hash     # nginx ip_hash: 127.0.0.x on one pod
            """
    )

    /// The demo scenarios.
    enum Scenario: String, ExpressibleByArgument, CaseIterable {
        /// Pinned the naive way, spread the wsload way.
        case spread
        /// 3 → 5 pods, without and with connection lifetime churn.
        case scaleOut = "scale-out"
    }

    @Option(help: "Scenario: spread (pinned vs spread) or scale-out (3 → 5 pods, without and with clients.lifetime).")
    var scenario: Scenario = .spread
    @Option(help: "Number of local pods (spread scenario).")
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
        if scenario == .scaleOut { return try runScaleOut(demo) }
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

extension DemoCommand {
    /// `--scenario scale-out`: both runs' totals and scale-out sections, then a one-line conclusion.
    private func runScaleOut(_ demo: LocalDemo) throws {
        let outcome: LocalDemo.ScaleOutOutcome
        do {
            outcome = try demo.runScaleOut { dir in try LogFeedFactory.directory(dir) }
        } catch {
            throw CLIError(exitCode: .runIncomplete, message: "demo failed: \(error)")
        }
        for (title, o) in [
            ("1. Without churn: long-lived connections", outcome.withoutChurn),
            ("2. With clients.lifetime (age 1.5 s, jitter 0.3): connections close and reopen", outcome.withChurn),
        ] {
            print("\n== \(title) ==\n")
            if formats != [.table] {
                ReportPresenter.show(o.report, ReportWriter.Output(formats: formats, directory: nil), files: [])
                continue
            }
            let t = o.report.totals
            print(
                "Connections: \(t.attempted) attempted, \(t.established) established, \(t.failed) failed, \(t.dropped) dropped, "
                    + "\(t.held) held, \(t.recycled) recycled")
            print("Held per pod at the end: " + o.report.statistics.pods.map { "\($0.pod) \($0.count)" }.joined(separator: ", "))
            print("Scale-out:")
            for line in o.report.scaleOutLines { print("  " + line) }
            print("Gate: \(o.report.gate.passed ? "PASS" : "FAIL")")
        }
        let pct = { (v: Double?) in v.map { String(format: "%.1f %%", $0) } ?? "not measured" }
        let (without, with) = outcome.shares
        if outcome.demonstrated {
            print(
                "\nDemo: after 3 → 5 pods the new pods held \(pct(without)) without churn and \(pct(with)) with clients.lifetime "
                    + "(\(outcome.withChurn.report.totals.recycled) recycles): long-lived connections only rebalance when they reconnect.")
        } else {
            throw CLIError(
                exitCode: .gateFailed,
                message: "the scale-out demo did not show the difference (new pods' share: \(pct(without)) without churn, \(pct(with)) with it)")
        }
    }
}

extension AffinityPolicy: ExpressibleByArgument {}
