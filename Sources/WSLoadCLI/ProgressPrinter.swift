import Foundation
import WSLoad

/// Live progress on stderr: on a TTY a ``ProgressScreen`` block (overall bar with the rate of the last 2 s,
/// per-pod bars, hold countdown) redrawn in place; otherwise a plain line every few seconds.
/// ``finish()`` erases the block and leaves one summary line; it runs on every way out of a run.
final class ProgressPrinter: @unchecked Sendable {
    private let tty = isatty(STDERR_FILENO) == 1
    private let lock = NSLock()
    private var lastPlain = Date.distantPast
    private var screen = ProgressScreen(width: ProgressPrinter.columns())
    private var finished = false

    init() {}

    func update(_ s: EngineSnapshot) {
        lock.lock(); defer { lock.unlock() }
        guard !finished else { return }
        if tty {
            screen.width = Self.columns()
            FileHandle.standardError.writeIfPossible(Data(screen.frame(s).utf8))
        } else if Date().timeIntervalSince(lastPlain) >= 2 || s.phase == .done {
            lastPlain = Date()
            FileHandle.standardError.writeIfPossible(Data((ProgressScreen.plainLine(s) + "\n").utf8))
        }
    }

    /// Writes a log line on stderr; on a TTY above the live block (which is redrawn below it), so the
    /// block never overwrites the message nor leaves a stale copy of itself above it.
    func message(_ line: String) {
        lock.lock(); defer { lock.unlock() }
        if tty && !finished {
            FileHandle.standardError.writeIfPossible(Data(screen.message(line).utf8))
        } else {
            FileHandle.standardError.writeIfPossible(Data((line + "\n").utf8))
        }
    }

    /// Erases the live block (on a TTY) and stops drawing; later snapshots are ignored.
    func finish() {
        lock.lock(); defer { lock.unlock() }
        guard !finished else { return }
        finished = true
        if tty { FileHandle.standardError.writeIfPossible(Data(screen.finish().utf8)) }
    }

    /// The terminal's width in columns (stderr's, then `COLUMNS`, then 80).
    private static func columns() -> Int {
        var size = winsize()
        if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return Int(ProcessInfo.processInfo.environment["COLUMNS"] ?? "") ?? 80
    }
}
