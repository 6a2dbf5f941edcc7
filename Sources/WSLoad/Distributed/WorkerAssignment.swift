import Foundation

/// What a worker process of `run --workers` runs: the parent's plan with the worker's shard set, the report context
/// of its partial report, and where it keeps its files. The parent writes one per worker
/// (``WorkerPool/writeAssignment(_:)``); the worker decodes it and runs the plan as is, with no profile to read.
public struct WorkerAssignment: Sendable, Codable, Equatable {
    /// The plan, `shard` set.
    public var plan: RunPlan
    /// The context of the worker's own report (no server logs: the parent follows them).
    public var context: ReportContext
    /// The directory for the worker's files (`connections.jsonl`, its report files), absolute; nil: none.
    public var outputDirectory: String?
    /// Hold together with the other workers: after its ramp the worker waits for the parent's release (SIGUSR1)
    /// before its hold timer starts, at most this many seconds. nil: the hold starts when its own ramp ends.
    public var releaseTimeout: Double?

    /// Creates an assignment.
    public init(plan: RunPlan, context: ReportContext, outputDirectory: String? = nil, releaseTimeout: Double? = nil) {
        self.plan = plan; self.context = context; self.outputDirectory = outputDirectory; self.releaseTimeout = releaseTimeout
    }

    /// How long a worker of `plan` waits for the release at most: 10 minutes, or three times the whole plan's
    /// ramp at its rate plus the handshake timeouts when that is longer. The parent releases as soon as every
    /// worker has ramped (or exited); this bound only keeps a worker from waiting forever on a parent that
    /// cannot answer.
    public static func releaseTimeout(for plan: RunPlan) -> Double {
        let ramp = plan.rate > 0 ? Double(plan.totalConnections) / plan.rate : 0
        return max(600, 3 * ramp + plan.connectTimeout + plan.tlsTimeout + plan.upgradeTimeout)
    }

    /// The file name of shard `index`'s assignment in the IPC directory.
    public static func fileName(shard index: Int) -> String { "plan-\(index).json" }
}
