import ArgumentParser
import Foundation
import WSLoad

/// `wsload merge A.json B.json …`: the report of a whole run from its shards' reports.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge the reports of a run's shards (run --shard i/N) into one report, recomputing statistics and the gate.",
        discussion: """
            Counts add and latency histograms merge as histograms (never averaged percentiles); per-pod \
            statistics, server-log matching, explanations and the gate are recomputed on the whole. \
            Reports of different runs (target, profile, shard count, plan) or a shard given twice are refused \
            (exit 2). Exits with the merged gate's verdict (0 passed, 1 failed).

            Examples:
              wsload merge s0/report.json s1/report.json s2/report.json
              wsload merge shards/*.json --format junit --format json --out merged/
            """
    )

    @Argument(help: "Shard reports (report.json files written by `wsload run --shard i/N`).")
    var files: [String]
    @Option(name: .customLong("format"), help: "table, json, junit, markdown, svg, html (repeatable).")
    var formats: [ReportFormat] = [.table]
    @Option(help: "Write report.<ext> files here instead of printing.")
    var out: String?

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give the shard reports to merge, e.g. wsload merge s0/report.json s1/report.json") }
    }

    func run() throws {
        let reports = try files.map(loadReport)
        let merged: Report
        do { merged = try Report.merging(reports, labels: files) } catch {
            throw CLIError(exitCode: .usageError, message: "cannot merge: \(error)")
        }
        try emitMerged(merged, formats: formats, out: out)
    }
}

/// Prints or writes a merged report and maps its gate to the exit code.
func emitMerged(_ report: Report, formats: [ReportFormat], out: String?) throws {
    try emit(report, formats: formats, out: out)  // with --out, report.json is kept: it can be merged or re-rendered again
    for w in report.warnings where w.contains("missing") || w.contains("counted as failed") {
        LineWriter.standardError.write("wsload: warning: \(w)")
    }
    if report.exitCode != .passed {
        throw CLIError(verdictOf: report)
    }
}
