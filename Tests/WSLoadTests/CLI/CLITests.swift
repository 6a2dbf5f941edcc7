import Foundation
import Testing
import WSLoad

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// End-to-end tests of the `wsload` executable: they run the built binary as a subprocess, the way a
// user or a CI job does, and check exit codes, messages and the serve/run/shell interplay on loopback.
// Every server listens on a kernel-chosen port (serve --listen 127.0.0.1:0, port read from its
// "listening on" line); every wait has a deadline, and every child is killed when a test ends.

/// Where the binary and the repository are.
enum CLIEnvironment {
    static let repoRoot = TestPaths.packageRoot

    /// The `wsload` executable next to the test bundle ($WSLOAD_BINARY overrides).
    static let binary: String? = {
        let fm = FileManager.default
        if let path = ProcessInfo.processInfo.environment["WSLOAD_BINARY"] { return fm.isExecutableFile(atPath: path) ? path : nil }
        var starts = [URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath(), Bundle.main.bundleURL]
        if let e = Bundle.main.executableURL { starts.append(e) }
        for start in starts {
            // Linux: .build/debug/wsloadPackageTests.xctest (a file); macOS: …/wsloadPackageTests.xctest/Contents/MacOS/….
            var dir = start.deletingLastPathComponent()
            for _ in 0..<5 {
                let candidate = dir.appendingPathComponent("wsload").path
                var isDir: ObjCBool = false
                if fm.fileExists(atPath: candidate, isDirectory: &isDir), !isDir.boolValue, fm.isExecutableFile(atPath: candidate) {
                    return candidate
                }
                dir = dir.deletingLastPathComponent()
            }
        }
        return nil
    }()

    /// The binary, or a loud failure telling how to build it.
    static func requireBinary(sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        guard let binary else {
            Issue.record(
                """
                the wsload executable was not found next to the test bundle (\(CommandLine.arguments[0])); \
                build it first (`swift build` or `swift build --build-tests`) or set WSLOAD_BINARY
                """, sourceLocation: sourceLocation)
            throw CLIFailure("wsload binary missing")
        }
        return binary
    }

