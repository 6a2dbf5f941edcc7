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

    /// Creates an assignment.
    public init(plan: RunPlan, context: ReportContext, outputDirectory: String? = nil) {
        self.plan = plan; self.context = context; self.outputDirectory = outputDirectory
    }

    /// The file name of shard `index`'s assignment in the IPC directory.
    public static func fileName(shard index: Int) -> String { "plan-\(index).json" }
}
