import ArgumentParser
import Foundation
import WSLoad

extension RunOptions {
    /// A worker of `run --workers` (`run --worker-ipc DIR --shard i/N`): runs the plan its parent wrote for the
    /// shard (``WorkerSession``), progress lines on standard output, its report where the parent reads it.
    func executeWorker(directory dir: String) throws -> WSLoad.ExitCode {
        guard let shard else { throw CLIError(exitCode: .usageError, message: "--worker-ipc needs --shard") }
        do { return try runWorker(directory: dir, shard: shard) } catch { throw CLIError(exitCode: error.exitCode, message: error.message) }
    }

    private func runWorker(directory dir: String, shard: ShardSpec) throws(RunSessionError) -> WSLoad.ExitCode {
        let stderr = LineWriter.standardError
        let stdout = LineWriter.standardOutput
        let worker = try WorkerSession(directory: dir, shard: shard, logger: .lines { line in if !quiet { stderr.write(line) } })
        // SIGUSR1: the parent's release of a hold taken together (every worker has ramped).
        let signals = SignalWatcher([SIGINT, SIGTERM, SIGUSR1]) { signal in if signal == SIGUSR1 { worker.release() } else { worker.stop() } }
        defer { signals.cancel() }
        return try worker.run { line in stdout.write(line) }
    }
}

extension ReportMarkers {
    /// Prints the report between marker lines on standard output.
    static func print(_ report: Report) {
        fflush(nil)  // what `print` buffered goes first
        FileHandle.standardOutput.writeIfPossible(Data(wrap(report).utf8))
    }
}
