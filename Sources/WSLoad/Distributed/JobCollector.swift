import Foundation

/// Reads the shard reports of a Kubernetes Indexed Job back from its pods' logs (`wsload collect`).
///
/// Each pod runs `wsload run --shard $(JOB_COMPLETION_INDEX)/N --emit-report-json`, which prints its report
/// between ``ReportMarkers`` lines. Pods are listed with `kubectl get pods -n NS -l job-name=JOB -o json` and
/// read with `kubectl logs -n NS POD` (both templates replaceable). When a shard ran more than once (a retried
/// pod), the report of a `Succeeded` pod wins, else the last one read.
public struct JobCollector: Sendable {
    /// The Job's namespace.
    public var namespace: String
    /// The Job's name (pods carry the label `job-name=NAME`).
    public var job: String
    /// Lists the pods; placeholders `{namespace}`, `{selector}`.
    public var listTemplate: CommandTemplate
    /// Prints one pod's log; placeholders `{namespace}`, `{pod}`.
    public var logsTemplate: CommandTemplate
    /// Longest time one command may run.
    public var timeout: TimeInterval

    /// `kubectl logs -n {namespace} {pod}`.
    public static let defaultLogsTemplate: CommandTemplate = ["kubectl", "logs", "-n", "{namespace}", "{pod}"]

    /// Creates a collector.
    public init(
        namespace: String, job: String, listTemplate: CommandTemplate = .podDiscovery,
        logsTemplate: CommandTemplate = JobCollector.defaultLogsTemplate, timeout: TimeInterval = 60
    ) {
        self.namespace = namespace; self.job = job; self.listTemplate = listTemplate; self.logsTemplate = logsTemplate; self.timeout = timeout
    }

    /// What was collected.
    public struct Collected: Sendable {
        /// Reports with the pod each came from, ordered by shard.
        public var reports: [(pod: String, report: Report)]
        /// Pods that gave no usable report, and other problems.
        public var problems: [String]
        /// Notes (e.g. a retried shard).
        public var notes: [String]
    }

    /// Lists the Job's pods and reads a report from each one's log.
    public func collect(runner: CommandRunner = CommandRunner()) throws(CollectError) -> Collected {
        let pods: [PodInfo]
        do {
            pods = try PodDiscovery(namespace: namespace, selector: "job-name=\(job)", template: listTemplate, timeout: timeout).discover(
                runner: runner)
        } catch { throw CollectError("cannot list the pods of job \(job) in namespace \(namespace): \(error)") }
        guard !pods.isEmpty else {
            throw CollectError("job \(job) in namespace \(namespace) has no pods (label job-name=\(job)); is the name right?")
        }
        var byShard: [Int: (pod: PodInfo, report: Report)] = [:]
        var unsharded: [(pod: String, report: Report)] = []
        var problems: [String] = []
        var notes: [String] = []
        for pod in pods {
            let argv: [String]
            do { argv = try logsTemplate.render(["namespace": namespace, "pod": pod.name]) } catch { throw CollectError("logs command: \(error)") }
            let result: CommandResult
            do { result = try runner.run(argv, timeout: timeout) } catch {
                problems.append("pod \(pod.name): \(error)")
                continue
            }
            guard result.succeeded else {
                problems.append("pod \(pod.name): \(CommandResult.display(argv)) failed with \(result.termination): \(result.stderrFirstLine)")
                continue
            }
            let texts = ReportMarkers.extract(from: result.stdoutText)
            guard let text = texts.last else {
                problems.append(
                    "pod \(pod.name) (\(pod.phase ?? "phase unknown")): no report in its log (no \(ReportMarkers.begin) … \(ReportMarkers.end)); "
                        + "still running, failed before the end, or not run with --emit-report-json")
                continue
            }
            let report: Report
            do { report = try Report.decode(json: Data(text.utf8)) } catch {
                problems.append("pod \(pod.name): the report in its log does not decode: \(error)")
                continue
            }
            guard let shard = report.raw?.shape?.shard else {
                unsharded.append((pod.name, report))
                continue
            }
            if let previous = byShard[shard.index] {
                let keepNew = pod.phase == "Succeeded" || previous.pod.phase != "Succeeded"
                notes.append(
                    "shard \(shard) ran in pods \(previous.pod.name) and \(pod.name); the report of \(keepNew ? pod.name : previous.pod.name) is used"
                )
                if !keepNew { continue }
            }
            byShard[shard.index] = (pod, report)
        }
        let reports = byShard.keys.sorted().map { (byShard[$0]!.pod.name, byShard[$0]!.report) } + unsharded
        return Collected(reports: reports, problems: problems, notes: notes)
    }
}

/// Why `collect` could not read a Job's reports.
public struct CollectError: Error, Sendable, CustomStringConvertible {
    /// The message.
    public var description: String
    /// Creates an error.
    public init(_ message: String) { description = message }
}
