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
    /// Stamps readings from now on with the run phase in which they arrive (``LogSample/phase``).
    func follow(phases clock: RunPhaseClock)
    /// Waits, bounded, until what the sources print at start has arrived (so it counts as the baseline).
    func waitForInitialOutput(quiet: Double, timeout: Double)
    /// The largest delay seen between a line's stamp and its arrival during the run, in seconds.
    var observedLag: Double? { get }
    /// Searches, bounded, the earlier log of pods that printed no reading before the run; returns those found.
    @discardableResult func searchMissingBaselines(tails: [Int], timeout: Double, budget: Double) -> [String]
}

extension ServerLogFeed {
    /// Feeds that cannot tell arrival phases ignore the clock (their samples are matched by time).
    public func follow(phases clock: RunPhaseClock) {}
    /// Feeds without asynchronous sources have nothing to wait for.
    public func waitForInitialOutput(quiet: Double, timeout: Double) {}
    /// Unknown by default.
    public var observedLag: Double? { nil }
    /// Nothing to search by default.
    @discardableResult public func searchMissingBaselines(tails: [Int], timeout: Double, budget: Double) -> [String] { [] }
}