    /// A fresh temporary directory.
    static func temporaryDirectory(_ tag: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("wsload-cli-\(tag)-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

struct CLIFailure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// One child process with its output collected on background threads.
final class Subprocess: @unchecked Sendable {
    let arguments: [String]
    private let process = Process()
    private let outPipe = Pipe(), errPipe = Pipe()
    private let inPipe: Pipe?
    private let lock = NSLock()
    private var outData = Data(), errData = Data()
    private var openStreams = 2
    let started = Date()

    /// Starts `wsload ARGS` (or `executable ARGS`) in `directory`; `interactiveStdin` keeps stdin open for
    /// `write(_:)`; `environment` adds to (or overrides) the inherited variables.
    init(
        _ arguments: [String], in directory: URL? = nil, interactiveStdin: Bool = false, stdin: String? = nil,
        executable: String? = nil, environment: [String: String] = [:]
    ) throws {
        self.arguments = arguments
        process.executableURL = URL(fileURLWithPath: try executable ?? CLIEnvironment.requireBinary())
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        env.removeValue(forKey: "WSLOAD_PROFILES")
        env.merge(environment) { _, new in new }
        process.environment = env
        process.standardOutput = outPipe
        process.standardError = errPipe
        if interactiveStdin || stdin != nil {
            let p = Pipe()
            inPipe = p
            process.standardInput = p
        } else {
            inPipe = nil
            process.standardInput = FileHandle.nullDevice
        }
        signal(SIGPIPE, SIG_IGN)
        try process.run()
        for (pipe, isOut) in [(outPipe, true), (errPipe, false)] {
            let handle = pipe.fileHandleForReading
            let thread = Thread { [self] in
                while true {
                    let chunk = handle.availableData
                    lock.lock()
                    if chunk.isEmpty { openStreams -= 1; lock.unlock(); return }
                    if isOut { outData.append(chunk) } else { errData.append(chunk) }
                    lock.unlock()
                }
            }
            thread.start()
        }
        if let stdin {
            write(stdin)
            closeStdin()
        }
    }

    var pid: Int32 { process.processIdentifier }
    var stdout: String { lock.lock(); defer { lock.unlock() }; return String(decoding: outData, as: UTF8.self) }
    var stderr: String { lock.lock(); defer { lock.unlock() }; return String(decoding: errData, as: UTF8.self) }
    var isRunning: Bool { process.isRunning }
    private var openStreamCount: Int { lock.lock(); defer { lock.unlock() }; return openStreams }

    func write(_ text: String) { try? inPipe?.fileHandleForWriting.write(contentsOf: Data(text.utf8)) }
    func closeStdin() { try? inPipe?.fileHandleForWriting.close() }
    func send(_ sig: Int32) { if process.isRunning { kill(process.processIdentifier, sig) } }

    /// Waits until `predicate(stdout, stderr)` holds; false after `timeout` seconds.
    func waitFor(timeout: Double = 10, _ predicate: (String, String) -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if predicate(stdout, stderr) { return true }
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
        return predicate(stdout, stderr)
    }

    /// Waits for the exit (killing the child after `timeout` seconds) and for the end of its output; returns the exit status, nil on timeout.
    func waitForExit(timeout: Double = 30) async -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { try? await Task.sleep(nanoseconds: 20_000_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        let drained = Date().addingTimeInterval(3)
        while Date() < drained {
            if openStreamCount == 0 { break }
            try? await Task.sleep(nanoseconds: 10_000_000)
        }
        return process.terminationReason == .exit ? process.terminationStatus : 128 + process.terminationStatus
    }

    /// Kills the child if it is still running (cleanup on every path).
    func stop() {
        closeStdin()
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit { stop() }
}

/// A finished command.
struct CLIResult: CustomStringConvertible {
    var arguments: [String]
    var status: Int32?
    var stdout: String
    var stderr: String
    var seconds: Double
    var description: String {
        "wsload \(arguments.joined(separator: " ")) → \(status.map(String.init) ?? "timeout") in \(String(format: "%.1f", seconds)) s\n--- stdout\n\(stdout.suffix(3000))\n--- stderr\n\(stderr.suffix(3000))"
    }
}

/// Runs `wsload ARGS` to completion.
func wsload(_ arguments: [String], in directory: URL? = nil, stdin: String? = nil, timeout: Double = 30) async throws -> CLIResult {
    let p = try Subprocess(arguments, in: directory, stdin: stdin)
    defer { p.stop() }
    let status = await p.waitForExit(timeout: timeout)
    return CLIResult(arguments: arguments, status: status, stdout: p.stdout, stderr: p.stderr, seconds: Date().timeIntervalSince(p.started))
}

/// `wsload serve` on a kernel-chosen loopback port.
final class ServeProcess: @unchecked Sendable {
    let process: Subprocess
    let port: Int

    init(podName: String, extra: [String] = []) async throws {
        // --exit-with-parent: should this test process crash, the server does not outlive it.
        process = try Subprocess(["serve", "--listen", "127.0.0.1:0", "--pod-name", podName, "--exit-with-parent"] + extra)
        let ok = await process.waitFor(timeout: 10) { out, _ in out.contains("Active connections: 0") }
        guard ok, let port = ServeProcess.port(in: process.stdout) else {
            process.stop()
            throw CLIFailure("wsload serve did not report its port:\n\(process.stdout)\n\(process.stderr)")
        }
        self.port = port
    }

    static func port(in log: String) -> Int? {
        guard let r = log.range(of: #"listening on 127\.0\.0\.1:\d+"#, options: .regularExpression) else { return nil }
        return Int(log[r].split(separator: ":").last!)
    }

    var url: String { "ws://127.0.0.1:\(port)/ws" }
    var log: String { process.stdout }

    /// The counts of the `Active connections: N` lines, in order.
    var activeCounts: [Int] {
        log.split(separator: "\n").compactMap { line in
            guard let r = line.range(of: "Active connections: ") else { return nil }
            return Int(line[r.upperBound...].prefix { $0.isNumber })
        }
    }

    func waitForActive(_ n: Int, timeout: Double = 10) async -> Bool {
        await process.waitFor(timeout: timeout) { _, _ in activeCounts.last == n }
    }

    func stop() { process.stop() }
}

/// A loopback port with nothing listening (bound by the kernel, then closed).
func closedLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw CLIFailure("socket: \(errno)") }
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = 0
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &addr) { p in
        p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sp -> Bool in
            bind(fd, sp, len) == 0 && getsockname(fd, sp, &len) == 0
        }
    }
    guard bound else { throw CLIFailure("bind: \(errno)") }
    return Int(UInt16(bigEndian: addr.sin_port))
}

// MARK: - Parsing, help, validation, completion

@Suite("CLI: parsing, help, validate, completion")
struct CLITests {
    static let subcommands = ["run", "serve", "demo", "connect", "shell", "report", "match-logs", "profiles", "validate", "autobahn-client"]

    @Test func binaryIsBuilt() throws {
        _ = try CLIEnvironment.requireBinary()
    }

    @Test func rootHelpListsEverySubcommand() async throws {
        let r = try await wsload(["--help"])
        #expect(r.status == 0, "\(r)")
        for c in Self.subcommands { #expect(r.stdout.contains(c), "root help does not list \(c)") }
        #expect(r.stdout.contains("Exit codes"), "\(r)")
    }

    @Test(arguments: subcommands)
    func subcommandHelpShowsExamples(command: String) async throws {
        let r = try await wsload([command, "--help"])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("USAGE: wsload \(command)"), "\(r)")
        #expect(r.stdout.contains("Example"), "`wsload \(command) --help` shows no examples\n\(r)")
        #expect(r.stderr.isEmpty, "\(r)")
        #expect(!r.stdout.contains("Argument("), "a default shows a Swift debug description\n\(r)")
    }

    @Test(arguments: [["profiles", "list", "--help"], ["profiles", "show", "--help"], ["help", "serve"]])
    func nestedHelpExitsZero(arguments: [String]) async throws {
        let r = try await wsload(arguments)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("USAGE:"), "\(r)")
    }

    @Test func versionExitsZero() async throws {
        let r = try await wsload(["--version"])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.first?.isNumber == true, "\(r)")
    }

