/// A source of per-pod "Active connections" samples followed during a run.
public protocol ServerLogFeed: AnyObject, Sendable {
    /// Starts following (reading existing content first, so baselines are visible).
    func start()
    /// The samples gathered so far, per pod.
    func snapshot() -> [LogSampleSeries]
    /// Stops following and ends any child processes.
    func stop()
    /// Problems met while following (missing files, failed commands), for the report's warnings.
    var problems: [String] { get }
}
