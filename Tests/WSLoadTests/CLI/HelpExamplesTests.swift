import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Every example in every command's `--help` runs as written, against local `wsload serve` pods instead of a
/// cluster — or is listed in ``needsCluster`` with the reason it cannot run here. An example that stops
/// working (unknown flag, missing profile, usage error, crash) fails this suite, and so does an example that
/// wraps in an 80-column terminal (it could not be copied from there).
@Suite(.serialized) struct HelpExamplesTests {
    /// Examples that need what a test cannot have, matched by prefix, with the reason.
    static let needsCluster: [(prefix: String, reason: String)] = [
        ("wsload collect", "reads an Indexed Job's pods with kubectl"),
        ("wsload portforward --profile portforward-capacity", "starts kubectl port-forward"),
        ("wsload portforward --selector", "discovers the pods with kubectl"),
        ("wsload portforward --pod ws-0 --remote-port", "starts kubectl port-forward"),
        ("wsload run --profile ci-skew-gate", "ci-skew-gate discovers its pods with kubectl; 60 000 connections from 10.245.0.0/24"),
        ("kubectl logs", "reads pod logs with kubectl"),
        ("../shared/autobahn/run-fuzzingserver", "needs the Autobahn|Testsuite harness (scripts/conformance runs it)"),
    ]

