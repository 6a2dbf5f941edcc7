import Foundation
import Testing

@testable import WSLoad

/// `events:`: the profile section, the schedule, the records, the runner with real processes, redaction and
/// the way events reach every report format.
@Suite struct TimedEventTests {
    static let yaml = """
        target: {url: "ws://127.0.0.1:9/ws"}
        events:
          - at: 20s
            command: [kubectl, scale, deploy/ws, --replicas=6]
          - at: 1m
            name: restart
            command: [kubectl, rollout, restart, deploy/ws]
            timeout: 5s
        """

    @Test func profileEventsArePlannedInSeconds() throws {
        let profile = try ProfileLoader.parse(yaml: Self.yaml, file: "x.yaml")
        try profile.validate()
        let plan = try RunPlanner.plan(from: profile)
        #expect(
            plan.events == [
                TimedEvent(at: 20, name: "kubectl scale", command: ["kubectl", "scale", "deploy/ws", "--replicas=6"], timeout: 30),
                TimedEvent(at: 60, name: "restart", command: ["kubectl", "rollout", "restart", "deploy/ws"], timeout: 5),
            ])
        // Events stay with the session: the JSON plan a worker receives has none.
        let decoded = try JSONDecoder().decode(RunPlan.self, from: JSONEncoder().encode(plan))
        #expect(decoded.events.isEmpty)
    }

    @Test func eventsNeedAProgramAndAPositiveTimeout() throws {
        #expect(throws: ProfileError.self) { _ = try ProfileLoader.parse(yaml: "events:\n  - at: 1s\n", file: "x.yaml") }
        let empty = try ProfileLoader.parse(yaml: "target: {url: \"ws://h/\"}\nevents:\n  - {at: 1s, command: [\"\"]}\n", file: "x.yaml")
        #expect(throws: ProfileError.self) { try empty.validate() }
        let zero = try ProfileLoader.parse(yaml: "target: {url: \"ws://h/\"}\nevents:\n  - {at: 1s, command: [true], timeout: 0}\n", file: "x.yaml")
        do { try zero.validate(); Issue.record("timeout 0 accepted") } catch { #expect("\(error)".contains("events[0].timeout")) }
    }

    @Test func scheduleHandsOutEventsWhenDueEarliestFirst() {
        let e = { (at: Double, name: String) in TimedEvent(at: at, name: name, command: ["true"]) }
        var s = EventSchedule([e(2, "a"), e(0.5, "b"), e(2, "c"), e(10, "d")])
        #expect(s.next(elapsed: 0) == .wait(0.5))
        #expect(s.next(elapsed: 0.5) == .start([1]))
        #expect(s.next(elapsed: 0.75) == .wait(1.25))
        #expect(s.next(elapsed: 2.5) == .start([0, 2]))  // equal times in profile order
        #expect(s.next(elapsed: 3) == .wait(7))
        #expect(s.notReached == [3])  // the run ends here: d is not run
        #expect(s.next(elapsed: 11) == .start([3]))
        #expect(s.next(elapsed: 11) == .finished)
        #expect(s.notReached.isEmpty)
    }

    @Test func recordsSayHowEachEventEnded() {
        let event = TimedEvent(at: 20, name: "scale", command: ["kubectl", "scale", "--token=abc"], timeout: 2)
        let ok = EventRecord.record(
            event, startedAt: 20.01,
            result: .success(
                CommandResult(
                    argv: event.command, termination: .exited(0),
                    stdout: Data("scaled\n".utf8), duration: 0.5)))
        #expect(ok.outcome == .succeeded && ok.exitStatus == 0 && ok.stdoutTail == "scaled" && ok.duration == 0.5)
        #expect(ok.command == "kubectl scale --token=REDACTED")
        #expect(ok.summary == "20.0 s scale (kubectl scale --token=REDACTED): exit status 0 after 0.5 s")
        let bad = EventRecord.record(
            event, startedAt: 20,
            result: .success(
                CommandResult(
                    argv: event.command, termination: .exited(3),
                    stderr: Data(String(repeating: "x", count: 1000).utf8))))
        #expect(bad.outcome == .failed && bad.exitStatus == 3 && bad.stderrTail.count == EventRecord.tailLimit + 1)
        let killed = EventRecord.record(
            event, startedAt: 20,
            result: .failure(
                .timedOut(
                    command: "", seconds: 2,
                    partial: CommandResult(argv: [], termination: .signaled(15)))))
        #expect(killed.outcome == .timedOut && killed.status == "timed out after 2.0 s, killed" && killed.exitStatus == nil)
        let missing = EventRecord.record(event, startedAt: 20, result: .failure(.executableNotFound(name: "kubectl", searchPath: "/x")))
        #expect(missing.outcome == .couldNotStart && missing.status.hasPrefix("could not start: "))
        let late = EventRecord.notRun(event)
        #expect(late.outcome == .notRun && late.startedAt == nil && late.status == "not run: the run ended before 20.0 s")
    }

    @Test func runnerRunsRealCommandsBoundedAndRecordsTheUnreached() throws {
        let events = [
            TimedEvent(at: 0, name: "ok", command: ["/bin/echo", "hello"]),
            TimedEvent(at: 0.2, name: "fails", command: ["/bin/sh", "-c", "echo oops >&2; exit 4"]),
            TimedEvent(at: 0, name: "slow", command: ["/bin/sleep", "30"], timeout: 0.5),
            TimedEvent(at: 0, name: "missing", command: ["/nonexistent/tool"]),
            TimedEvent(at: 60, name: "late", command: ["/bin/true"]),
        ]
        let runner = TimedEventRunner(events: events)
        let begin = Date()
        runner.start()
        Thread.sleep(forTimeInterval: 0.8)
        let records = runner.finish()
        let took = Date().timeIntervalSince(begin)
        #expect(records.map(\.name) == ["ok", "fails", "slow", "missing", "late"])
        #expect(records.map(\.outcome) == [.succeeded, .failed, .timedOut, .couldNotStart, .notRun])
        #expect(records[0].stdoutTail == "hello")
        #expect(records[1].exitStatus == 4 && records[1].stderrTail == "oops")
        #expect((records[1].startedAt ?? 0) >= 0.2)
        #expect(took < 5)  // the 30 s sleep was cut at its 0.5 s timeout; the 60 s event was not waited for
    }

    @Test func runnerFinishedBeforeStartingRecordsEveryEventAsNotRun() {
        let runner = TimedEventRunner(events: [TimedEvent(at: 0, name: "a", command: ["/bin/true"])])
        #expect(runner.finish().map(\.outcome) == [.notRun])
    }

    @Test func recordsAreMovedOntoTheRunClock() throws {
        let runner = TimedEventRunner(events: [TimedEvent(at: 0, name: "a", command: ["/bin/true"])])
        runner.start()
        Thread.sleep(forTimeInterval: 0.2)
        let origin = try #require(runner.originDate)
        // The engine's run started 1 s after the events' clock: the event ran about 1 s before the run start.
        let started = try #require(runner.finish(runStart: origin.addingTimeInterval(1)).first?.startedAt)
        let finished = Date().timeIntervalSince(origin)
        #expect(started >= -1.0 && started <= finished - 1)
    }

    @Test func commandRedaction() {
        #expect(
            Redaction.redactCommand([
                "kubectl", "--token", "abc", "--password=pw", "-n", "ws", "-H", "Authorization: Bearer x",
                "https://u:p@h/x?api_key=1&n=2",
            ])
                == "kubectl --token REDACTED --password=REDACTED -n ws -H 'Authorization: REDACTED' https://REDACTED@h/x?api_key=REDACTED&n=2")
    }

    @Test func eventsReachEveryFormatAndFailuresAreWarned() throws {
        var raw = ReportRawData(result: EngineResult.empty(at: ReportFixture.start), context: ReportContext(target: "ws://h/"))
        raw.heldPerPod = ["a": 2]
        raw.events = [
            EventRecord(
                name: "scale", at: 1, command: "kubectl scale", outcome: .failed, startedAt: 1, duration: 0.2,
                status: "exit status 1", exitStatus: 1),
            EventRecord(name: "late", at: 99, command: "true", outcome: .notRun, status: "not run: the run ended before 99.0 s"),
        ]
        let run = RunMetadata(profile: "p", target: "ws://h/", startedAt: ReportFixture.start, endedAt: ReportFixture.start.addingTimeInterval(3))
        var input = AnalysisInput(
            raw: raw, totals: RunTotals(attempted: 2, established: 2, failed: 0, held: 2, dropped: 0, failures: []),
            podCountsByClient: [:], run: run)
        input.timeline = [0.0, 1, 2].map {
            TimelinePoint(t: $0, phase: "hold", open: 2, established: 2, failed: 0, dropped: 0, reconnects: 0, perPod: ["a": 2])
        }
        let report = Analyzer.analyse(input)
        #expect(report.events == raw.events)
        #expect(report.warnings.contains("event scale at 1.0 s did not succeed: exit status 1"))
        #expect(report.notes.contains("event late at 99.0 s was not run: the run ended first."))
        let table = ReportFormat.table.render(report)
        #expect(table.contains("^1 1.0 s scale (kubectl scale): exit status 1 after 0.2 s"))
        #expect(table.contains("events" + String(repeating: " ", count: 15) + "^1"))  // under the t = 1 column of the timeline
        #expect(ReportFormat.markdown.render(report).contains("1. 1.0 s scale (kubectl scale): exit status 1"))
        #expect(ReportFormat.html.render(report).contains("<h2>Events</h2>"))
        #expect(ReportFormat.junit.render(report).contains("event: 2.0 s late") == false)
        #expect(ReportFormat.junit.render(report).contains("event: 99.0 s late (true): not run"))
        let back = try Report.decode(json: Data(ReportFormat.json.render(report).utf8))
        #expect(back.events == report.events && back.raw?.events == raw.events)
    }
}

/// What a failed event and an unreadable Prometheus say never carries the secrets the command or URL held.
@Suite struct EventAndMetricsRedactionTests {
    @Test func aCommandThatCouldNotStartIsNamedRedacted() {
        let event = TimedEvent(at: 1, name: "scale", command: ["kubectl", "--token", "s3cr3t-value", "scale", "deploy/ws"])
        let r = EventRecord.record(
            event, startedAt: 1,
            result: .failure(.launchFailed(command: "kubectl --token s3cr3t-value scale deploy/ws", reason: "Too many open files")))
        #expect(r.outcome == .couldNotStart)
        #expect(r.status == "could not start: Too many open files")
        #expect(!r.command.contains("s3cr3t-value") && !r.status.contains("s3cr3t-value"))
    }

    @Test func thePrometheusURLIsRedactedInProblems() {
        let error = PrometheusAPIError(server: "http://admin:hunter2@prom:9090/?token=abc123", query: "up", cause: .emptyResult)
        #expect(!error.description.contains("hunter2") && !error.description.contains("abc123"), "\(error.description)")
        #expect(error.description.contains("prom:9090"))
    }
}