    @Test(arguments: [["--bogus"], ["run", "--bogus"], ["serve", "--frobnicate"], ["report", "x.json", "--nope"], ["demo", "--pods", "0"]])
    func usageErrorsExitTwo(arguments: [String]) async throws {
        let r = try await wsload(arguments)
        #expect(r.status == 2, "\(r)")
        #expect(r.stdout.isEmpty, "usage errors belong on stderr\n\(r)")
        #expect(r.stderr.contains("Error:") || r.stderr.contains("wsload:"), "\(r)")
    }

    @Test func unknownFlagSuggestsAndShowsUsage() async throws {
        let r = try await wsload(["serve", "--pod-nam", "x"])
        #expect(r.status == 2, "\(r)")
        #expect(r.stderr.contains("Unknown option '--pod-nam'"), "\(r)")
        #expect(r.stderr.contains("--pod-name"), "no did-you-mean\n\(r)")
    }

    @Test(arguments: [["run"], []])
    func runWithoutURLIsAUsageError(arguments: [String]) async throws {
        let dir = try CLIEnvironment.temporaryDirectory("nourl")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try await wsload(arguments, in: dir)
        #expect(r.status == 2, "\(r)")
        #expect(r.stderr.contains("target.url: missing"), "\(r)")
        #expect(r.stderr.contains("--url"), "the message should say how to fix it\n\(r)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out").path))
    }

