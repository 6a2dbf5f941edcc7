/// The live progress block drawn on a terminal, as pure text: feed it engine snapshots, write what it returns.
///
/// Each frame moves the cursor back to the first line of the previous frame (`ESC[nF`), clears and rewrites
/// every line (`ESC[2K`), then clears whatever the previous frame left below (`ESC[J`), so a frame with fewer
/// lines (the ramp line after the hold's per-pod bars, or a shorter terminal) leaves nothing stale behind.
/// Lines are cut to the terminal width, because a wrapped line would make the cursor-up count wrong.
/// The rate is attempts per second over the last ``rateWindow`` seconds of snapshots (what is happening now),
/// not the average since start, which decays through the hold. ``finish(_:)`` erases the block and leaves one
/// plain summary line, on a normal end and after an interrupt alike; ``message(_:)`` prints a log line above it.
public struct ProgressScreen: Sendable {
    /// Terminal columns; lines are cut to one less, so the cursor never wraps.
    public var width: Int
    /// Seconds of snapshots the rate is measured over.
    public let rateWindow: Double
    /// Most per-pod bars drawn (the rest are summed into one line).
    public let maxPods: Int
    private var samples: [(elapsed: Double, attempted: Int)] = []
    private var drawnLines = 0
    private var drawn: [String] = []
    private var last: EngineSnapshot?

    /// Creates a screen for a terminal `width` columns wide.
    public init(width: Int = 80, rateWindow: Double = 2, maxPods: Int = 12) {
        self.width = width; self.rateWindow = rateWindow; self.maxPods = maxPods
    }

    /// Clears the current line (`ESC[2K`).
    public static let clearLine = "\u{1B}[2K"
    /// Clears from the cursor to the end of the screen (`ESC[J`).
    public static let clearBelow = "\u{1B}[J"
    /// Moves the cursor to the start of the line `n` lines up (`ESC[nF`).
    public static func up(_ n: Int) -> String { "\u{1B}[\(n)F" }

    /// Attempts per second over the last ``rateWindow`` seconds of the snapshots fed so far; 0 with fewer than two.
    public var rate: Double {
        guard let newest = samples.last, let oldest = samples.first, newest.elapsed > oldest.elapsed else { return 0 }
        return Double(newest.attempted - oldest.attempted) / (newest.elapsed - oldest.elapsed)
    }

    /// The lines of the block for `s` (no escape sequences), after recording it for the rate.
    public mutating func lines(_ s: EngineSnapshot) -> [String] {
        record(s)
        var lines: [String] = []
        let done = s.established + s.failed
        let counts =
            " \(s.established)/\(s.planned) opened  \(Int(rate.rounded()))/s  failed \(s.failed)"
            + "\(s.dropped > 0 ? "  dropped \(s.dropped)" : "")  open \(s.open)"
        // The bar gives way (30 down to 10 cells) so the counts fit a narrow terminal.
        let barWidth = max(10, min(30, width - 1 - 6 - counts.count))
        lines.append(
            Self.fit(
                "\(s.phase.rawValue.padding(toLength: 5, withPad: " ", startingAt: 0)) "
                    + Self.bar(Double(done) / Double(max(1, s.planned)), width: barWidth) + counts, width))
        let pods = s.openPerPod.sorted { $0.key < $1.key }
        if !pods.isEmpty {
            let maxCount = max(1, pods.map(\.value).max() ?? 1)
            let nameWidth = min(18, pods.map(\.key.count).max() ?? 1)
            for (pod, n) in pods.prefix(maxPods) {
                lines.append(
                    Self.fit(
                        "  \(pod.padding(toLength: nameWidth, withPad: " ", startingAt: 0)) "
                            + "\(Self.bar(Double(n) / Double(maxCount), width: 24)) \(n)", width))
            }
            if pods.count > maxPods {
                let rest = pods.dropFirst(maxPods)
                lines.append(Self.fit("  … \(rest.count) more pods, \(rest.map(\.value).reduce(0, +)) open", width))
            }
        }
        if let workers = s.workers, let ramping = s.workersRamping, workers > 1, ramping > 0, ramping < workers {
            lines.append(Self.fit("  waiting for \(ramping) of \(workers) workers' ramps: the hold starts when all have ramped", width))
        } else if s.phase == .hold && s.awaitingRelease {
            lines.append(Self.fit("  every worker has ramped: the hold is starting", width))
        } else if let r = s.holdRemaining, s.phase == .hold {
            lines.append(Self.fit("  hold: \(Int(r.rounded(.up))) s left", width))
        }
        return lines
    }

    /// The text to write for `s`: back over the previous frame, the new lines, and a clear of anything below.
    public mutating func frame(_ s: EngineSnapshot) -> String {
        let new = lines(s)
        var out = drawnLines > 0 ? Self.up(drawnLines) : ""
        for l in new { out += Self.clearLine + l + "\n" }
        out += Self.clearBelow
        drawnLines = new.count
        drawn = new
        return out
    }

    /// The text that writes `line` (a log message) above the block: the block is erased, the message
    /// written where it began, and the block drawn again below it, so neither overwrites the other.
    public mutating func message(_ line: String) -> String {
        var out = drawnLines > 0 ? Self.up(drawnLines) + Self.clearBelow : ""
        out += Self.clearLine + line + "\n"
        for l in drawn { out += Self.clearLine + l + "\n" }
        drawnLines = drawn.count
        return out
    }

    /// The text that erases the block and leaves one plain summary line of the last snapshot (or nothing
    /// when nothing was drawn). Call it once when the run ends, normally or after SIGINT.
    public mutating func finish(_ final: EngineSnapshot? = nil) -> String {
        let snapshot = final ?? last
        guard drawnLines > 0 || final != nil else { return "" }
        var out = drawnLines > 0 ? Self.up(drawnLines) : ""
        out += Self.clearBelow
        if let snapshot { out += Self.clearLine + Self.fit(Self.plainLine(snapshot), width) + "\n" }
        drawnLines = 0
        drawn = []
        return out
    }

    /// The line printed every few seconds when stderr is not a terminal (and left by ``finish(_:)``).
    public static func plainLine(_ s: EngineSnapshot) -> String {
        var line =
            "[\(ReportText.fixed(s.elapsed, 1).leftPadded(6))s] \(s.phase.rawValue) opened \(s.established)/\(s.planned) "
            + "failed \(s.failed) open \(s.open)"
        if s.dropped > 0 { line += " dropped \(s.dropped)" }
        if !s.openPerPod.isEmpty {
            line += " pods " + s.openPerPod.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        }
        return line
    }

    /// A bar of `width` cells, `fraction` of them full.
    static func bar(_ fraction: Double, width: Int) -> String {
        let f = fraction.isFinite ? max(0, min(1, fraction)) : 0
        let n = Int((f * Double(width)).rounded())
        return String(repeating: "█", count: n) + String(repeating: "░", count: width - n)
    }

    /// `line` cut to `width - 1` characters (the last column is left free so the terminal never wraps).
    static func fit(_ line: String, _ width: Int) -> String {
        let limit = max(10, width - 1)
        return line.count <= limit ? line : String(line.prefix(limit - 1)) + "…"
    }

    private mutating func record(_ s: EngineSnapshot) {
        last = s
        if let newest = samples.last, s.elapsed < newest.elapsed { samples.removeAll() }  // a new run
        samples.append((s.elapsed, s.attempted))
        // Keep one sample at or before the window's start so the window is always fully covered.
        while samples.count > 2, samples[1].elapsed <= s.elapsed - rateWindow { samples.removeFirst() }
    }
}
