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
        let section = try #require(
            doc.range(of: "### `run` (default)").flatMap { start in
                doc[start.upperBound...].range(of: "### `serve`").map { doc[start.upperBound..<$0.lowerBound] }
            })
        let missing = flags.filter { !section.contains("`\($0)") }.sorted()
        #expect(missing.isEmpty, "docs/cli.md's run table lacks \(missing)")
    }

    /// Every `--profile NAME` in the README and docs names a built-in profile, one in profiles/, or one the same
    /// document defines (`name: NAME`); paths (`./x.yaml`, `/profiles/…`) are left alone.
    @Test func everyDocumentedProfileExists() throws {
        let known = Set(BuiltinProfiles.names)
        let files = [
            "README.md", "docs/cli.md", "docs/distributed.md", "docs/profiles.md", "docs/report.md", "deploy/README.md", "deploy/collect.md",
            "e2e/README.md",
        ]
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
        let meta = RunMetadata(
            profile: "p", target: try WebSocketURL("wss://user:secret@ws.example.com/ws?token=abc&room=1").description,
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

/// Every `wsload …` command line in the README's and docs' code blocks uses only flags its command has.
@Suite struct DocumentedCommandLinesTests {
    /// `wsload` command lines inside fenced code blocks of `text`, `\` continuations joined, comments cut.
    static func commandLines(inMarkdown text: String) -> [String] {
        var lines: [String] = []
        var inCode = false, pending = ""
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("```") { inCode.toggle(); pending = ""; continue }
            guard inCode else { continue }
            if line.hasSuffix("\\") { pending += line.dropLast() + " "; continue }
            let whole = (pending + line).components(separatedBy: " # ")[0]
            pending = ""
            // Two columns side by side (machine A / machine B) or a pipe: each `wsload` part on its own.
            for part in whole.components(separatedBy: "   ").flatMap({ $0.components(separatedBy: "| ") }) {
                let p = part.trimmingCharacters(in: .whitespaces)
                // `wsload` as a word of its own (not `.build/debug/wsload` or `-c wsload`): the command line from there.
                guard let r = p.range(of: "wsload "), r.lowerBound == p.startIndex || p[p.index(before: r.lowerBound)] == " " else { continue }
                let before = p[..<r.lowerBound].split(separator: " ")
                guard before.allSatisfy({ $0.contains("=") }) else { continue }  // only VAR=value words may precede it
                lines.append(String(p[r.lowerBound...]))
            }
        }
        return lines
    }

    @Test func documentedFlagsExist() async throws {
        let files = [
            "README.md", "docs/cli.md", "docs/distributed.md", "docs/profiles.md", "docs/report.md", "deploy/README.md", "deploy/collect.md",
            "e2e/README.md",
        ]
        let subcommands = [
            "run", "serve", "demo", "connect", "shell", "report", "match-logs", "merge", "collect", "portforward", "profiles", "validate",
            "autobahn-client", "worker",
        ]
        var helpCache: [String: Set<String>] = [:]
        var wrong: [String] = []
        var checked = 0
        for file in files {
            guard let text = try? DocsTests.read(file) else { continue }
            for line in Self.commandLines(inMarkdown: text) {
                let words = line.split(separator: " ").map(String.init)
                guard words.count > 1, !words[1].hasPrefix("--generate-completion-script"), words[1] != "---completion" else { continue }
                let command = subcommands.contains(words[1]) ? words[1] : "run"
                if helpCache[command] == nil {
                    helpCache[command] = DocsTests.options(ofHelp: try await wsload([command, "--help"], timeout: 20).stdout)
                }
                let known = helpCache[command]!.union(["--help", "--version"])
                for flag in words where flag.hasPrefix("--") {
                    let name = String(flag.split(separator: "=", maxSplits: 1)[0])
                    if name != "--", !known.contains(name) { wrong.append("\(file): `\(line)`: \(command) has no \(name)") }
                }
                checked += 1
            }
        }
        #expect(checked > 30, "only \(checked) documented command lines found")
        #expect(wrong.isEmpty, "\(wrong.joined(separator: "\n"))")
    }
}
