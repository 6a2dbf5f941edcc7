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
    public static func writeFiles(
        _ report: Report, _ output: Output, records: [ConnectionRecord] = [], recordFiles: [String] = [],
        connections: Bool = true
    ) throws -> [String] {
        guard let directory = output.directory else { return [] }
        var files: [String] = []
        for format in output.fileFormats {
            files.append(try write(Data(format.render(report, colour: false).utf8), named: "report.\(format.fileExtension)", in: directory))
        }
        if connections {
            files.append(try writeConnections(records: records, recordFiles: recordFiles, in: directory))
        }
        return files
    }

    /// Streams `connections.jsonl` into `directory`: the copied `recordFiles` first, then one JSON object per
    /// record (sorted keys, affinity-cookie values redacted), in 64 KiB writes to a temporary file renamed into
    /// place — so a run of 100 000 connections never holds the whole file in memory.
    static func writeConnections(records: [ConnectionRecord], recordFiles: [String], in directory: String) throws -> String {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = (directory as NSString).appendingPathComponent("connections.jsonl")
        let temporary = path + ".partial"
        guard FileManager.default.createFile(atPath: temporary, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary])
        }
        let handle: FileHandle
        do { handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary)) } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
        do {
            var chunk = Data()
            chunk.reserveCapacity(1 << 16)
            func flush(force: Bool = false) throws {
                if force ? !chunk.isEmpty : chunk.count >= 1 << 16 {
                    try handle.write(contentsOf: chunk)
                    chunk.removeAll(keepingCapacity: true)
                }
            }
            for file in recordFiles {
                guard let input = FileHandle(forReadingAtPath: file) else { continue }
                defer { try? input.close() }
                while let part = try input.read(upToCount: 1 << 16), !part.isEmpty { try handle.write(contentsOf: part) }
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            for var record in records {
                record.affinityCookie = record.affinityCookie.map { Redaction.placeholder(for: $0) }
                // A record that cannot be encoded is an error, not a missing line: every connection is accounted.
                try ConnectionRecordLine.append(record, to: &chunk, encoder: encoder)
                chunk.append(UInt8(ascii: "\n"))
                try flush()
            }
            try flush(force: true)
            try handle.close()
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
        // rename(2) replaces an older file atomically: a reader sees the old file or the whole new one.
        guard rename(temporary, path) == 0 else {
            let code = errno
            try? FileManager.default.removeItem(atPath: temporary)
            throw CocoaError(
                .fileWriteUnknown, userInfo: [NSFilePathErrorKey: path, NSUnderlyingErrorKey: POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)])
        }
        return path
    }

    /// Writes `data` to `directory/name` atomically, creating the directory; returns the path.
    public static func write(_ data: Data, named name: String, in directory: String) throws -> String {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = (directory as NSString).appendingPathComponent(name)
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        return path
    }
}
