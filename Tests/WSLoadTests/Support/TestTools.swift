import Foundation
import Testing

@testable import WSLoad

/// The external tools tests run, declared once in `scripts/packages.txt` (which `scripts/test` installs from).
enum TestTools {
    /// One line of `scripts/packages.txt`: a Debian package, the commands it provides, the scripts that need it.
    struct Declaration: Equatable {
        /// The package name, or `(base)` / `(toolchain)` for what is never installed.
        var package: String
        /// Commands that show the package is present (empty for a library).
        var commands: [String]
        /// Scripts that need it (`build` means every script).
        var neededBy: [String]
    }

    /// `scripts/packages.txt` of this checkout.
    static let packagesFile = TestPaths.packageRoot.appendingPathComponent("scripts/packages.txt")

    /// The declarations in `text` (the format of `scripts/packages.txt`: `package commands needed-by…`, `#` comments).
    static func parse(_ text: String) -> [Declaration] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard fields.count >= 3, !fields[0].hasPrefix("#") else { return nil }
            return Declaration(
                package: fields[0], commands: fields[1] == "-" ? [] : fields[1].split(separator: ",").map(String.init),
                neededBy: Array(fields[2...]))
        }
    }

    /// Commands declared for `script` (or for `build`, which every script installs).
    static func declaredCommands(for script: String, in declarations: [Declaration]) -> [String: String] {
        var result: [String: String] = [:]
        for d in declarations where d.neededBy.contains(script) || d.neededBy.contains("build") {
            for c in d.commands { result[c] = d.package }
        }
        return result
    }

    /// The declarations of this checkout.
    static func declarations() throws -> [Declaration] {
        parse(try String(contentsOf: packagesFile, encoding: .utf8))
    }

    /// The absolute path of `command`, which a test needs: fails the test loudly (never skips) when the command
    /// is not declared for `scripts/test` in `scripts/packages.txt`, or is not installed.
    @discardableResult
    static func require(_ command: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        guard let package = declaredCommands(for: "test", in: try declarations())[command] else {
            let message =
                "a test needs `\(command)`, but scripts/packages.txt does not declare it for `test`, so `scripts/test` "
                + "would not install it on a fresh machine: add a line `PACKAGE \(command) test`"
            Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
            throw CLIFailure("\(command) not declared")
        }
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? CommandRunner.fallbackSearchPath) + ":/usr/local/sbin:/usr/sbin:/sbin"
        do {
            return try CommandRunner.resolveExecutable(command, searchPath: path)
        } catch {
            let message =
                "`\(command)` is not installed. `scripts/test` installs it (scripts/packages.txt: package `\(package)`); "
                + "by hand: apt-get install -y \(package)"
            Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
            throw CLIFailure("\(command) missing")
        }
    }
}
