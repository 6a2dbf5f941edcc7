import Dispatch
import Foundation
import Logging

/// Runs a run's timed events (`events:`): ``start()`` at the run start, then each command at its time on a
/// background thread through ``CommandRunner`` (no shell, bounded by its timeout); ``finish()`` at the run end
/// stops scheduling, waits for commands still running (each bounded by its own timeout) and returns one record
/// per event in profile order — failed, timed out and not reached ones included. Never throws: an event that
/// fails is recorded, the run goes on.
final class TimedEventRunner: @unchecked Sendable {
    private let runner: CommandRunner
    private let logger: Logger
    private let state: Locked<State>
    private let wake = DispatchSemaphore(value: 0)
    private let commands = DispatchGroup()
    private let loop = DispatchGroup()

    private struct State {
        var schedule: EventSchedule
        var records: [Int: EventRecord] = [:]
        var origin: DispatchTime?
        var originDate: Date?
        var stopped = false
    }

    /// A runner for `events`; `logger` gets one line per event started and ended.
    init(events: [TimedEvent], runner: CommandRunner = CommandRunner(), logger: Logger = .discarding) {
        self.runner = runner
        self.logger = logger
        state = Locked(State(schedule: EventSchedule(events)))
    }

    /// Starts the clock (the run start) and the scheduling thread; a second call does nothing.
    func start() {
        let first = state.withLock { s -> Bool in
            guard s.origin == nil else { return false }
            s.origin = .now()
            s.originDate = Date()
            return true
        }
        guard first else { return }
        loop.enter()
        Thread.detachNewThread { [self] in
            defer { loop.leave() }
            schedulingLoop()
        }
    }

    /// When ``start()`` was called (nil before): the clock the records' `startedAt` counts from.
    var originDate: Date? { state.withLock { $0.originDate } }

    /// ``finish()`` with each `startedAt` moved onto the clock that starts at `runStart` (the engine's run start).
    func finish(runStart: Date) -> [EventRecord] {
        let records = finish()
        guard let origin = originDate else { return records }
        return records.map { $0.shifted(by: origin.timeIntervalSince(runStart)) }
    }

    /// Stops scheduling, waits for running commands and returns the records in profile order.
    func finish() -> [EventRecord] {
        let started = state.withLock { s -> Bool in
            s.stopped = true; return s.origin != nil
        }
        wake.signal()
        if started { loop.wait() }
        commands.wait()
        return state.withLock { s in
            s.schedule.events.indices.map { i in s.records[i] ?? EventRecord.notRun(s.schedule.events[i]) }
        }
    }

    private func elapsed(since origin: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - origin.uptimeNanoseconds) / 1e9
    }

    private func schedulingLoop() {
        while true {
            let step: EventSchedule.Step? = state.withLock { s in
                guard !s.stopped, let origin = s.origin else { return nil }
                let step = s.schedule.next(elapsed: elapsed(since: origin))
                if case .start(let due) = step { for _ in due { commands.enter() } }
                return step
            }
            switch step {
            case nil, .finished?: return
            case .wait(let seconds)?: _ = wake.wait(timeout: .now() + min(max(seconds, 0.001), 3600))
            case .start(let due)?:
                for i in due {
                    let event = state.withLock { $0.schedule.events[i] }
                    DispatchQueue.global().async { [self] in
                        defer { commands.leave() }
                        runOne(event, index: i)
                    }
                }
            }
        }
    }

    private func runOne(_ event: TimedEvent, index: Int) {
        guard let origin = state.withLock({ $0.origin }) else { return }
        let startedAt = elapsed(since: origin)
        logger.info("wsload: event \(event.name) at \(ReportText.seconds(startedAt)): \(Redaction.redactCommand(event.command))")
        let result: Result<CommandResult, CommandError>
        do { result = .success(try runner.run(event.command, timeout: event.timeout)) } catch { result = .failure(error) }
        let record = EventRecord.record(event, startedAt: startedAt, result: result)
        logger.info("wsload: event \(event.name): \(record.status)")
        state.withLock { $0.records[index] = record }
    }
}
