import Foundation
import Testing
@testable import WSLoad

/// The documentation says what the binary does: flags, profile names, schema version, shell commands.
@Suite struct DocsTests {
    static func read(_ path: String) throws -> String {
        try String(contentsOf: TestPaths.packageRoot.appendingPathComponent(path), encoding: .utf8)
    }

    /// The `--long` options in a command's `--help` OPTIONS section (hidden ones are not listed there).
    static func options(ofHelp help: String) -> Set<String> {
        guard let start = help.range(of: "OPTIONS:") else { return [] }
        let regex = try! NSRegularExpression(pattern: #"^  (?:-\w, )?(--[a-z0-9-]+)"#, options: .anchorsMatchLines)
        let text = String(help[start.upperBound...])
        let ns = text as NSString
        return Set(regex.matches(in: text, range: NSRange(location: 0, length: ns.length)).map { ns.substring(with: $0.range(at: 1)) })
            .subtracting(["--help", "--version"])
    }

    /// docs/cli.md's `run` table names every flag `wsload run --help` lists.
    @Test func cliDocListsEveryRunFlag() async throws {
        let help = try await wsload(["run", "--help"], timeout: 20)
        let flags = Self.options(ofHelp: help.stdout)
        #expect(flags.count > 20, "\(help.stdout)")
        let doc = try Self.read("docs/cli.md")
        let section = try #require(doc.range(of: "### `run` (default)").flatMap { start in doc[start.upperBound...].range(of: "### `serve`").map { doc[start.upperBound ..< $0.lowerBound] } })
        let missing = flags.filter { !section.contains("`\($0)") }.sorted()
        #expect(missing.isEmpty, "docs/cli.md's run table lacks \(missing)")
    }

    /// Every `--profile NAME` in the README and docs names a built-in profile, one in profiles/, or one the same
    /// document defines (`name: NAME`); paths (`./x.yaml`, `/profiles/…`) are left alone.
    @Test func everyDocumentedProfileExists() throws {
        let known = Set(BuiltinProfiles.names)
        let files = ["README.md", "docs/cli.md", "docs/distributed.md", "docs/profiles.md", "docs/report.md", "deploy/README.md", "deploy/collect.md", "e2e/README.md"]
        let regex = try NSRegularExpression(pattern: #"--profile ([A-Za-z0-9_-]+)(?![A-Za-z0-9_./-])"#)
        var unknown: [String] = []
        for file in files {
            guard let text = try? Self.read(file) else { continue }
            let ns = text as NSString
            for m in regex.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
                let name = ns.substring(with: m.range(at: 1))
                if !known.contains(name) && !text.contains("name: \(name)") && name != "NAME" { unknown.append("\(file): --profile \(name)") }
            }
        }
        #expect(unknown.isEmpty, "documented profiles that do not exist: \(unknown)")
    }

    @Test func reportDocStatesTheCurrentSchemaVersion() throws {
        let doc = try Self.read("docs/report.md")
        #expect(doc.contains("| `schemaVersion` | int | `\(Report.currentSchemaVersion)` for this layout"))
        #expect(doc.contains("`schemaVersion` is `\(Report.currentSchemaVersion)`."))
        #expect(!doc.contains("Always `1`"))
    }

    /// The report's target drops userinfo, as docs/report.md says (and its example shows).
    @Test func userinfoIsDroppedFromTheTarget() throws {
        let meta = RunMetadata(profile: "p", target: try WebSocketURL("wss://user:secret@ws.example.com/ws?token=abc&room=1").description,
                               startedAt: Date(), endedAt: Date())
        #expect(meta.target == "wss://ws.example.com/ws?token=REDACTED&room=1")
        #expect(try Self.read("docs/report.md").contains(#""target" : "wss://ws.example.com/ws?token=REDACTED&room=1""#))
    }

    /// `wsload shell --help` and docs/cli.md name every command the shell understands.
    @Test func shellHelpNamesEveryCommand() async throws {
        let help = try await wsload(["shell", "--help"], timeout: 20).stdout
        let doc = try Self.read("docs/cli.md")
        for command in ["connect N", "close N", "send TEXT", "status", "pods", "wait SECONDS", "help", "quit"] {
            #expect(ShellInput.summary.contains(command.components(separatedBy: " ")[0]))
            #expect(help.contains(command), "shell --help does not mention \(command)")
            #expect(doc.contains(command), "docs/cli.md does not mention shell's \(command)")
        }
    }
}
