import ArgumentParser
import Dispatch
import Foundation
import WSLoad

/// An error that ends the command with a documented exit code and a human message.
struct CLIError: Error, CustomStringConvertible {
    var exitCode: WSLoad.ExitCode
    var message: String
    var description: String { message }
}

/// Writes whole lines to a file handle, serialised.
final class LineWriter: @unchecked Sendable {
    static let standardOutput = LineWriter(FileHandle.standardOutput)
    static let standardError = LineWriter(FileHandle.standardError)
    private let handle: FileHandle
    private let lock = NSLock()
    init(_ handle: FileHandle) { self.handle = handle }
    func write(_ line: String) {
        lock.lock(); defer { lock.unlock() }
        handle.writeIfPossible(Data((line + "\n").utf8))
    }
    /// Writes `text` as it is (no newline added): prompts and terminal control sequences.
    func writeRaw(_ text: String) {
        lock.lock(); defer { lock.unlock() }
        handle.writeIfPossible(Data(text.utf8))
    }
}

/// Prints ``TLSClientConfiguration/insecureWarning`` once on stderr when a `wss://` target is not verified.
func warnIfInsecure(url: WebSocketURL, tls: TLSClientConfiguration?) {
    if url.isTLS, tls?.verifyPeer == false { LineWriter.standardError.write(TLSClientConfiguration.insecureWarning) }
}

/// Calls `onExit` once this process's parent has exited (it was reparented), checking twice a second.
/// Thread-agnostic, unlike `PR_SET_PDEATHSIG`, which fires when the spawning *thread* ends.
final class ParentWatch: @unchecked Sendable {
    private let timer: any DispatchSourceTimer
    init(onExit: @escaping @Sendable () -> Void) {
        let parent = getppid()
        timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now() + 0.5, repeating: 0.5)
        timer.setEventHandler { [timer] in
            guard getppid() != parent else { return }
            timer.cancel()
            LineWriter.standardError.write("wsload: parent process \(parent) is gone; shutting down")
            onExit()
        }
        timer.resume()
    }
    func cancel() { timer.cancel() }
}

/// A duration argument: `30s`, `500ms`, `2m`, `1h30m` or plain seconds (the profile syntax).
struct DurationArgument: ExpressibleByArgument, Sendable {
    var seconds: Double
    init(seconds: Double) { self.seconds = seconds }
    init?(argument: String) {
        guard let d = ProfileDuration(parsing: argument) else { return nil }
        seconds = d.seconds
    }
    /// How a default shows in --help (`0s`), instead of the struct's debug form.
    var defaultValueDescription: String { seconds == seconds.rounded() ? "\(Int(seconds))s" : "\(seconds)s" }
}

extension PodServerConfiguration.LogFormat: ExpressibleByArgument {}

extension CompletionKind {
    /// Profile names `--profile` finds from the shell's working directory (profiles/*.yaml, $WSLOAD_PROFILES,
    /// built-in) that start with the word being completed, for bash, zsh and fish alike.
    static var profileNames: CompletionKind {
        .custom { _, _, prefix in
            ProfileLoader.availableNames(
                workingDirectory: FileManager.default.currentDirectoryPath,
                environment: ProcessInfo.processInfo.environment
            ).filter { $0.hasPrefix(prefix) }
        }
    }

    /// Profile names, and `.yaml` files under the word being completed (for `validate FILES…`).
    static var profileNamesAndFiles: CompletionKind {
        .custom { _, _, prefix in
            let names = ProfileLoader.availableNames(
                workingDirectory: FileManager.default.currentDirectoryPath,
                environment: ProcessInfo.processInfo.environment
            ).filter { $0.hasPrefix(prefix) }
            let dir = prefix.contains("/") ? String(prefix[...prefix.lastIndex(of: "/")!]) : ""
            let files = ((try? FileManager.default.contentsOfDirectory(atPath: dir.isEmpty ? "." : dir)) ?? [])
                .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.map { dir + $0 }.filter { $0.hasPrefix(prefix) }.sorted()
            return names + files
        }
    }
}
