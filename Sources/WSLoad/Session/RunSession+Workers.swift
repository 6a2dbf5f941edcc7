import Foundation
import Logging

/// A run split over worker processes on this machine (`run --workers N`, or automatically when one process cannot
/// hold every connection): one progress stream, server logs followed once here, the workers' reports merged and
/// gated once.
extension RunSession {
    func runWorkers(_ prepared: Prepared, progress: (@Sendable (EngineSnapshot) -> Void)?, progressDone: () -> Void) throws(RunSessionError)
        -> Outcome
    {
        let workers = prepared.split.workers
        let ipc = (NSTemporaryDirectory() as NSString).appendingPathComponent("wsload-workers-\(getpid())-\(UUID().uuidString.prefix(8))")
        let pool: WorkerPool
        do { pool = try WorkerPool(directory: ipc) { snapshot in progress?(snapshot) } } catch {
            throw RunSessionError(.runIncomplete, "cannot create the worker directory \(ipc): \(error)")
        }
        // Every worker holds from one moment, the parent's release once all have ramped: the pods see every
        // connection at once, and the shards' holds overlap for the whole hold.
        pool.holdTogether = workers > 1
        defer {
            pool.terminate()
            try? FileManager.default.removeItem(atPath: ipc)
        }
        if state.withLock({ s in
            s.pool = pool; return s.interrupted
        }) {
            pool.interrupt()
        }
        let feed = prepared.feed
        feed?.start()
        // Without one phase clock across worker processes, samples are matched by their stamps (with their
        // precision); the initial output and the backwards baseline search still come before the first connect.
        feed?.waitForInitialOutput(quiet: 0.3, timeout: 3)
        feed?.searchMissingBaselines(tails: [100, 1_000, 10_000], timeout: 5, budget: 15)
        if !request.quiet {
            logger.info(
                """
                wsload: \(request.profile.name): \(Plural.of(plan.totalConnections, "connection")) (\(Plural.of(plan.clients, "client")) \
                × \(plan.connectionsPerClient)) to \(Redaction.redactURL(plan.url.description)) over \(Plural.of(workers, "worker process")), \
                hold \(plan.hold) s
                """)
        }
        // Each worker decodes its plan (shard set) and runs it: no profile to read, validate or plan again.
        let outDir = request.outputDirectory.map { dir in
            dir.hasPrefix("/") ? dir : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(dir)
        }
        let startedWorkers = Date()
        do {
            try pool.start(
                WorkerAssignment(
                    plan: plan, context: workerContext(prepared), outputDirectory: outDir,
                    releaseTimeout: pool.holdTogether ? WorkerAssignment.releaseTimeout(for: plan) : nil), count: workers,
                executable: request.workerExecutable)
        } catch {
            feed?.stop()
            throw RunSessionError(.runIncomplete, "cannot start the worker processes: \(error)")
        }
        // Timed events run here, once, not in the workers.
        let events = plan.events.isEmpty ? nil : TimedEventRunner(events: plan.events, runner: request.runner, logger: logger)
        events?.start()
        // Always told (tests and operators find the children by it).
        for (i, w) in pool.workers.enumerated() { logger.info("wsload: worker \(i) pid \(w.pid) (shard \(w.shard), \(w.connections) connections)") }
        pool.waitForAll()
        progressDone()
        let eventRecords = events?.finish()
        var serverLogs: [LogSampleSeries]?
        var warnings: [String] = []
        if let feed {
            Thread.sleep(forTimeInterval: 1)
            serverLogs = feed.snapshot()
            feed.stop()
            warnings += feed.problems
        }
        let (reports, lost, poolNotes) = pool.collect()
        for l in lost { logger.warning("wsload: \(l.reason): its \(l.connections) connections are counted as failed/unknown") }
        var weights = prepared.weights
        if weights == nil, prepared.known.values.contains(where: { $0 != 1 }) { weights = prepared.known }
        let fallback = RunMetadata(profile: request.profile.name, target: plan.url.description, startedAt: Date(), endedAt: Date())
        var holdNote: String?
        if let released = pool.releasedAt {
            holdNote =
                "the \(workers) workers waited for each other: each kept its connections open after its ramp until the last ramp ended "
                + "(or its worker exited), \(ReportText.seconds(max(0, released.timeIntervalSince(startedWorkers)))) after the workers started; "
                + "then the parent released every hold"
        }
        let notes = prepared.notes + [prepared.split.note].compactMap { $0 } + poolNotes + [holdNote].compactMap { $0 }
        let report: Report
        do {
            report = try ReportMerger.merge(
                reports,
                options: .init(
                    labels: reports.indices.map { "worker report \($0)" }, knownPods: prepared.known, weights: weights, serverLogs: serverLogs,
                    thresholds: prepared.thresholds, lostShards: lost, notes: notes, warnings: warnings, fallbackRun: fallback, events: eventRecords,
                    eventsOrigin: events?.originDate))
        } catch {
            throw RunSessionError(.runIncomplete, "cannot merge the workers' reports: \(error)")
        }
        var files: [String] = []
        if let dir = request.outputDirectory {
            // connections.jsonl: the workers' records, one file (each worker also keeps its own under worker-i/).
            let recordFiles = (0..<workers).map { i in
                ((dir as NSString).appendingPathComponent("worker-\(i)") as NSString).appendingPathComponent("connections.jsonl")
            }
            do {
                files = try ReportWriter.writeFiles(report, ReportWriter.Output(formats: request.formats, directory: dir), recordFiles: recordFiles)
            } catch {
                throw RunSessionError(.runIncomplete, "cannot write the report into \(dir): \(error)")
            }
        }
        let incomplete = state.withLock { $0.interrupted } || !lost.isEmpty || report.raw?.interrupted == true
        return Outcome(report: report, files: files, exitCode: incomplete ? .runIncomplete : report.exitCode, workers: workers)
    }

    /// The context of each worker's own report: the profile's static pods, no server logs, no notes (the parent
    /// merges with discovery, logs and notes).
    private func workerContext(_ prepared: Prepared) -> ReportContext {
        let staticPods = Dictionary(request.profile.pods.staticPods.map { ($0.name, $0.weight) }, uniquingKeysWith: { a, _ in a })
        var context = prepared.context
        context.knownPods = staticPods
        context.serverLogsConfigured = false
        context.notes = []
        context.thresholds = RunPlanner.thresholds(from: request.profile.gate, podCount: max(staticPods.count, prepared.weights?.count ?? 0))
        return context
    }
}

#if canImport(Glibc)
    import Glibc
#endif
