import ArgumentParser
import Foundation
import WSLoad

/// `wsload collect --job NAME -n NS`: read an Indexed Job's shard reports from its pods' logs and merge them.
struct CollectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Read the shard reports of a Kubernetes Indexed Job (deploy/indexed-job.yaml) from its pods' logs and merge them.",
        discussion: """
            Lists the pods with `kubectl get pods -n NS -l job-name=NAME -o json`, reads each pod's log with \
            `kubectl logs -n NS POD`, takes the JSON between WSLOAD-REPORT-BEGIN and WSLOAD-REPORT-END (printed by \
            `wsload run --emit-report-json`) and merges the shards like `wsload merge`. Run it once the Job has \
            completed (`kubectl wait --for=condition=complete job/NAME`). See deploy/collect.md.

            Examples:
              wsload collect --job wsload -n loadtest
              wsload collect --job wsload -n loadtest --format junit --format json \\
                --out merged/
              wsload collect --job wsload -n loadtest --logs-command kubectl \\
                --logs-command logs --logs-command -n --logs-command '{namespace}' \\
                --logs-command '{pod}' --logs-command -c --logs-command wsload
            """
    )

    @Option(help: "The Job's name.")
    var job: String
    @Option(name: [.customShort("n"), .long], help: "The Job's namespace.")
    var namespace = "default"
    @Option(
        name: .customLong("list-command"),
        help: "Pod listing argv, one argument per flag ({namespace}, {selector}); default kubectl get pods -n {namespace} -l {selector} -o json.")
    var listCommand: [String] = []
    @Option(
        name: .customLong("logs-command"),
        help: "Log reading argv, one argument per flag ({namespace}, {pod}); default kubectl logs -n {namespace} {pod}.")
    var logsCommand: [String] = []
    @Option(help: "Seconds each kubectl command may take.")
    var timeout: Double = 60
    @Option(name: .customLong("format"), help: "table, json, junit, markdown, svg, html (repeatable).")
    var formats: [ReportFormat] = [.table]
    @Option(help: "Write report.<ext> files here instead of printing.")
    var out: String?

    func run() throws {
        let collector = JobCollector(
            namespace: namespace, job: job,
            listTemplate: listCommand.isEmpty ? .podDiscovery : CommandTemplate(listCommand),
            logsTemplate: logsCommand.isEmpty ? JobCollector.defaultLogsTemplate : CommandTemplate(logsCommand),
            timeout: timeout)
        let collected: JobCollector.Collected
        do { collected = try collector.collect() } catch { throw CLIError(exitCode: .runIncomplete, message: "\(error)") }
        for p in collected.problems { LineWriter.standardError.write("wsload: \(p)") }
        guard !collected.reports.isEmpty else {
            throw CLIError(exitCode: .runIncomplete, message: "no pod of job \(job) printed a report")
        }
        LineWriter.standardError.write(
            "wsload: read \(collected.reports.count) report(s) from pods \(collected.reports.map(\.pod).joined(separator: ", "))")
        let merged: Report
        do {
            merged = try collected.merged()
        } catch {
            throw CLIError(exitCode: .usageError, message: "cannot merge: \(error)")
        }
        try emitMerged(merged, formats: formats, out: out)
    }
}
