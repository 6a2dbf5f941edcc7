import Foundation
import Testing

/// The README's promise that `scripts/test` (and each other documented script) installs everything it needs:
/// every tool a test or an e2e scenario runs must be declared for it in `scripts/packages.txt`, the one list
/// `scripts/bootstrap --for NAME` installs from; and CI must call the documented scripts with no install step.
@Suite struct ToolRequirementsTests {
    /// Commands named in Swift test sources: `TestTools.require("x")`, `resolveExecutable("x"`, an absolute
    /// `"/bin/x"` / `"/usr/bin/x"` argv, and `exec x` starting a line or a
    /// command inside the shell scripts tests write.
    static func commandsUsed(inSwift source: String) -> Set<String> {
        let patterns = [
            #"(?:TestTools\.require|resolveExecutable)\("([^"/]+)""#,
            #""/(?:usr/)?s?bin/([A-Za-z0-9._-]+)""#,
            #"(?m)(?:^\s*|[;&|]\s*)exec ([a-z][a-z0-9._-]*)\b"#,
        ]
        return matches(patterns, in: source)
    }

    /// Commands e2e/e2e.py runs: `sh("x", …)`, `subprocess.run(["x", …`, `spawn(…, ["x", …`, `argv = ["x", …`.
    static func commandsUsed(inPython source: String) -> Set<String> {
        matches([#"(?:\bsh\(|subprocess\.(?:run|Popen|check_output)\(\[|spawn\([^\n\[]*\[|argv = \[)"([a-z][\w.-]*)""#], in: source)
    }

    private static func matches(_ patterns: [String], in source: String) -> Set<String> {
        var found = Set<String>()
        for pattern in patterns {
            let regex = try! NSRegularExpression(pattern: pattern)
            let ns = source as NSString
            for m in regex.matches(in: source, range: NSRange(location: 0, length: ns.length)) {
                found.insert(ns.substring(with: m.range(at: 1)))
            }
        }
        return found
    }

    /// Every `.swift` file under `Tests/` except this one (which names the patterns it looks for).
    static func testSources() throws -> [(path: String, text: String)] {
        let root = TestPaths.packageRoot.appendingPathComponent("Tests")
        let enumerator = try #require(FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil))
        var sources: [(String, String)] = []
        for case let url as URL in enumerator where url.pathExtension == "swift" && url.lastPathComponent != "ToolRequirementsTests.swift" {
            sources.append(
                (url.path.replacingOccurrences(of: TestPaths.packageRoot.path + "/", with: ""), try String(contentsOf: url, encoding: .utf8)))
        }
        return sources
    }

    @Test func everyToolATestRunsIsInstalledByTheTestCommand() throws {
        let declared = TestTools.declaredCommands(for: "test", in: try TestTools.declarations())
        var undeclared: [String] = []
        for (path, text) in try Self.testSources() {
            for command in Self.commandsUsed(inSwift: text).sorted() where declared[command] == nil { undeclared.append("\(path): \(command)") }
        }
        #expect(
            undeclared.isEmpty,
            """
            tests run tools that `scripts/test` does not install on a fresh machine; declare each in scripts/packages.txt \
            with `test` in its "needed by" column: \(undeclared.joined(separator: ", "))
            """)
        // The tools tests really run today are among them (a scanner that finds nothing would pass vacuously).
        let used = try Self.testSources().reduce(into: Set<String>()) { $0.formUnion(Self.commandsUsed(inSwift: $1.text)) }
        #expect(used.isSuperset(of: ["socat", "sh", "sleep"]), "\(used.sorted())")
    }

    @Test func everyToolAnE2EScenarioRunsIsInstalledByTheE2ECommand() throws {
        let declared = TestTools.declaredCommands(for: "e2e", in: try TestTools.declarations())
        let source = try String(contentsOf: TestPaths.packageRoot.appendingPathComponent("e2e/e2e.py"), encoding: .utf8)
        let used = Self.commandsUsed(inPython: source)
        #expect(used.isSuperset(of: ["haproxy", "nginx", "socat", "ip", "iptables"]), "\(used.sorted())")
        let undeclared = used.filter { declared[$0] == nil }.sorted()
        #expect(undeclared.isEmpty, "e2e/e2e.py runs \(undeclared), which scripts/packages.txt does not declare for `e2e`")
    }

    /// The scanners catch a new tool use in each form they know (what the two tests above rely on).
    @Test func aNewToolUseIsFound() {
        #expect(Self.commandsUsed(inSwift: #"try TestTools.require("frobnicate")"#) == ["frobnicate"])
        #expect(Self.commandsUsed(inSwift: #"CommandRunner.resolveExecutable("frob", searchPath: p)"#) == ["frob"])
        #expect(Self.commandsUsed(inSwift: #"runner.run(["/usr/bin/frob", "-x"])"#) == ["frob"])
        #expect(Self.commandsUsed(inSwift: "script: \"\"\"\n  exec frob --listen 1\n\"\"\"") == ["frob"])
        #expect(Self.commandsUsed(inPython: #"    sh("frob", "-x", ns=ns)"#) == ["frob"])
        #expect(Self.commandsUsed(inPython: #"proc = self.h.tracker.spawn("f", ["frob", "-db"], stdout=x)"#) == ["frob"])
        let declared = TestTools.declaredCommands(
            for: "test",
            in: TestTools.parse(
                """
                # package commands needed-by
                libfoo-dev  -           build
                frob-tools  frob,frobd  e2e test
                other       other       e2e
                """))
        #expect(declared == ["frob": "frob-tools", "frobd": "frob-tools"])
    }

    /// Each documented script installs its own needs through scripts/bootstrap; CI has no install line of its own.
    @Test func scriptsBootstrapThemselvesAndCIOnlyRunsThem() throws {
        func read(_ path: String) throws -> String { try String(contentsOf: TestPaths.packageRoot.appendingPathComponent(path), encoding: .utf8) }
        for (script, name) in [
            ("scripts/test", "test"), ("scripts/e2e", "e2e"), ("scripts/conformance", "conformance"), ("scripts/render-check", "render-check"),
        ] {
            #expect(try read(script).contains("scripts/bootstrap --for \(name)"), "\(script) does not install its own needs")
        }
        #expect(try read("scripts/demo").contains("scripts/bootstrap"))
        let ci = try read(".ci/run").split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.contains("echo") }
        #expect(!ci.contains { $0.contains("apt-get") || $0.contains("bootstrap") }, "\(ci)")
        for command in ["scripts/test", "scripts/e2e", "scripts/conformance", "scripts/demo"] {
            #expect(ci.contains { $0.hasPrefix(command) }, ".ci/run does not run \(command)")
        }
        // Every package a script needs is named for a script that exists (a typo would install nothing).
        let scripts = Set(try FileManager.default.contentsOfDirectory(atPath: TestPaths.packageRoot.appendingPathComponent("scripts").path))
        for d in try TestTools.declarations() {
            for name in d.neededBy where name != "build" {
                #expect(scripts.contains(name), "scripts/packages.txt: \(d.package) is needed by unknown script \(name)")
            }
        }
    }
}
