import Foundation
import Logging

/// The child side of a split run (`run --worker-ipc DIR --shard i/N`): decodes the ``WorkerAssignment`` its parent
/// wrote, runs that plan as is (no profile read, validated or planned here), prints ``WorkerProgress`` lines, and
/// writes its report to `DIR/report-i.json`, where the parent reads it.
public final class WorkerSession: @unchecked Sendable {
    /// What this worker runs.
    public let assignment: WorkerAssignment
    private let directory: String
    private let shard: ShardSpec
    private let coordinator: RunCoordinator

    /// Adopts the parent-death signal and reads shard `shard`'s assignment from `directory`; `say` gets the
    /// engine's lines (standard error).
    public init(directory: String, shard: ShardSpec, logger: Logger) throws(RunSessionError) {
        WorkerPool.adoptParentDeathSignal()
        do { assignment = try WorkerPool.readAssignment(directory: directory, shard: shard) } catch {
            throw RunSessionError(.usageError, "worker: cannot read \(directory)/\(WorkerAssignment.fileName(shard: shard.index)): \(error)")
        }
        self.directory = directory
        self.shard = shard
        coordinator = RunCoordinator(plan: assignment.plan, context: assignment.context, logFeed: nil, logger: logger)
        coordinator.releaseTimeout = assignment.releaseTimeout
    }

    /// Ends the run early (SIGTERM from the parent): a partial report still follows.
    public func stop() { coordinator.stop() }

    /// Starts the hold (SIGUSR1 from the parent: every worker has ramped); see ``WorkerAssignment/releaseTimeout``.
    public func release() { coordinator.release() }

    /// Runs the plan; `progressLine` gets one ``WorkerProgress`` line about every 0.25 s.
    public func run(progressLine: @escaping @Sendable (String) -> Void) throws(RunSessionError) -> ExitCode {
        let outcome: RunOutcome
        do {
            outcome = try coordinator.run(output: RunOutputOptions(formats: [.json], directory: assignment.outputDirectory), progressInterval: 0.25) {
                progressLine(WorkerProgress($0).line)
            }
        } catch let e as PlanError {
            throw RunSessionError(.usageError, e.description)
        } catch {
            throw RunSessionError(.runIncomplete, "\(error)")
        }
        // The parent reads this file; write it last, atomically.
        let path = (directory as NSString).appendingPathComponent("report-\(shard.index).json")
        do { try JSONRenderer.render(outcome.report).write(toFile: path, atomically: true, encoding: .utf8) } catch {
            throw RunSessionError(.runIncomplete, "worker: cannot write \(path): \(error)")
        }
        return outcome.exitCode
    }
}
