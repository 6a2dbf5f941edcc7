/// How many processes on this machine one run uses: one, or worker processes when asked (`--workers`) or when
/// one process cannot hold every connection within its file-descriptor limit.
public struct RunSplit: Sendable, Equatable {
    /// Worker processes (1: the run stays in this process).
    public var workers: Int
    /// Why the run was split, for the report (nil: not split for lack of descriptors).
    public var note: String?

    /// Creates a split.
    public init(workers: Int, note: String? = nil) { self.workers = workers; self.note = note }

    /// The split for `plan` (its `shard` set for `--shard`) with `requestedWorkers` (`--workers`) and `budget`.
    /// A shard runs in one process; a client whose connections do not fit one process is a usage error.
    public static func decide(plan: RunPlan, requestedWorkers: Int?, budget: ResourceBudget) throws(RunSessionError) -> RunSplit {
        if let w = requestedWorkers, w < 1 { throw RunSessionError(.usageError, "--workers \(w): expected 1 or more") }
        if plan.shard != nil {
            if let w = requestedWorkers, w > 1 {
                throw RunSessionError(.usageError, "--shard and --workers do not combine: a shard runs in one process (run more shards instead)")
            }
            return RunSplit(workers: 1)
        }
        let usable = budget.fdSoftLimit - plan.fdReserve
        guard let needed = WorkerPool.workersNeeded(plan: plan, budget: budget) else {
            throw RunSessionError(
                .usageError,
                "one virtual client opens \(plan.connectionsPerClient) connections but one process may open only "
                    + "\(usable) (file-descriptor limit \(budget.fdSoftLimit)); use more clients with fewer connections each")
        }
        let count = max(requestedWorkers ?? 1, needed)
        guard needed > 1 else { return RunSplit(workers: count) }
        return RunSplit(
            workers: count,
            note: "The plan needs \(plan.totalConnections) connections but one process may open only \(usable) "
                + "(file-descriptor limit \(budget.fdSoftLimit) minus a reserve of \(plan.fdReserve)): the run was split over \(count) worker processes."
        )
    }
}
