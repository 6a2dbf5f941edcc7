import ArgumentParser
import Foundation
import WSLoad

/// `run` split over worker processes on this machine (`run --workers N`, or automatically when one process
/// cannot hold every connection): spawns the workers, shows one progress display, follows server logs once,
/// merges the workers' reports and gates once.
struct WorkerRun {
    var profileName: String
    var plan: RunPlan
    /// The context of each worker's own report (discovery and server logs stay in the parent).
    var workerContext: ReportContext
    var workers: Int
    var known: [String: Double]
    var weights: [String: Double]?
    var thresholds: GateThresholds
    var feed: ServerLogFeed?
    var notes: [String]
    var formats: [ReportFormat]
    var outDir: String?
    var quiet: Bool
    var emitReportJson: Bool

    func execute() throws -> WSLoad.ExitCode {
        let stderr = LineWriter.standardError
        let ipc = (NSTemporaryDirectory() as NSString).appendingPathComponent("wsload-workers-\(getpid())-\(UUID().uuidString.prefix(8))")
        let progress = quiet ? nil : ProgressPrinter(planned: plan.totalConnections, hold: plan.hold)
        let pool: WorkerPool
        do { pool = try WorkerPool(directory: ipc) { snapshot in progress?.update(snapshot) } } catch {
            throw CLIError(exitCode: .runIncomplete, message: "cannot create the worker directory \(ipc): \(error)")
        }
        defer {
            pool.terminate()
            try? FileManager.default.removeItem(atPath: ipc)
        }
        let interrupted = Locked(false)
        let signals = SignalWatcher([SIGINT, SIGTERM]) { _ in
            interrupted.withLock { $0 = true }
            pool.interrupt()
        }
        defer { signals.cancel() }
        feed?.start()
        // Without one phase clock across worker processes, samples are matched by their stamps (with their
        // precision); the initial output and the backwards baseline search still come before the first connect.
        feed?.waitForInitialOutput(quiet: 0.3, timeout: 3)
        feed?.searchMissingBaselines(tails: [100, 1_000, 10_000], timeout: 5, budget: 15)
        if !quiet {
            stderr.write("wsload: \(profileName): \(Plural.of(plan.totalConnections, "connection")) (\(Plural.of(plan.clients, "client")) × \(plan.connectionsPerClient)) "
                         + "to \(Redaction.redactURL(plan.url.description)) over \(Plural.of(workers, "worker process")), hold \(plan.hold) s")
        }
        // Each worker decodes its plan (shard set) and runs it: no profile to read, validate or plan again.
        let absoluteOut = outDir.map { dir in
            dir.hasPrefix("/") ? dir : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(dir)
        }
        do { try pool.start(WorkerAssignment(plan: plan, context: workerContext, outputDirectory: absoluteOut), count: workers) } catch {
            feed?.stop()
            throw CLIError(exitCode: .runIncomplete, message: "cannot start the worker processes: \(error)")
        }
        // Always printed (tests and operators find the children by it).
        for (i, w) in pool.workers.enumerated() {
            stderr.write("wsload: worker \(i) pid \(w.pid) (shard \(w.shard), \(w.connections) connections)")
        }
        pool.waitForAll()
        progress?.finish()
        var serverLogs: [LogSampleSeries]?
        var warnings: [String] = []
        if let feed {
            Thread.sleep(forTimeInterval: 1)
            serverLogs = feed.snapshot()
            feed.stop()
            warnings += feed.problems
        }
        let (reports, lost, poolNotes) = pool.collect()
        for l in lost { stderr.write("wsload: \(l.reason): its \(l.connections) connections are counted as failed/unknown") }
        var effectiveWeights = weights
        if effectiveWeights == nil, known.values.contains(where: { $0 != 1 }) { effectiveWeights = known }
        let fallback = RunMetadata(profile: profileName, target: plan.url.description, startedAt: Date(), endedAt: Date())
        let report: Report
        do {
            report = try ReportMerger.merge(reports, options: .init(
                labels: reports.indices.map { "worker report \($0)" }, knownPods: known, weights: effectiveWeights, serverLogs: serverLogs,
                thresholds: thresholds, lostShards: lost, notes: notes + poolNotes, warnings: warnings, fallbackRun: fallback))
        } catch {
            throw CLIError(exitCode: .runIncomplete, message: "cannot merge the workers' reports: \(error)")
        }
        var files: [String] = []
        if let dir = outDir {
            do {
                files = try RunCoordinator.write(report: report, records: [], formats: formats, to: dir)
                // connections.jsonl: the workers' records, one file (each worker also keeps its own under worker-i/).
                var all = Data()
                for i in 0 ..< workers {
                    let path = ((dir as NSString).appendingPathComponent("worker-\(i)") as NSString).appendingPathComponent("connections.jsonl")
                    if let data = FileManager.default.contents(atPath: path) { all.append(data) }
                }
                try all.write(to: URL(fileURLWithPath: (dir as NSString).appendingPathComponent("connections.jsonl")))
            } catch {
                throw CLIError(exitCode: .runIncomplete, message: "cannot write the report into \(dir): \(error)")
            }
        }
        let colour = isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        let shown = formats.filter { $0 == .table || $0 == .markdown || (outDir == nil && $0 != .table) }
        for f in (shown.isEmpty ? [.table] : shown) { print(f.render(report, colour: colour && f == .table)) }
        if !files.isEmpty, !quiet { stderr.write("wsload: wrote \(files.joined(separator: ", "))") }
        if emitReportJson { ReportMarkers.print(report) }
        if interrupted.current || !lost.isEmpty || report.raw?.interrupted == true { return .runIncomplete }
        return report.exitCode
    }
}