    static func shippedProfiles() -> [String] {
        let dir = CLIEnvironment.repoRoot.appendingPathComponent("profiles")
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasSuffix(".yaml") }.sorted()
    }

    @Test func everyShippedProfileIsFound() {
        #expect(Self.shippedProfiles().count >= 4, "profiles/*.yaml not found under \(CLIEnvironment.repoRoot.path)")
    }

    @Test(arguments: shippedProfiles())
    func validateShippedProfile(file: String) async throws {
        let path = CLIEnvironment.repoRoot.appendingPathComponent("profiles/\(file)").path
        let r = try await wsload(["validate", path, "--url", "ws://127.0.0.1:1/"])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("\(path): ok"), "\(r)")
    }

    @Test func validateManyProfilesAtOnceByName() async throws {
        let names = Self.shippedProfiles().map { String($0.dropLast(5)) }
        let r = try await wsload(["validate"] + names + ["--url", "ws://127.0.0.1:1/"], in: CLIEnvironment.repoRoot)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.split(separator: "\n").filter { $0.hasSuffix(": ok") }.count == names.count, "\(r)")
    }

    static let brokenDirectory = CLIEnvironment.repoRoot.appendingPathComponent("Tests/WSLoadTests/Fixtures/profiles-broken")

    static func brokenFixtures() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: brokenDirectory.path)) ?? []).filter { $0.hasSuffix(".yaml") }.sorted()
    }

    @Test func brokenFixturesAreFound() {
        #expect(Self.brokenFixtures().count >= 10, "no fixtures in \(Self.brokenDirectory.path)")
    }

    /// Each broken profile exits 2 with `file:line:column: key.path: message`. `missing-url.yaml` is
    /// valid for `validate` (the URL may come from the command line), so it is checked through `run`.
    @Test(arguments: brokenFixtures())
    func brokenProfileIsRejectedWithALocation(file: String) async throws {
        let path = Self.brokenDirectory.appendingPathComponent(file).path
        let r = file == "missing-url.yaml" ? try await wsload(["run", "--profile", path]) : try await wsload(["validate", path])
        #expect(r.status == 2, "\(r)")
        let escaped = NSRegularExpression.escapedPattern(for: path)
        #expect(r.stderr.range(of: "\(escaped):[0-9]+:[0-9]+: ", options: .regularExpression) != nil, "no file:line:column in\n\(r)")
        #expect(!r.stdout.contains(": ok"), "\(r)")
    }

    @Test(arguments: ["bash", "zsh", "fish"])
    func completionScript(shell: String) async throws {
        let r = try await wsload(["--generate-completion-script", shell])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("serve"), "\(r)")
        #expect(r.stdout.contains("match-logs"), "\(r)")
        #expect(r.stdout.count > 500, "\(r)")
    }

    @Test func profilesListAndShow() async throws {
        let dir = try CLIEnvironment.temporaryDirectory("profiles")
        defer { try? FileManager.default.removeItem(at: dir) }
        let list = try await wsload(["profiles"], in: dir)
        #expect(list.status == 0, "\(list)")
        for name in ["ci-skew-gate", "ingress-20conns", "local-demo", "service-clientip"] { #expect(list.stdout.contains(name), "\(list)") }
        let show = try await wsload(["profiles", "show", "ingress-20conns"], in: dir)
        #expect(show.status == 0, "\(show)")
        #expect(show.stdout.contains("connections_per_client: 10"), "\(show)")
        let missing = try await wsload(["profiles", "show", "no-such-profile"], in: dir)
        #expect(missing.status == 2, "\(missing)")
    }

    @Test func reportOfAMissingFileIsAUsageError() async throws {
        let r = try await wsload(["report", "/nonexistent/report.json"])
        #expect(r.status == 2, "\(r)")
        #expect(r.stderr.contains("/nonexistent/report.json"), "\(r)")
    }
}

// MARK: - serve, run, connect, shell, report, match-logs, demo end to end

