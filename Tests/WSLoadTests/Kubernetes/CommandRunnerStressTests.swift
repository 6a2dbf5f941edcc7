import Dispatch
import Foundation
import Testing

@testable import WSLoad

/// Many short-lived children through ``CommandRunner/stream(_:onLine:onExit:)``: immediate exits, exit codes,
/// output and no output, concurrent starts, and `stop()` of long-running children.
///
/// `WSLOAD_STRESS_CHILDREN` raises the number of children (default 300, so `swift test` stays fast).
@Suite("CommandRunner stress", .serialized)
struct CommandRunnerStressTests {
    static let children = ProcessInfo.processInfo.environment["WSLOAD_STRESS_CHILDREN"].flatMap(Int.init) ?? 300

    /// One kind of child with what it must produce.
    struct Case: Sendable {
        let argv: [String]
        let termination: CommandTermination
        let lines: [String]
    }

    static let cases: [Case] = [
        Case(argv: ["/bin/sh", "-c", "exit 4"], termination: .exited(4), lines: []),
        Case(argv: ["/bin/sh", "-c", "echo x"], termination: .exited(0), lines: ["x"]),
        Case(argv: ["/bin/true"], termination: .exited(0), lines: []),
        Case(argv: ["/bin/false"], termination: .exited(1), lines: []),
        Case(argv: ["/bin/sh", "-c", "printf 'a\\nb\\nc'; exit 7"], termination: .exited(7), lines: ["a", "b", "c"]),
        Case(argv: ["/bin/sh", "-c", "echo err >&2; exit 2"], termination: .exited(2), lines: []),
        Case(argv: ["/bin/sh", "-c", "kill -KILL $$"], termination: .signaled(SIGKILL), lines: []),
    ]

    /// Streams `count` children from `threads` threads at once, waiting for each, and checks every result.
    private static func streamMany(_ runner: CommandRunner, count: Int, threads: Int) {
        let failures = Locked<[String]>([])
        let next = Locked(0)
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            while true {
                let i = next.withLock { n -> Int in
                    defer { n += 1 }; return n
                }
                guard i < count else { return }
                let c = cases[i % cases.count]
                let lines = Locked<[String]>([])
                let exits = Locked<[CommandResult]>([])
                do {
                    let command = try runner.stream(
                        c.argv, onLine: { line in lines.withLock { $0.append(line) } },
                        onExit: { result in exits.withLock { $0.append(result) } })
                    guard let result = command.waitUntilExit(timeout: 10) else {
                        failures.withLock { $0.append("#\(i) \(c.argv): no result in 10 s") }
                        continue
                    }
                    var problems: [String] = []
                    if result.termination != c.termination { problems.append("termination \(result.termination)") }
                    if lines.current != c.lines { problems.append("lines \(lines.current)") }
                    if exits.current.count != 1 { problems.append("\(exits.current.count) onExit calls") }
                    if command.isRunning { problems.append("still running") }
                    if !problems.isEmpty { failures.withLock { $0.append("#\(i) \(c.argv): " + problems.joined(separator: ", ")) } }
                } catch {
                    failures.withLock { $0.append("#\(i) \(c.argv): \(error)") }
                }
            }
        }
        let found = failures.current
        #expect(found.isEmpty, "\(found.count) failures: \(found.prefix(10))")
    }

    @Test func manyShortLivedChildrenOneAtATime() {
        let runner = CommandRunner()
        Self.streamMany(runner, count: Self.children, threads: 1)
        #expect(runner.running.isEmpty)
    }

    @Test func manyShortLivedChildrenConcurrently() {
        let runner = CommandRunner()
        Self.streamMany(runner, count: Self.children, threads: 4)
        #expect(runner.running.isEmpty)
    }

    /// Streamed children dropped without waiting: their results must still arrive and nothing may crash.
    @Test func droppedCommandsStillComplete() {
        let runner = CommandRunner()
        let group = DispatchGroup()
        let count = max(50, Self.children / 3)
        let exits = Locked(0)
        for i in 0..<count {
            group.enter()
            let argv = i.isMultiple(of: 2) ? ["/bin/sh", "-c", "exit 4"] : ["/bin/true"]
            do {
                _ = try runner.stream(
                    argv, onLine: { _ in },
                    onExit: { _ in
                        exits.withLock { $0 += 1 }; group.leave()
                    })
            } catch {
                Issue.record("\(error)")
                group.leave()
            }
        }
        #expect(group.wait(timeout: .now() + 20) == .success)
        #expect(exits.current == count)
        #expect(KubeTestSupport.waitUntil(timeout: 5) { runner.running.isEmpty })
    }

    /// Long-running children stopped while short ones come and go.
    @Test func stopLongRunningChildrenAmidShortOnes() throws {
        let runner = CommandRunner()
        let rounds = max(3, Self.children / 100)
        for _ in 0..<rounds {
            let sleepers = try (0..<4).map { _ in try runner.stream(["/bin/sleep", "30"], onLine: { _ in }) }
            let pids = sleepers.map(\.processIdentifier)
            #expect(pids.allSatisfy { $0 > 0 && kill($0, 0) == 0 })
            Self.streamMany(runner, count: 20, threads: 2)
            let start = Date()
            for (i, sleeper) in sleepers.enumerated() where i.isMultiple(of: 2) { sleeper.stop() }
            runner.stop()
            #expect(Date().timeIntervalSince(start) < 2)
            for sleeper in sleepers {
                #expect(sleeper.termination == .signaled(SIGTERM))
                #expect(sleeper.waitUntilExit(timeout: 2)?.termination == .signaled(SIGTERM))
            }
            for pid in pids { #expect(KubeTestSupport.isGone(pid), "pid \(pid) still exists") }
            #expect(runner.running.isEmpty)
        }
    }

    /// A killed child whose own child still holds its stdout open is seen as exited at once (waitpid-based),
    /// not when the grandchild exits; its output is then cut off after the drain grace.
    @Test func killedParentWithLiveGrandchildIsSeenExitedPromptly() throws {
        let runner = CommandRunner()
        // The grandchild runs in its own session, so signalling the group does not reach it.
        let lines = Locked<[String]>([])
        let command = try runner.stream(
            ["/bin/sh", "-c", "setsid sleep 30 & echo $!; exec sleep 30"],
            onLine: { line in lines.withLock { $0.append(line) } })
        #expect(KubeTestSupport.waitUntil(timeout: 5) { !lines.current.isEmpty })
        let grandchild = try #require(lines.current.first.flatMap { pid_t($0) })
        defer { kill(grandchild, SIGKILL) }
        #expect(kill(grandchild, 0) == 0)
        let start = Date()
        kill(command.processIdentifier, SIGKILL)
        #expect(KubeTestSupport.waitUntil(timeout: 5) { !command.isRunning })
        #expect(Date().timeIntervalSince(start) < 2, "seen exited promptly, not when the grandchild ends")
        #expect(command.termination == .signaled(SIGKILL))
        let result = command.waitUntilExit(timeout: RunningCommand.drainGrace + 1)
        #expect(result?.termination == .signaled(SIGKILL))
        #expect(runner.running.isEmpty)
    }
}
