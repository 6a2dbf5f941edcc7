import ArgumentParser
import Foundation
import WSLoad

/// `wsload match-logs`: recompute server-side matching for a saved report from log files.
struct MatchLogsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "match-logs",
        abstract: "Match a saved report against pods' \"Active connections\" logs collected afterwards.",
        discussion: """
            Useful when logs were gathered after the run, e.g. with kubectl logs --timestamps.

            Examples:
              wsload match-logs out/report.json --log-file ws-0=ws-0.log \\
                --log-file ws-1=ws-1.log
              wsload match-logs out/report.json --log-dir logs/ --require-log-match \\
                --format junit
              kubectl logs -l app=ws --prefix --timestamps \\
                | wsload match-logs out/report.json --stdin
            """
    )

    @Argument(help: "A report.json written by `wsload run --out DIR`.")
    var file: String
    @Option(name: .customLong("log-file"), help: "POD=PATH (repeatable).")
    var logFiles: [String] = []
    @Option(help: "Directory of log files named after pods (ws-0.log or ws-0).")
    var logDir: String?
    @Flag(help: "Read one multiplexed stream with [pod/NAME/container] prefixes from stdin.")
    var stdin = false
    @Option(help: "Pattern with a named capture (?<count>…) for the connection count.")
    var pattern: String?
    @Flag(help: "Add the require_log_match check to the gate.")
    var requireLogMatch = false
    @Option(name: .customLong("format"), help: "table, json, junit, markdown, svg, html (repeatable).")
    var formats: [ReportFormat] = [.table]
    @Option(help: "Write report.<ext> files here instead of printing.")
    var out: String?

    func run() throws {
        let report = try loadReport(file)
        let parser: ActiveConnectionsParser
        do {
            parser = try ActiveConnectionsParser(pattern: pattern ?? ActiveConnectionsParser.defaultPattern, referenceDate: report.run.startedAt)
        } catch {
            throw CLIError(exitCode: .usageError, message: "--pattern: \(error)")
        }
        var result = LogParseResult(samples: [], garbageLines: 0, totalLines: 0)
        var inputs: [(pod: String?, text: String)] = []
        for spec in logFiles {
            guard let eq = spec.firstIndex(of: "=") else { throw CLIError(exitCode: .usageError, message: "--log-file \(spec): expected POD=PATH") }
            let path = String(spec[spec.index(after: eq)...])
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw CLIError(exitCode: .usageError, message: "\(path): cannot read")
            }
            inputs.append((String(spec[..<eq]), text))
        }
        if let logDir {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: logDir)) ?? []
            guard !files.isEmpty else { throw CLIError(exitCode: .usageError, message: "\(logDir): no log files") }
            for f in files.sorted() {
                let pod = f.hasSuffix(".log") ? String(f.dropLast(4)) : f
                if let text = try? String(contentsOfFile: (logDir as NSString).appendingPathComponent(f), encoding: .utf8) {
                    inputs.append((pod, text))
                }
            }
        }
        if stdin {
            let data = FileHandle.standardInput.readDataToEndOfFile()
            inputs.append((nil, String(decoding: data, as: UTF8.self)))
        }
        guard !inputs.isEmpty else { throw CLIError(exitCode: .usageError, message: "give logs with --log-file, --log-dir or --stdin") }
        for (pod, text) in inputs { result.merge(parser.parse(text, pod: pod)) }
        if result.garbageLines > 0 {
            LineWriter.standardError.write("wsload: \(result.garbageLines) of \(result.totalLines) log lines had no connection count (ignored)")
        }
        let updated = report.rematched(with: result.series(), requireLogMatch: requireLogMatch)
        try emit(updated, formats: formats, out: out)
        if updated.exitCode != .passed { throw CLIError(verdictOf: updated) }
    }
}
