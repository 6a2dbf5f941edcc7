import Foundation

/// The one writer of reports, for every command that outputs one (`run`, `report`, `match-logs`, `merge`,
/// `collect`, `demo`; `portforward` uses its file writing): which formats go to the terminal and with what
/// colour, the `report.<ext>` files, and `connections.jsonl`.
public enum ReportWriter {
    /// Where a report goes: the formats asked for and, when given, the directory for files.
    public struct Output: Sendable, Equatable {
        /// The formats asked for (`--format`), in order.
        public var formats: [ReportFormat]
        /// Directory for `report.<ext>` files (`--out`); nil prints every format instead.
        public var directory: String?

        /// An output.
        public init(formats: [ReportFormat], directory: String?) {
            self.formats = formats
            self.directory = directory
        }

        /// The formats printed on the terminal. Without a directory, every format asked for. With one, the
        /// formats meant to be read there (table, Markdown), or the table when none of them was asked for — so a
        /// run writing JUnit for CI still shows its verdict in the log.
        public var terminalFormats: [ReportFormat] {
            guard directory != nil else { return formats.isEmpty ? [.table] : formats }
            let readable = formats.filter { $0 == .table || $0 == .markdown }
            return readable.isEmpty ? [.table] : readable
        }

        /// The files written into the directory: one per format, and always `report.json`, which
        /// `wsload report`, `match-logs` and `merge` read back.
        public var fileFormats: [ReportFormat] {
            guard directory != nil else { return [] }
            return formats.contains(.json) ? formats : formats + [.json]
        }
    }

    /// Whether the terminal gets ANSI colour: only on a terminal, never with `NO_COLOR` set to a non-empty
    /// value (no-color.org) or with `TERM=dumb`.
    public static func colour(isTerminal: Bool, environment: [String: String]) -> Bool {
        guard isTerminal else { return false }
        if let noColour = environment["NO_COLOR"], !noColour.isEmpty { return false }
        return environment["TERM"] != "dumb"
    }

    /// The text of each terminal format, in order (colour only in the table).
    public static func terminalText(_ report: Report, _ output: Output, colour: Bool) -> [String] {
        output.terminalFormats.map { $0.render(report, colour: colour && $0 == .table) }
    }

    /// Writes `report.<ext>` for each of ``Output/fileFormats`` and `connections.jsonl` into the output directory,
    /// and returns the paths written (none without a directory). `records` are written with their affinity-cookie
    /// values redacted; `recordFiles` (a split run's workers' `connections.jsonl`, already redacted) are copied in
    /// first, in order, a missing one skipped. `connections: false` leaves `connections.jsonl` out (a re-rendered or
    /// merged report has no connection records).
    public static func writeFiles(_ report: Report, _ output: Output, records: [ConnectionRecord] = [], recordFiles: [String] = [],
                                  connections: Bool = true) throws -> [String] {
        guard let directory = output.directory else { return [] }
        var files: [String] = []
        for format in output.fileFormats {
            files.append(try write(Data(format.render(report, colour: false).utf8), named: "report.\(format.fileExtension)", in: directory))
        }
        if connections {
            files.append(try write(connectionLines(records: records, recordFiles: recordFiles), named: "connections.jsonl", in: directory))
        }
        return files
    }

    /// One JSON object per connection record (sorted keys), cookie values redacted, after the copied `recordFiles`.
    static func connectionLines(records: [ConnectionRecord], recordFiles: [String]) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var data = Data()
        for file in recordFiles { if let part = FileManager.default.contents(atPath: file) { data.append(part) } }
        for var record in records {
            record.affinityCookie = record.affinityCookie.map { Redaction.placeholder(for: $0) }
            if let line = try? encoder.encode(record) {
                data.append(line)
                data.append(UInt8(ascii: "\n"))
            }
        }
        return data
    }

    /// Writes `data` to `directory/name` atomically, creating the directory; returns the path.
    public static func write(_ data: Data, named name: String, in directory: String) throws -> String {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = (directory as NSString).appendingPathComponent(name)
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        return path
    }
}
