import Foundation
import Testing

@testable import WSLoad

@Suite("CommandTemplate runner")
struct CommandTemplateRunnerTests {
    let runner = CommandRunner()

    @Test func runsEchoAndCapturesStdout() throws {
        let result = try runner.run(["/bin/echo", "hello", "two words"])
        #expect(result.termination == .exited(0))
        #expect(result.succeeded)
        #expect(result.stdoutText == "hello two words\n")
        #expect(result.stderr.isEmpty)
    }

    @Test func passesEachArgumentUnsplit() throws {
        let result = try runner.run(["/bin/sh", "-c", #"printf '%s|' "$@""#, "sh", "a b", "", "c*"])
        #expect(result.stdoutText == "a b||c*|")
    }

    @Test func resolvesBareNamesThroughPath() throws {
        let result = try runner.run(["echo", "via PATH"])
        #expect(result.stdoutText == "via PATH\n")
        #expect(try CommandRunner.resolveExecutable("sh", searchPath: "/nonexistent:/bin") == "/bin/sh")
    }

    @Test func reportsNonZeroExitWithStderr() throws {
        let result = try runner.run(["/bin/sh", "-c", "echo 'first problem' >&2; echo second >&2; exit 3"])
        #expect(result.termination == .exited(3))
        #expect(!result.succeeded)
        #expect(result.stderrFirstLine == "first problem")
        #expect(throws: CommandError.failed(result)) { try result.checked() }
        #expect(CommandError.failed(result).description.contains("exit status 3: first problem"))
    }

    @Test func missingKubectlHasAClearError() {
        let isolated = CommandRunner(environment: ["PATH": "/nonexistent-dir"])
        do {
            _ = try isolated.run(["kubectl", "version"])
            Issue.record("expected an error")
        } catch {
            #expect(error == .executableNotFound(name: "kubectl", searchPath: "/nonexistent-dir"))
            #expect(error.description.hasPrefix("kubectl not found in PATH"))
        }
        #expect(throws: CommandError.notExecutable(path: "/nonexistent/kubectl")) {
            try isolated.run(["/nonexistent/kubectl"])
        }
    }

    @Test func timeoutKillsTheChild() throws {
        let start = Date()
        do {
            _ = try runner.run(["/bin/sh", "-c", "echo $$; exec sleep 10"], timeout: 0.3)
            Issue.record("expected a timeout")
        } catch {
            guard case let .timedOut(_, seconds, partial) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(seconds == 0.3)
            #expect(partial.termination == .signaled(SIGTERM))
            let pid = try #require(pid_t(partial.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)))
            #expect(KubeTestSupport.isGone(pid))
        }
        #expect(Date().timeIntervalSince(start) < 3)
        #expect(runner.running.isEmpty)
    }

    @Test func streamingHandlerGetsEachLine() throws {
        let lines = Locked<[String]>([])
        let exit = Locked<CommandResult?>(nil)
        let command = try runner.stream(
            ["/bin/sh", "-c", "for i in 1 2 3; do echo line $i; sleep 0.05; done; printf tail"],
            onLine: { line in lines.withLock { $0.append(line) } },
            onExit: { result in exit.withLock { $0 = result } })
        let result = try #require(command.waitUntilExit(timeout: 5))
        #expect(result.termination == .exited(0))
        #expect(lines.current == ["line 1", "line 2", "line 3", "tail"])
        #expect(exit.current?.termination == .exited(0))
        #expect(!command.isRunning)
    }

    @Test func stopLeavesNoChildRunning() throws {
        let runner = CommandRunner()
        let plain = try runner.stream(["/bin/sleep", "30"], onLine: { _ in })
        // Ignores SIGTERM: needs the SIGKILL after the grace period.
        let stubborn = try runner.stream(
            ["/bin/sh", "-c", "trap '' TERM; echo ready; while :; do sleep 0.05; done"],
            onLine: { _ in })
        let shell = try runner.stream(["/bin/sh", "-c", "sleep 30 & wait"], onLine: { _ in })
        let pids = [plain.processIdentifier, stubborn.processIdentifier, shell.processIdentifier]
        #expect(pids.allSatisfy { $0 > 0 && kill($0, 0) == 0 })
        #expect(runner.running.count == 3)
        usleep(100_000)  // let the shells install their trap / start their children
        let start = Date()
        runner.stop()
        #expect(Date().timeIntervalSince(start) < 3.5)
        for pid in pids { #expect(KubeTestSupport.isGone(pid), "pid \(pid) still exists") }
        #expect(runner.running.isEmpty)
        #expect(stubborn.termination == .signaled(SIGKILL))
        #expect(plain.termination == .signaled(SIGTERM))
    }

    @Test func childStartedFromADispatchWorkerStillDiesOnSigterm() throws {
        let runner = CommandRunner()
        // Dispatch worker threads block SIGTERM; the child must not inherit that mask.
        let command = try DispatchQueue.global().sync { try runner.stream(["/bin/sleep", "30"], onLine: { _ in }) }
        usleep(50_000)
        command.stop(grace: 2)
        #expect(command.termination == .signaled(SIGTERM))
    }

    @Test func childInheritsNoStrayDescriptors() throws {
        let fd = open("/dev/null", O_RDONLY)  // deliberately without O_CLOEXEC
        defer { close(fd) }
        let result = try runner.run(["/bin/sh", "-c", "ls /proc/$$/fd"])
        let fds = result.stdoutText.split(whereSeparator: \.isNewline).compactMap { Int32($0) }
        #expect(fds.contains(1) && fds.contains(2))
        #expect(!fds.contains(fd), "inherited fds: \(fds)")
        #expect(fds.allSatisfy { $0 <= 3 }, "inherited fds: \(fds)")  // 0-2, plus one the shell may open itself
    }

    @Test func unstartableFileIsALaunchFailure() throws {
        let dir = try KubeTestSupport.makeTempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("noshebang").path
        try Data([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0, 0]).write(to: URL(fileURLWithPath: path))  // truncated ELF header
        chmod(path, 0o755)
        do {
            _ = try runner.run([path])
            Issue.record("expected a launch failure")
        } catch {
            guard case .launchFailed = error else { Issue.record("unexpected \(error)"); return }
        }
        #expect(runner.running.isEmpty)
    }
}
