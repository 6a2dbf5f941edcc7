import Dispatch
import Foundation
import Logging

/// Where a run's outputs go and how it reports progress.
public struct RunOutputOptions: Sendable {
    /// Formats to write into `directory` (the table is also returned for the terminal).
    public var formats: [ReportFormat]
    /// Output directory (nil: nothing written to disk).
    public var directory: String?
    /// Seconds to keep following server logs after the run so the last lines arrive.
    public var logSettleSeconds: Double

    /// Creates options.
    public init(formats: [ReportFormat] = [.table], directory: String? = nil, logSettleSeconds: Double = 1) {
        self.formats = formats; self.directory = directory; self.logSettleSeconds = logSettleSeconds
    }
}

/// A finished run: the report, the raw engine result and the files written.
public struct RunOutcome: Sendable {
    /// The report.
    public var report: Report
    /// The engine's raw result.
    public var result: EngineResult
    /// Files written.
    public var files: [String]
    /// The exit code: the gate's verdict, or 3 when the run was interrupted.
    public var exitCode: ExitCode { result.interrupted ? .runIncomplete : report.exitCode }  // see Report.exitCode
}

/// Runs one plan end to end: server-log following, the engine, analysis, report files.
public final class RunCoordinator: @unchecked Sendable {
    private let plan: RunPlan
    private let context: ReportContext
    private let logFeed: (any ServerLogFeed)?
    private let metricsFeed: ServerMetricsFeed?
    private let logger: Logger
    private var engine: LoadEngine?
    private let lock = NSLock()
    private var stopRequested = false, releaseRequested = false
    /// When set, the hold waits for ``release()`` after the ramp, at most this many seconds (a worker holding
    /// together with its siblings; ``LoadEngine/awaitRelease(timeout:)``). Set before ``run(output:progressInterval:progress:)``.
    public var releaseTimeout: Double?
    /// Runs the plan's timed events.
    var eventRunner = CommandRunner()

    /// Creates a coordinator for `plan`; `context` carries everything the report needs besides the engine result.
    public init(
        plan: RunPlan, context: ReportContext, logFeed: (any ServerLogFeed)? = nil, metricsFeed: ServerMetricsFeed? = nil,
        logger: Logger = .discarding
    ) {
        self.plan = plan; self.context = context; self.logFeed = logFeed; self.metricsFeed = metricsFeed; self.logger = logger
    }

    /// The running engine's per-pod counts and handshake histograms for a metrics scrape; nil before it starts.
    public func liveMetrics() -> EngineLiveMetrics? { currentEngine()?.liveMetrics() }

    /// Requests an early stop (SIGINT/SIGTERM); the run still produces a complete partial report.
    public func stop() { currentEngine { $0.stopRequested = true }?.stop() }

    /// Starts a waiting hold (``releaseTimeout``): now, or with the ramp's end if it has not ended yet.
    public func release() { currentEngine { $0.releaseRequested = true }?.release() }

    /// The engine once ``run(output:progressInterval:progress:)`` has made it (nil before), read under the lock after
    /// `mark` — so a request made before the engine exists is seen by `run` when it makes it.
    private func currentEngine(marking mark: (RunCoordinator) -> Void = { _ in }) -> LoadEngine? {
        lock.lock()
        defer { lock.unlock() }
        mark(self)
        return engine
    }

    /// Runs and writes outputs; throws only when the run cannot start (resolution, plan limits, TLS setup).
    public func run(output: RunOutputOptions, progressInterval: Double = 1, progress: (@Sendable (EngineSnapshot) -> Void)? = nil) throws
        -> RunOutcome
    {
        // Server logs are read in arrival order: every reading is stamped with the phase it arrived in
        // (before the first connect = baseline, during hold = hold, after close = return), which one-second
        // log stamps cannot tell apart. What the log commands print at start is waited for, bounded, so it
        // arrives before the first connect.
        let phases = RunPhaseClock()
        logFeed?.follow(phases: phases)
        logFeed?.start()
        logFeed?.waitForInitialOutput(quiet: 0.3, timeout: 3)
        // Pods that logged their count long before `--since-time={start}`: look back, bounded.
        logFeed?.searchMissingBaselines(tails: [100, 1_000, 10_000], timeout: 5, budget: 15)
        let engine: LoadEngine
        do { engine = try LoadEngine(plan: plan, logger: logger) } catch {
            logFeed?.stop()
            _ = metricsFeed?.finish(closeEnd: .distantPast)
            throw error
        }
        // The pods' metrics: a baseline now, then a poll every scrape interval, each reading stamped with the
        // phase its data surely belongs to.
        let metrics = metricsFeed
        metrics?.readBaseline()
        metrics?.start()
        engine.phaseObserver = { phase in
            let next: LogArrivalPhase
            switch phase {
            case .ramp: next = .ramp
            case .hold: next = .hold
            case .close: next = .close
            case .done: next = .after
            }
            phases.advance(to: next)
            metrics?.phaseBegan(next)
        }
        if let releaseTimeout { engine.awaitRelease(timeout: releaseTimeout) }
        lock.lock()
        self.engine = engine
        let stopEarly = stopRequested, releaseEarly = releaseRequested
        lock.unlock()
        if stopEarly { engine.stop() }
        if releaseEarly { engine.release() }
        // Timed events are started and recorded here, by the session, relative to the run start.
        let events = plan.events.isEmpty ? nil : TimedEventRunner(events: plan.events, runner: eventRunner, logger: logger)
        events?.start()
        let result = engine.run(progressInterval: progressInterval, progress: progress)
        var ctx = context
        if let metrics {
            // Wait (bounded) for a sample newer than the end of close, so the return to the baseline is seen.
            ctx.serverMetrics = metrics.finish(closeEnd: result.endedAt)
        }
        if let events { ctx.events = events.finish(runStart: result.startedAt) }
        if let feed = logFeed {
            // Wait for the last lines: the settle time, or the log pipeline's measured lag (+0.3 s), at most 10 s.
            let settle = min(10, max(output.logSettleSeconds, output.logSettleSeconds > 0 ? (feed.observedLag ?? 0) + 0.3 : 0))
            if settle > 0 { Thread.sleep(forTimeInterval: settle) }
            ctx.serverLogs = feed.snapshot()
            ctx.serverLogsConfigured = true
            feed.stop()
            ctx.warnings += feed.problems
        }
        let (report, records) = ReportBuilder.buildWithRecords(result: result, context: ctx, shape: ReportRawData.RunShape(plan: plan))
        let files = try ReportWriter.writeFiles(report, ReportWriter.Output(formats: output.formats, directory: output.directory), records: records)
        return RunOutcome(report: report, result: result, files: files)
    }
}