extension RunOptions {
    /// A worker of `run --workers`: decodes the plan its parent wrote for `--shard` from `directory`, runs it,
    /// prints ``WorkerProgress`` lines and writes its report where the parent reads it.
    func executeWorker(directory dir: String) throws -> WSLoad.ExitCode {
        WorkerPool.adoptParentDeathSignal()
        guard let shard else { throw CLIError(exitCode: .usageError, message: "--worker-ipc needs --shard") }
        let assignment: WorkerAssignment
        do { assignment = try WorkerPool.readAssignment(directory: dir, shard: shard) } catch {
            throw CLIError(exitCode: .usageError, message: "worker: cannot read \(dir)/\(WorkerAssignment.fileName(shard: shard.index)): \(error)")
        }
        let stderr = LineWriter.standardError
        let stdout = LineWriter.standardOutput
        let coordinator = RunCoordinator(plan: assignment.plan, context: assignment.context, logFeed: nil) { line in if !quiet { stderr.write(line) } }
        let signals = SignalWatcher([SIGINT, SIGTERM]) { _ in coordinator.stop() }
        defer { signals.cancel() }
        let outcome: RunOutcome
        do {
            outcome = try coordinator.run(output: RunOutputOptions(formats: [.json], directory: assignment.outputDirectory), progressInterval: 0.25) { snapshot in
                stdout.write(WorkerProgress(snapshot).line)
            }
        } catch let e as PlanError {
            throw CLIError(exitCode: .usageError, message: e.description)
        } catch {
            throw CLIError(exitCode: .runIncomplete, message: "\(error)")
        }
        // The parent reads this file; write it last, atomically.
        let path = (dir as NSString).appendingPathComponent("report-\(shard.index).json")
        do { try JSONRenderer.render(outcome.report).write(toFile: path, atomically: true, encoding: .utf8) } catch {
            throw CLIError(exitCode: .runIncomplete, message: "worker: cannot write \(path): \(error)")
        }
        return outcome.exitCode
    }
}

extension ReportMarkers {
    /// Prints the report between marker lines on standard output.
    static func print(_ report: Report) {
        fflush(nil)  // what `print` buffered goes first
        FileHandle.standardOutput.write(Data(wrap(report).utf8))
    }
}
