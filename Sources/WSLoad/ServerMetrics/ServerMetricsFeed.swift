import Foundation

/// Polls a ``ServerMetricsSource`` through a run and stamps each reading with the phase its data surely belongs
/// to, giving the per-pod series ``LogMatcher`` reads by arrival order (baseline before the first connection,
/// hold, after close).
///
/// - ``readBaseline()`` before the first connection: phase `before`.
/// - ``start()`` polls every scrape interval on its own thread; ``phaseBegan(_:at:)`` (from the engine's phase
///   observer) records when each phase started. A reading whose data interval [`from`, `to`] lies in one phase
///   gets that phase; one that straddles two (a Prometheus value read early in the hold may come from the ramp)
///   is discarded and counted.
/// - ``finish(closeEnd:)`` keeps polling after close until every pod has a reading whose data is newer than the
///   end of close (phase `after`), bounded by `wait` seconds past close, then stops.
public final class ServerMetricsFeed: @unchecked Sendable {
    /// The source.
    public let source: any ServerMetricsSource
    /// Seconds between polls (the scrape interval).
    public let interval: Double
    /// Seconds after close to wait for a fresh reading.
    public let wait: Double

    private struct State {
        var phases: [(LogArrivalPhase, Date)] = [(.before, .distantPast)]
        var samples: [String: [LogSample]] = [:]
        var problems: [String: Int] = [:]
        var problemOrder: [String] = []
        var straddling = 0
        var line = 0
        var running = false
    }
    private let state = Locked(State())
    private let stopped = DispatchSemaphore(value: 0)

    /// Creates a feed; `interval` is at least 0.1 s.
    public init(source: any ServerMetricsSource, interval: Double, wait: Double) {
        self.source = source; self.interval = max(0.1, interval); self.wait = max(0, wait)
    }

    /// Records that `phase` began at `time` (later phases only).
    public func phaseBegan(_ phase: LogArrivalPhase, at time: Date = Date()) {
        state.withLock { s in
            let order = LogArrivalPhase.allCases
            if let last = s.phases.last, order.firstIndex(of: phase)! > order.firstIndex(of: last.0)! { s.phases.append((phase, time)) }
        }
    }

    /// Reads once now (before the first connection: the baseline).
    public func readBaseline() { poll() }

    /// Starts polling every `interval` on a thread of its own until ``finish(closeEnd:)``.
    public func start() {
        state.withLock { $0.running = true }
        let thread = Thread { [self] in
            while state.withLock({ $0.running }) {
                let next = Date().addingTimeInterval(interval)
                poll()
                while state.withLock({ $0.running }), Date() < next { Thread.sleep(forTimeInterval: min(0.05, max(0, next.timeIntervalSinceNow))) }
            }
            stopped.signal()
        }
        thread.start()
    }

    /// Polls until every pod read so far has a reading newer than `closeEnd`, at most until `closeEnd + wait`;
    /// stops the polling thread and returns what was read.
    public func finish(closeEnd: Date) -> ServerMetricsData {
        let wasRunning = state.withLock { s in
            defer { s.running = false }; return s.running
        }
        if wasRunning { stopped.wait() }
        phaseBegan(.after, at: closeEnd)
        let deadline = closeEnd.addingTimeInterval(wait)
        while true {
            poll()
            let fresh = state.withLock { s in !s.samples.isEmpty && s.samples.values.allSatisfy { $0.contains { $0.phase == .after } } }
            if fresh || Date() >= deadline { break }
            Thread.sleep(forTimeInterval: max(0.01, min(interval / 4, 0.25, deadline.timeIntervalSinceNow)))
        }
        return snapshot()
    }

    /// What was read so far.
    public func snapshot() -> ServerMetricsData {
        state.withLock { s in
            let series = s.samples.keys.sorted().map { LogSampleSeries(pod: $0, samples: s.samples[$0]!) }
            let problems = s.problemOrder.map { p in s.problems[p]! > 1 ? "\(p) (×\(s.problems[p]!))" : p }
            return ServerMetricsData(
                source: source.description, scrapeIntervalSeconds: interval, series: series,
                problems: problems, straddling: s.straddling)
        }
    }

    private func poll() {
        let (readings, problems) = source.read()
        state.withLock { s in
            for p in problems {
                if s.problems[p] == nil { s.problemOrder.append(p) }
                s.problems[p, default: 0] += 1
            }
            for r in readings {
                s.line += 1
                guard let phase = Self.phase(of: r, in: s.phases) else { s.straddling += 1; continue }
                s.samples[r.pod, default: []].append(
                    LogSample(
                        pod: r.pod, timestamp: ReportDate.normalize(r.to), activeConnections: r.value,
                        line: s.line, phase: phase))
            }
        }
    }

    /// The phase that holds the whole of [`from`, `to`], or nil when the interval crosses a phase boundary.
    static func phase(of r: ServerMetricsReading, in phases: [(LogArrivalPhase, Date)]) -> LogArrivalPhase? {
        func at(_ t: Date) -> Int { phases.lastIndex { $0.1 <= t } ?? 0 }
        let a = at(r.from), b = at(r.to)
        return a == b ? phases[a].0 : nil
    }
}