    /// The subcommands listed by `wsload --help`, and `profiles show`.
    static func subcommands(_ binary: String) async throws -> [String] {
        let help = try await Self.help(binary, [])
        guard let start = help.range(of: "SUBCOMMANDS:") else { throw CLIFailure("no SUBCOMMANDS in wsload --help:\n\(help)") }
        let names = help[start.upperBound...].split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("  "), !line.hasPrefix("   "), let word = line.split(separator: " ").first else { return nil }
            return String(word)
        }
        return names.filter { $0 != "help" } + ["profiles show"]
    }

    /// `wsload help CMD` with COLUMNS set (the help wraps to it).
    static func help(_ binary: String, _ command: [String], columns: Int = 300) async throws -> String {
        let p = try Subprocess(["help"] + command, environment: ["COLUMNS": "\(columns)"])
        defer { p.stop() }
        _ = await p.waitForExit(timeout: 20)
        return p.stdout
    }

    /// The command lines of the `Examples:` / `Example:` paragraph of a help text, `\` continuations joined.
    static func examples(inHelp help: String) -> [String] {
        var result: [String] = []
        var inExamples = false
        var pending = ""
        for raw in help.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line == "Examples:" || line == "Example:" { inExamples = true; continue }
            guard inExamples else { continue }
            if line.isEmpty { inExamples = false; continue }
            if line.hasSuffix("\\") { pending += line.dropLast(); continue }
            result.append((pending + line).trimmingCharacters(in: .whitespaces))
            pending = ""
        }
        return result
    }

    /// The help examples can be copied from an 80-column terminal: none wraps there.
    @Test func examplesDoNotWrapInEightyColumns() async throws {
        let binary = try CLIEnvironment.requireBinary()
        for command in try await Self.subcommands(binary) {
            let words = command.split(separator: " ").map(String.init)
            let wide = Self.examples(inHelp: try await Self.help(binary, words))
            let narrow = Self.examples(inHelp: try await Self.help(binary, words, columns: 80))
            #expect(wide == narrow, "wsload \(command) --help: an example wraps at 80 columns; break it with a `\\` continuation")
        }
    }

    /// The example with its cluster addresses pointed at the local pods, and long holds and ramps cut short
    /// (flags appended after the example's own: the last value wins, the example's flags are still parsed).
    static func localized(_ example: String, plain: Int, tls: Int) -> String {
        var s = example
        func replace(_ pattern: String, _ template: String) {
            let regex = try! NSRegularExpression(pattern: pattern)
            s = regex.stringByReplacingMatches(in: s, range: NSRange(s.startIndex..., in: s), withTemplate: template)
        }
        replace(#"wss://[^/\s'"]+"#, "wss://localhost:\(tls)")
        replace(#"ws://[^/\s'"]+"#, "ws://127.0.0.1:\(plain)")
        replace(#"TCP:127\.0\.0\.1:8080"#, "TCP:127.0.0.1:\(plain)")
        replace(#"--listen [^\s]+"#, "--listen 127.0.0.1:0")
        let words = s.split(separator: " ").map(String.init)
        guard let at = words.firstIndex(of: "wsload") else { return s }
        let command = words.count > at + 1 ? words[at + 1] : ""
        switch command {
        case "serve" where !s.contains("--listen"): s += " --listen 127.0.0.1:0"
        case "run", "demo": s += " --hold 0.5s"
        case "portforward": s += " --target 20 --step 10 --step-interval 0.1s --hold 0.2s"
        case _ where command.hasPrefix("--"): s += " --hold 0.5s"  // `wsload --profile …` is `run`
        default: break
        }
        return s
    }

    /// A working directory with what the examples name: out/report.json, s0…s2/report.json, shards/*.json,
    /// ws-0.log, ws-1.log, logs/, ca.pem and profiles/.
    static func fixtures(pod: ServeProcess, ca: String) async throws -> URL {
        let dir = try CLIEnvironment.temporaryDirectory("help-examples")
        let fm = FileManager.default
        let first = try await wsload(["run", "--url", pod.url, "--connections", "6", "--hold", "0.2s", "--quiet", "--out", "out"], in: dir)
        #expect(first.status == 0, "\(first)")
        try fm.createDirectory(at: dir.appendingPathComponent("shards"), withIntermediateDirectories: true)
        for i in 0..<3 {
            let r = try await wsload(
                ["run", "--url", pod.url, "--connections", "6", "--hold", "0.2s", "--quiet", "--shard", "\(i)/3", "--out", "s\(i)"], in: dir)
            #expect(r.status == 0, "\(r)")
            try fm.copyItem(at: dir.appendingPathComponent("s\(i)/report.json"), to: dir.appendingPathComponent("shards/s\(i).json"))
        }
        try fm.createDirectory(at: dir.appendingPathComponent("logs"), withIntermediateDirectories: true)
        for path in ["ws-0.log", "logs/ws-0.log"] { try pod.log.write(to: dir.appendingPathComponent(path), atomically: true, encoding: .utf8) }
        for path in ["ws-1.log", "logs/ws-1.log"] {
            try "2026-01-01T00:00:00.000Z pod=ws-1 Active connections: 0\n".write(
                to: dir.appendingPathComponent(path), atomically: true, encoding: .utf8)
        }
        try fm.copyItem(atPath: ca, toPath: dir.appendingPathComponent("ca.pem").path)
        try fm.copyItem(at: CLIEnvironment.repoRoot.appendingPathComponent("profiles"), to: dir.appendingPathComponent("profiles"))
        return dir
    }

    /// One finished (or, for `serve`, stopped) example.
    struct Outcome: CustomStringConvertible {
        var example: String
        var command: String
        var status: Int32?
        var output: String
        var description: String { "\(example)\n  ran as: \(command)\n  exit \(status.map(String.init) ?? "timeout")\n\(output.suffix(2500))" }
    }

    /// Runs `line` with /bin/sh in a copy of `fixtures`, `wsload` on PATH; a server runs until it listens, then gets SIGTERM.
    static func run(_ example: String, as line: String, fixtures: URL, binary: String, caFile: String) async throws -> Outcome {
        let dir = try CLIEnvironment.temporaryDirectory("example")
        try FileManager.default.removeItem(at: dir)
        try FileManager.default.copyItem(at: fixtures, to: dir)
        defer { try? FileManager.default.removeItem(at: dir) }
        // Leading VAR=value words become exports, so `exec` replaces the shell and a signal reaches wsload itself.
        var words = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        var exports = ""
        while let w = words.first, w.range(of: #"^[A-Z_][A-Z0-9_]*="#, options: .regularExpression) != nil {
            exports += "export \(w); "; words.removeFirst()
        }
        let body = words.joined(separator: " ")
        let script = exports + (body.contains("|") ? body : "exec " + body)
        let binDir = URL(fileURLWithPath: binary).deletingLastPathComponent().path
        let env = ["PATH": binDir + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"), "SSL_CERT_FILE": caFile]
        let isServer = body.hasPrefix("wsload serve")
        let p = try Subprocess(
            ["-c", script], in: dir, stdin: body.hasPrefix("wsload shell") ? "status\nquit\n" : (isServer ? nil : ""),
            executable: "/bin/sh", environment: env)
        defer { p.stop() }
        if isServer {
            let listening = await p.waitFor(timeout: 10) { out, err in (out + err).contains("listening on") }
            if listening { p.send(SIGTERM) }
        }
        let status = await p.waitForExit(timeout: 60)
        return Outcome(example: example, command: script, status: status, output: p.stdout.suffix(1500) + "\n--- stderr\n" + p.stderr.suffix(1500))
    }

    @Test func everyHelpExampleRunsAgainstLocalPods() async throws {
        let binary = try CLIEnvironment.requireBinary()
        let certs = TestCertificates.shared
        let plain = try await ServeProcess(podName: "ws-0")
        defer { plain.stop() }
        let tls = try await ServeProcess(podName: "ws-tls", extra: ["--tls-cert", certs.certificatePath, "--tls-key", certs.privateKeyPath])
        defer { tls.stop() }
        let fixtures = try await Self.fixtures(pod: plain, ca: certs.caCertificatePath)
        defer { try? FileManager.default.removeItem(at: fixtures) }

        var runnable: [(example: String, line: String)] = []
        var skipped: Set<String> = []
        for command in try await Self.subcommands(binary) {
            let examples = Self.examples(inHelp: try await Self.help(binary, command.split(separator: " ").map(String.init)))
            for example in examples {
                let text = example.components(separatedBy: " # ")[0].trimmingCharacters(in: .whitespaces)
                if let skip = Self.needsCluster.first(where: { text.hasPrefix($0.prefix) }) { skipped.insert(skip.prefix); continue }
                if text.contains("socat") { try TestTools.require("socat") }
                runnable.append((example, Self.localized(text, plain: plain.port, tls: tls.port)))
            }
        }
        // Every entry of the skip list still matches an example (a stale entry would hide nothing but mislead).
        for entry in Self.needsCluster where !skipped.contains(entry.prefix) {
            Issue.record("needsCluster entry '\(entry.prefix)' matches no --help example any more: remove it")
        }
        #expect(runnable.count >= 20, "only \(runnable.count) runnable examples found: \(runnable.map(\.example))")

        // A few at a time: each copies the fixtures, holds at most 0.5 s, demos run two short runs.
        var outcomes: [Outcome] = []
        for batch in stride(from: 0, to: runnable.count, by: 6).map({ Array(runnable[$0..<min($0 + 6, runnable.count)]) }) {
            try await withThrowingTaskGroup(of: Outcome.self) { group in
                for item in batch {
                    group.addTask {
                        try await Self.run(item.example, as: item.line, fixtures: fixtures, binary: binary, caFile: certs.caCertificatePath)
                    }
                }
                for try await outcome in group { outcomes.append(outcome) }
            }
        }
        for o in outcomes.sorted(by: { $0.example < $1.example }) {
            print("help example → exit \(o.status.map(String.init) ?? "timeout"): \(o.command)")
            // 0 or 1: the command worked (against one or two local pods a gate may fail, by design); 2 is a usage or
            // configuration error, 3 a run that could not complete, anything else a crash or a timeout.
            let isServer = o.example.contains("wsload serve")
            #expect(isServer ? o.status == 0 : (o.status == 0 || o.status == 1), "\(o)")
        }
    }
}
