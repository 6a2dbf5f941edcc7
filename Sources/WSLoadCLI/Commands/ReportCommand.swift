import ArgumentParser
import Foundation
import WSLoad

/// `wsload report FILE`: re-render a saved JSON report.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Re-render a saved report.json in any format; exits with the report's gate verdict.",
        discussion: """
            Examples:
              wsload report out/report.json
              wsload report out/report.json --format junit > junit.xml
              wsload report out/report.json --format html --out out/
            """
    )

    @Argument(help: "A report.json written by `wsload run --out DIR`.")
    var file: String
    @Option(name: .customLong("format"), help: "table, json, junit, markdown, svg, html (repeatable).")
    var formats: [ReportFormat] = [.table]
    @Option(help: "Write report.<ext> files here instead of printing.")
    var out: String?

    func run() throws {
        let report = try loadReport(file)
        try emit(report, formats: formats, out: out)
        if report.exitCode != .passed { throw CLIError(verdictOf: report) }
    }
}

extension CLIError {
    /// The exit code and message of a report that did not pass: its failed gate checks, or why the run is incomplete.
    init(verdictOf report: Report) {
        switch report.exitCode {
        case .runIncomplete:
            let why =
                report.gate.incomplete
                ?? (report.raw?.interrupted == true
                    ? "it was interrupted"
                    : "not one of its \(Plural.of(report.totals.attempted, "connection attempt")) was established")
            self.init(exitCode: .runIncomplete, message: "the run did not complete: \(why)")
        default:
            self.init(exitCode: report.exitCode, message: "gate failed: \(report.gate.failedChecks.map(\.name).joined(separator: ", "))")
        }
    }
}

/// Reads a saved report, with a human error.
func loadReport(_ path: String) throws -> Report {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw CLIError(exitCode: .usageError, message: "\(path): cannot read the file")
    }
    do { return try Report.decode(json: data) } catch {
        throw CLIError(exitCode: .usageError, message: "\(path): \(ReportReadError(decoding: error, data: data))")
    }
}

/// Prints or writes a report in the given formats (``ReportPresenter``).
func emit(_ report: Report, formats: [ReportFormat], out: String?) throws {
    try ReportPresenter.writeAndShow(report, formats: formats, out: out)
}
