import Foundation
import Testing
import WSLoad

/// Output a person reads at a glance: counted nouns, errors in words, and shell completion of profile names.
@Suite struct WordsCLITests {
    @Test func oneGateCheckAndOneSourceAddressAreSingular() async throws {
        let serve = try await ServeProcess(podName: "ws-words")
        defer { serve.stop() }
        let r = try await wsload(["run", "--url", serve.url, "--connections", "1", "--source", "127.0.0.1", "--hold", "0.1s", "--max-dropped", "0"])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("Verdict: PASS (1 gate check passed)"), "\(r)")
        #expect(r.stderr.contains("1 connection (1 client × 1) to ws://127.0.0.1:\(serve.port)/ws from 1 source address,"), "\(r)")
    }

    @Test func reportOfAFileThatIsNotAReportSaysWhatIsWrong() async throws {
        let dir = try CLIEnvironment.temporaryDirectory("junk")
        defer { try? FileManager.default.removeItem(at: dir) }
        try #"{"a": 1}"#.write(to: dir.appendingPathComponent("junk.json"), atomically: true, encoding: .utf8)
        let r = try await wsload(["report", "junk.json"], in: dir)
        #expect(r.status == 2, "\(r)")
        #expect(r.stderr.contains("junk.json: not a wsload report: no `schemaVersion` key at the top level"), "\(r)")
        #expect(!r.stderr.contains("DecodingError") && !r.stderr.contains("CodingKeys"), "\(r)")
    }

    /// A saved run that established nothing: `report` exits 3 and says why (not "gate failed:" with nothing after it).
    @Test func reportOfAnIncompleteRunSaysWhy() async throws {
        let dir = try CLIEnvironment.temporaryDirectory("incomplete")
        defer { try? FileManager.default.removeItem(at: dir) }
        let port = try closedLoopbackPort()
        let run = try await wsload(
            ["run", "--url", "ws://127.0.0.1:\(port)/ws", "--connections", "2", "--hold", "0.1s", "--quiet", "--out", "out"], in: dir)
        #expect(run.status == 3, "\(run)")
        let r = try await wsload(["report", "out/report.json"], in: dir)
        #expect(r.status == 3, "\(r)")
        #expect(
            r.stderr.contains(
                "wsload: the run did not complete: no connection could be established (2 attempted; most frequent failure: tcp-connect: ECONNREFUSED ×2)"
            ), "\(r)")
    }

    @Test func shellRejectsWhatItDoesNotUnderstandAndCountsWhatItCloses() async throws {
        let serve = try await ServeProcess(podName: "ws-shell-words")
        defer { serve.stop() }
        let script = "connect abc\nconnect 2\nwait 1\nclose 99\nwait 0.5\nclose\nquit\n"
        let r = try await wsload(["shell", serve.url], stdin: script)
        #expect(r.stderr.contains(#"wsload: connect: expected a number of connections from 1 to 100000, got "abc""#), "\(r)")
        #expect(r.stdout.contains("there are not 99 open connections: closing the 2 connections that are open"), "\(r)")
        #expect(r.stdout.contains("there are no open connections to close"), "\(r)")
        #expect(r.stdout.components(separatedBy: " open → ws-shell-words").count - 1 == 2, "connect abc opened nothing, connect 2 two\n\(r)")
        // Scripted input with a line that was not understood exits 2.
        #expect(r.status == 2, "\(r)")
        #expect(r.stderr.contains("1 input line not understood"), "\(r)")
    }

    /// The upgrade is refused (503) after TCP connected: `connect` still shows the TCP time and the addresses.
    @Test func connectShowsTheTCPTimeWhenOnlyTheUpgradeFailed() async throws {
        let serve = try await ServeProcess(podName: "ws-full", extra: ["--capacity", "0"])
        defer { serve.stop() }
        let r = try await wsload(["connect", serve.url])
        #expect(r.status == 3, "\(r)")
        #expect(r.stderr.contains("503"), "\(r)")
        let tcp = try #require(r.stdout.split(separator: "\n").first { $0.hasPrefix("tcp ") }, "\(r)")
        #expect(tcp.hasSuffix(" ms") && !tcp.contains("-"), "\(r)")
        #expect(r.stdout.contains("remote     127.0.0.1:\(serve.port)"), "\(r)")
        #expect(r.stdout.contains("upgrade    -"), "\(r)")
    }

    /// The completion hook each shell's script calls offers the profile names, local profiles/ included.
    @Test(arguments: ["bash", "zsh", "fish"])
    func profileNamesComplete(shell: String) async throws {
        let dir = try CLIEnvironment.temporaryDirectory("complete-\(shell)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("profiles"), withIntermediateDirectories: true)
        try "name: my-own\n".write(to: dir.appendingPathComponent("profiles/my-own.yaml"), atomically: true, encoding: .utf8)
        let script = try await wsload(["--generate-completion-script", shell])
        for command in ["run", "portforward"] {
            #expect(script.stdout.contains("---completion \(command) -- --profile"), "the \(shell) script does not complete \(command) --profile")
        }
        #expect(script.stdout.contains("---completion profiles show -- positional@0"), "the \(shell) script does not complete profiles show NAME")
        let p = try Subprocess(
            ["---completion", "run", "--", "--profile", "3", "0", "wsload", "run", "--profile", ""], in: dir,
            environment: ["SAP_SHELL": shell])
        defer { p.stop() }
        #expect(await p.waitForExit(timeout: 20) == 0, "\(p.stderr)")
        let offered = Set(p.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) })
        #expect(offered.isSuperset(of: ["ingress-20conns", "service-clientip", "my-own"]), "\(p.stdout)")
        let prefixed = try Subprocess(
            ["---completion", "run", "--", "--profile", "3", "3", "wsload", "run", "--profile", "ing"], in: dir,
            environment: ["SAP_SHELL": shell])
        defer { prefixed.stop() }
        _ = await prefixed.waitForExit(timeout: 20)
        #expect(
            prefixed.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } == ["ingress-20conns"],
            "\(prefixed.stdout)")
    }

    /// In a real bash, the generated script completes `wsload run --profile ing` to the profile.
    @Test func bashCompletesAProfileName() async throws {
        let binary = try CLIEnvironment.requireBinary()
        let dir = try CLIEnvironment.temporaryDirectory("bash-complete")
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = try await wsload(["--generate-completion-script", "bash"])
        try script.stdout.write(to: dir.appendingPathComponent("wsload.bash"), atomically: true, encoding: .utf8)
        let line =
            #"source wsload.bash; COMP_WORDS=(wsload run --profile ing); COMP_CWORD=3; COMP_LINE="wsload run --profile ing"; COMP_POINT=${#COMP_LINE}; _wsload wsload ing --profile; printf '%s\n' "${COMPREPLY[@]}""#
        let bin = URL(fileURLWithPath: binary).deletingLastPathComponent().path
        let p = try Subprocess(
            ["-c", line], in: dir, executable: "/bin/bash",
            environment: ["PATH": bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")])
        defer { p.stop() }
        _ = await p.waitForExit(timeout: 20)
        #expect(p.stdout.split(separator: "\n").map(String.init) == ["ingress-20conns"], "\(p.stdout)\(p.stderr)")
    }
}
