import Foundation
import WSLoad

/// Puts a report in front of the user: the terminal formats on stdout (colour decided here, once, by
/// ``ReportWriter/colour(isTerminal:environment:)``) and the names of the files written on stderr. Every
/// command that outputs a ``Report`` presents it through here; the files are written by ``ReportWriter``.
enum ReportPresenter {
    /// Whether stdout gets ANSI colour.
    static var colour: Bool {
        ReportWriter.colour(isTerminal: isatty(STDOUT_FILENO) == 1, environment: ProcessInfo.processInfo.environment)
    }

    /// Prints the terminal formats of `output` and, unless `quiet`, which files were written.
    static func show(_ report: Report, _ output: ReportWriter.Output, files: [String], quiet: Bool = false) {
        for text in ReportWriter.terminalText(report, output, colour: colour) { print(text) }
        if !files.isEmpty, !quiet { LineWriter.standardError.write("wsload: wrote \(files.joined(separator: ", "))") }
    }

    /// Writes the files of a report that has no connection records (re-rendered, re-matched, merged) and
    /// presents it; a file that cannot be written is an incomplete run (exit 3) that names the directory.
    static func writeAndShow(_ report: Report, formats: [ReportFormat], out: String?) throws {
        let output = ReportWriter.Output(formats: formats, directory: out)
        let files: [String]
        do { files = try ReportWriter.writeFiles(report, output, connections: false) } catch {
            throw CLIError(exitCode: .runIncomplete, message: "cannot write the report into \(out ?? "."): \(error.localizedDescription)")
        }
        show(report, output, files: files)
    }
}