@Suite("CLI: serve and run end to end")
struct CLIServeTests {
    /// `connect` shows the pod identity from X-Pod-Name; the pod logs the connection up and back down.
    @Test func connectShowsPodIdentity() async throws {
        let serve = try await ServeProcess(podName: "ws-x")
        defer { serve.stop() }
        let r = try await wsload(["connect", serve.url, "--send", "hello"])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("pod        ws-x"), "\(r)")
        #expect(r.stdout.contains("X-Pod-Name: ws-x"), "\(r)")
        #expect(r.stdout.contains("101 Switching Protocols"), "\(r)")
        #expect(r.stdout.contains("message    hello"), "echo missing\n\(r)")
        #expect(await serve.waitForActive(0))
        #expect(serve.activeCounts.contains(1), "\(serve.log)")
    }

    /// The default subcommand with the local-demo profile, then `report` and `match-logs` on what it wrote.
    @Test func profileRunReportAndMatchLogs() async throws {
        let serve = try await ServeProcess(podName: "ws-x")
        defer { serve.stop() }
        let dir = try CLIEnvironment.temporaryDirectory("run")
        defer { try? FileManager.default.removeItem(at: dir) }

        // One pod cannot satisfy local-demo's min_pods_hit: 2, so the documented exit code is 1 (gate failed).
        let pinned = try await wsload(["--profile", "local-demo", "--url", serve.url, "--hold", "0.5s", "--out", "pinned"], in: dir)
        #expect(pinned.status == 1, "\(pinned)")
        #expect(pinned.stdout.contains("Verdict: FAIL"), "\(pinned)")
        #expect(pinned.stdout.contains("min_pods_hit"), "\(pinned)")
        #expect(pinned.stdout.contains("ws-x           20"), "\(pinned)")
        #expect(pinned.stderr.contains("gate failed"), "\(pinned)")

        // The same run with the gate relaxed to one pod passes: exit 0 with a report and files in --out.
        let r = try await wsload(
            [
                "--profile", "local-demo", "--url", serve.url, "--min-pods-hit", "1", "--hold", "1s",
                "--format", "table", "--format", "junit", "--out", "out",
            ], in: dir)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("Verdict: PASS"), "\(r)")
        #expect(r.stdout.contains("attempted 20  established 20  failed 0"), "\(r)")
        for f in ["report.json", "report.txt", "report.xml", "connections.jsonl"] {
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/\(f)").path), "out/\(f) missing; stderr:\n\(r.stderr)")
        }
        #expect(await serve.waitForActive(0))
        let counts = serve.activeCounts
        #expect(counts.max() == 20, "the pod never logged 20 open connections: \(counts)")
        #expect(counts.last == 0, "\(counts)")

        let report = try await wsload(["report", "out/report.json", "--format", "junit"], in: dir)
        #expect(report.status == 0, "\(report)")
        #expect(report.stdout.hasPrefix("<?xml"), "\(report)")
        #expect(report.stdout.contains("<testsuite name=\"wsload\""), "\(report)")
        #expect(report.stdout.contains("failures=\"0\""), "\(report)")
        // One pod: the chart must still be wide enough for its title and legend (it was 152 px and clipped them).
        let svg = try await wsload(["report", "out/report.json", "--format", "svg"], in: dir)
        #expect(svg.status == 0, "\(svg)")
        let width = svg.stdout.range(of: #"width="\d+""#, options: .regularExpression).flatMap { Int(svg.stdout[$0].dropFirst(7).dropLast()) }
        #expect((width ?? 0) >= 264, "one-pod SVG width \(width.map(String.init) ?? "missing")")
        let failed = try await wsload(["report", "pinned/report.json", "--format", "markdown"], in: dir)
        #expect(failed.status == 1, "`report` exits with the saved gate verdict\n\(failed)")

        let logFile = dir.appendingPathComponent("ws-x.log")
        try serve.log.write(to: logFile, atomically: true, encoding: .utf8)
        let matched = try await wsload(["match-logs", "out/report.json", "--log-file", "ws-x=\(logFile.path)", "--require-log-match"], in: dir)
        #expect(matched.status == 0, "\(matched)")
        #expect(matched.stdout.contains("+20"), "the pod's log delta should be +20\n\(matched)")
        #expect(matched.stdout.contains("require_log_match"), "\(matched)")
        let fromDir = try await wsload(["match-logs", "out/report.json", "--log-dir", dir.path, "--format", "json"], in: dir)
        #expect(fromDir.status == 0, "\(fromDir)")
        #expect(fromDir.stdout.contains("\"schemaVersion\""), "\(fromDir)")
        let noLogs = try await wsload(["match-logs", "out/report.json"], in: dir)
        #expect(noLogs.status == 2, "\(noLogs)")
    }

    /// Nothing listens: every connection fails, and the max_failed gate fails the run (exit 1).
    /// Nothing could connect: exit 3 (the run could not complete), with the gate and the failure reasons still reported.
    @Test func runAgainstAClosedPortCannotComplete() async throws {
        let port = try closedLoopbackPort()
        let r = try await wsload(["run", "--url", "ws://127.0.0.1:\(port)/ws", "--connections", "3", "--hold", "0.2s", "--max-failed", "0"])
        #expect(r.status == 3, "\(r)")
        #expect(r.stdout.contains("ECONNREFUSED"), "\(r)")
        #expect(r.stdout.contains("max_failed"), "\(r)")
        #expect(r.stdout.contains("established 0  failed 3"), "\(r)")
    }

    /// --capacity 2: the third upgrade gets 503 and `connect` exits 3 saying so.
    @Test func capacityRefusesWith503() async throws {
        let serve = try await ServeProcess(podName: "ws-cap", extra: ["--capacity", "2"])
        defer { serve.stop() }
        let shell = try Subprocess(["shell", serve.url], interactiveStdin: true)
        defer { shell.stop() }
        shell.write("connect 2\n")
        #expect(await serve.waitForActive(2), "\(serve.log)\n\(shell.stdout)\(shell.stderr)")
        let third = try await wsload(["connect", serve.url])
        #expect(third.status == 3, "\(third)")
        #expect(third.stderr.contains("503"), "\(third)")
        shell.write("pods\nquit\n")
        #expect(await shell.waitForExit(timeout: 10) == 0, "\(shell.stdout)\(shell.stderr)")
        #expect(shell.stdout.contains("ws-cap"), "\(shell.stdout)")
        #expect(await serve.waitForActive(0))
        #expect(serve.activeCounts.max() == 2, "\(serve.activeCounts)")
    }

    /// SIGTERM drains: the three connections a shell holds see close code 1001, serve exits 0 well within --drain-timeout.
    /// `serve --exit-with-parent` (for test harnesses) shuts down once its parent is gone: here a shell
    /// that starts it in the background and exits a second later.
    @Test func serveExitsWhenItsParentIsGone() async throws {
        let binary = try CLIEnvironment.requireBinary()
        // The shell reports the server's PID and whether it still runs 1.5 s later, then exits. (CommandRunner, not
        // Foundation's Process, whose exit detection waits for every inheritor of its monitor socket: the server too.)
        let script =
            #""$0" serve --listen 127.0.0.1:0 --pod-name orphan --exit-with-parent >/dev/null 2>&1 & pid=$!; echo "$pid"; sleep 1.5; kill -0 "$pid" && echo alive"#
        let result = try CommandRunner().run(["/bin/sh", "-c", script, binary], timeout: 20)
        let output = String(decoding: result.stdout, as: UTF8.self)
        let lines = output.split(separator: "\n").map(String.init)
        let pid = try #require(lines.first.flatMap { Int32($0) })
        #expect(lines.contains("alive"), "wsload serve did not start (or stopped while its parent ran): \(output)")
        /// Gone, or a zombie nobody reaps (PID 1 of a container may not).
        func running() -> Bool {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return false }
            return !stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
        }
        var stopped = false
        for _ in 0..<80 where !stopped {
            if !running() { stopped = true } else { try await Task.sleep(for: .milliseconds(100)) }
        }
        if !stopped { kill(pid, SIGKILL) }  // ours: started above
        #expect(stopped, "wsload serve (pid \(pid)) still runs 8 s after its parent exited")
    }

    /// A supervisor may send SIGTERM the moment it reads "listening on": serve must already be watching for it.
    /// (With Dispatch signal sources, which register after `resume()` returns, one such SIGTERM in CI was lost
    /// under `SIG_IGN` and serve ran until killed.) Twenty servers, each stopped as soon as it announces itself.
    @Test func sigtermTheMomentServeListensStopsIt() async throws {
        for round in 0..<20 {
            let serve = try await ServeProcess(podName: "ws-t\(round)")
            defer { serve.stop() }
            serve.process.send(SIGTERM)
            let status = await serve.process.waitForExit(timeout: 5)
            #expect(status == 0, "round \(round): serve \(status.map(String.init) ?? "still running 5 s after SIGTERM")\n\(serve.log)")
            if status != 0 { break }
        }
    }

    @Test func sigtermDrainsWith1001() async throws {
        let serve = try await ServeProcess(podName: "ws-d", extra: ["--drain-timeout", "5"])
        defer { serve.stop() }
        let shell = try Subprocess(["shell", serve.url], interactiveStdin: true)
        defer { shell.stop() }
        shell.write("connect 3\nwait 5\n")
        #expect(await serve.waitForActive(3), "\(serve.log)\n\(shell.stdout)\(shell.stderr)")
        let sent = Date()
        serve.process.send(SIGTERM)
        let status = await serve.process.waitForExit(timeout: 8)
        let took = Date().timeIntervalSince(sent)
        #expect(status == 0, "serve: \(status.map(String.init) ?? "timeout")\n\(serve.log)\(serve.process.stderr)")
        #expect(took < 5, "drain took \(took) s")
        #expect(serve.log.contains("draining 3 connections (SIGTERM)"), "\(serve.log)")
        #expect(serve.activeCounts.last == 0, "\(serve.activeCounts)")
        #expect(await shell.waitFor(timeout: 5) { out, _ in out.components(separatedBy: "closed (1001").count - 1 == 3 }, "\(shell.stdout)")
        shell.write("status\nquit\n")
        #expect(await shell.waitForExit(timeout: 10) == 0, "\(shell.stdout)\(shell.stderr)")
        #expect(shell.stdout.contains("open 0"), "\(shell.stdout)")
    }

    /// SIGINT mid-hold: exit 3 within a few seconds, the partial report is printed and written.
    @Test func sigintDuringHoldExitsThreeWithAPartialReport() async throws {
        let serve = try await ServeProcess(podName: "ws-i")
        defer { serve.stop() }
        let dir = try CLIEnvironment.temporaryDirectory("sigint")
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try Subprocess(
            ["run", "--url", serve.url, "--connections", "5", "--hold", "30s", "--out", dir.appendingPathComponent("out").path], in: dir)
        defer { run.stop() }
        #expect(await run.waitFor(timeout: 10) { _, err in err.contains("holding for") }, "\(run.stderr)")
        #expect(await serve.waitForActive(5))
        let sent = Date()
        run.send(SIGINT)
        let status = await run.waitForExit(timeout: 10)
        #expect(status == 3, "exit \(status.map(String.init) ?? "timeout")\n\(run.stdout)\n\(run.stderr)")
        #expect(Date().timeIntervalSince(sent) < 5)
        #expect(run.stdout.contains("established 5"), "\(run.stdout)")
        #expect(run.stderr.contains("run incomplete"), "\(run.stderr)")
        let json = dir.appendingPathComponent("out/report.json")
        let data = try Data(contentsOf: json)
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        let notes = object?["notes"] as? [String] ?? []
        #expect(notes.contains { $0.contains("interrupted") }, "\(notes)")
        #expect(await serve.waitForActive(0))
    }

    /// `wsload demo`: both reports, pinned first, spread second, exit 0.
    @Test func demoShowsPinnedThenSpread() async throws {
        let r = try await wsload(["demo"], timeout: 45)
        #expect(r.status == 0, "\(r)")
        let naive = r.stdout.range(of: "== 1. The naive way")
        let spread = r.stdout.range(of: "== 2. The wsload way")
        #expect(naive != nil && spread != nil, "\(r)")
        if let naive, let spread {
            #expect(naive.lowerBound < spread.lowerBound)
            let first = String(r.stdout[naive.upperBound..<spread.lowerBound])
            let second = String(r.stdout[spread.upperBound...])
            #expect(first.contains("Verdict: FAIL"), "\(first)")
            #expect(first.contains("pods hit 1/3"), "\(first)")
            #expect(second.contains("Verdict: PASS"), "\(second)")
        }
        #expect(r.stdout.contains("Demo: the naive run pinned every connection to one pod"), "\(r)")
    }
}
