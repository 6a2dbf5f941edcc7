import Foundation
import WSLoad

/// Live progress on stderr: a bar during the ramp and per-pod bars during the hold on a TTY,
/// a plain line every few seconds otherwise.
final class ProgressPrinter: @unchecked Sendable {
    private let planned: Int
    private let hold: Double
    private let tty = isatty(STDERR_FILENO) == 1
    private let lock = NSLock()
    private var lastPlain = Date.distantPast
    private var drawnLines = 0

    init(planned: Int, hold: Double) { self.planned = planned; self.hold = hold }

    func update(_ s: EngineSnapshot) {
        lock.lock(); defer { lock.unlock() }
        if tty { draw(s) } else if Date().timeIntervalSince(lastPlain) >= 2 || s.phase == .done {
            lastPlain = Date()
            FileHandle.standardError.write(Data((plainLine(s) + "\n").utf8))
        }
    }

    func finish() {
        lock.lock(); defer { lock.unlock() }
        if tty && drawnLines > 0 { FileHandle.standardError.write(Data("\n".utf8)); drawnLines = 0 }
    }

    private func plainLine(_ s: EngineSnapshot) -> String {
        var line = String(format: "[%6.1fs] %@ opened %d/%d failed %d open %d", s.elapsed, s.phase.rawValue, s.established, s.planned, s.failed, s.open)
        if !s.openPerPod.isEmpty {
            line += " pods " + s.openPerPod.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        }
        return line
    }

    private func bar(_ fraction: Double, width: Int = 30) -> String {
        let f = max(0, min(1, fraction))
        let n = Int((f * Double(width)).rounded())
        return String(repeating: "█", count: n) + String(repeating: "░", count: width - n)
    }

    private func draw(_ s: EngineSnapshot) {
        var lines: [String] = []
        let rate = s.elapsed > 0 ? Double(s.attempted) / s.elapsed : 0
        lines.append(String(format: "%@ %@ %d/%d opened  %.0f/s  failed %d  open %d", s.phase.rawValue.padding(toLength: 5, withPad: " ", startingAt: 0),
                            bar(Double(s.established + s.failed) / Double(max(1, s.planned))), s.established, s.planned, rate, s.failed, s.open))
        if s.phase == .hold || s.phase == .close {
            let maxCount = max(1, s.openPerPod.values.max() ?? 1)
            for (pod, n) in s.openPerPod.sorted(by: { $0.key < $1.key }).prefix(12) {
                lines.append("  \(pod.padding(toLength: 18, withPad: " ", startingAt: 0)) \(bar(Double(n) / Double(maxCount), width: 24)) \(n)")
            }
            if let r = s.holdRemaining { lines.append(String(format: "  hold: %.0f s left", r)) }
        }
        var out = ""
        if drawnLines > 0 { out += "\u{1B}[\(drawnLines)F" }  // back to the first line drawn last time
        for l in lines { out += "\u{1B}[2K" + l + "\n" }
        drawnLines = lines.count
        FileHandle.standardError.write(Data(out.utf8))
    }
}
