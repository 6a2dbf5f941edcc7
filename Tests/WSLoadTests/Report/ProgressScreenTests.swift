import Foundation
import Testing

@testable import WSLoad

/// The terminal progress block as text: escape sequences, no stale lines, the rate of the last seconds,
/// per-pod bars through the hold, and what is left after the end or an interrupt.
@Suite struct ProgressScreenTests {
    static let esc = "\u{1B}"

    static func snap(
        _ phase: EngineSnapshot.Phase, at t: Double, attempted: Int, planned: Int = 1_000,
        pods: [String: Int] = [:], holdRemaining: Double? = nil
    ) -> EngineSnapshot {
        let open = pods.values.reduce(0, +)
        return EngineSnapshot(
            phase: phase, planned: planned, attempted: attempted, established: attempted, failed: 0,
            dropped: 0, open: open, inFlight: 0, openPerPod: pods, elapsed: t, holdRemaining: holdRemaining)
    }

    /// The text with escape sequences removed, split into lines.
    static func visibleLines(_ text: String) -> [String] {
        let stripped = text.replacingOccurrences(of: "\u{1B}\\[[0-9]*[A-Za-z]", with: "", options: .regularExpression)
        return stripped.split(separator: "\n").map(String.init)
    }

    @Test func firstFrameClearsEachLineAndBelowLaterFramesGoBackOverThePreviousOne() {
        var screen = ProgressScreen(width: 120)
        let first = screen.frame(Self.snap(.ramp, at: 0.25, attempted: 10))
        #expect(first.hasPrefix("\(Self.esc)[2Kramp  "))
        #expect(first.hasSuffix("\n\(Self.esc)[J"))
        #expect(!first.contains("\(Self.esc)[1F"))
        let hold = Self.snap(.hold, at: 5, attempted: 1_000, pods: ["ws-0": 500, "ws-1": 300, "ws-2": 200], holdRemaining: 29.2)
        let second = screen.frame(hold)
        #expect(second.hasPrefix("\(Self.esc)[1F\(Self.esc)[2Khold  "))  // back over the one ramp line
        // 1 overall line + 3 pods + the countdown, each one cleared before it is written.
        #expect(second.components(separatedBy: "\(Self.esc)[2K").count - 1 == 5)
        #expect(Self.visibleLines(second).last == "  hold: 30 s left")
        // The close frame has no countdown: it goes back 5 lines and clears the stale countdown below it.
        let close = screen.frame(Self.snap(.close, at: 40, attempted: 1_000, pods: ["ws-0": 100, "ws-1": 0, "ws-2": 0]))
        #expect(close.hasPrefix("\(Self.esc)[5F"))
        #expect(Self.visibleLines(close).count == 4)
        #expect(close.hasSuffix("\(Self.esc)[J"))
    }

    @Test func rateIsOverTheLastTwoSecondsNotSinceStart() {
        var screen = ProgressScreen(width: 120, rateWindow: 2)
        // 100 attempts/s for 5 s, then the hold (no attempts) for 5 s, one snapshot every 0.25 s.
        var atRampEnd = -1.0, lastLine = ""
        for i in 1...40 {
            let t = Double(i) * 0.25
            let attempted = min(500, i * 25)
            let phase: EngineSnapshot.Phase = t <= 5 ? .ramp : .hold
            lastLine = Self.visibleLines(screen.frame(Self.snap(phase, at: t, attempted: attempted, planned: 500)))[0]
            if t == 5 { atRampEnd = screen.rate }
        }
        #expect(abs(atRampEnd - 100) < 1e-9)
        #expect(screen.rate == 0)  // the average since start would still say 50/s
        #expect(lastLine.contains("  0/s  "))
        // A ramp that slows from 100/s to 20/s: 2 s later the rate is the new one.
        var slowing = ProgressScreen(width: 120, rateWindow: 2)
        var attempted = 0
        for i in 1...24 {
            attempted += i <= 16 ? 25 : 5
            _ = slowing.frame(Self.snap(.ramp, at: Double(i) * 0.25, attempted: attempted, planned: 10_000))
        }
        #expect(abs(slowing.rate - 20) < 1e-9)
    }

    @Test func perPodBarsUpdateDuringTheHold() {
        var screen = ProgressScreen(width: 120)
        let a = Self.visibleLines(screen.frame(Self.snap(.hold, at: 6, attempted: 12, planned: 12, pods: ["ws-0": 4, "ws-1": 8], holdRemaining: 10)))
        let b = Self.visibleLines(screen.frame(Self.snap(.hold, at: 7, attempted: 12, planned: 12, pods: ["ws-0": 8, "ws-1": 8], holdRemaining: 9)))
        // Bars are relative to the largest pod: 4 of 8 is 12 of 24 cells, 8 of 8 is all 24.
        #expect(a[1] == "  ws-0 " + String(repeating: "█", count: 12) + String(repeating: "░", count: 12) + " 4")
        #expect(b[1] == "  ws-0 " + String(repeating: "█", count: 24) + " 8")
        #expect(a[3] == "  hold: 10 s left" && b[3] == "  hold: 9 s left")
    }

    @Test func splitRunsSayWhichWorkersTheHoldWaitsFor() {
        var screen = ProgressScreen(width: 120)
        var waiting = Self.snap(.ramp, at: 5, attempted: 30, planned: 40, pods: ["ws-0": 30])
        waiting.workers = 4; waiting.workersRamping = 1; waiting.awaitingRelease = true
        #expect(screen.lines(waiting).last == "  waiting for 1 of 4 workers' ramps: the hold starts when all have ramped")
        var starting = Self.snap(.hold, at: 6, attempted: 40, planned: 40, pods: ["ws-0": 40], holdRemaining: 10)
        starting.workers = 4; starting.workersRamping = 0; starting.awaitingRelease = true
        #expect(screen.lines(starting).last == "  every worker has ramped: the hold is starting")
        starting.awaitingRelease = false
        #expect(screen.lines(starting).last == "  hold: 10 s left")
        // Every worker still ramping: the ordinary ramp screen, no waiting line.
        waiting.workersRamping = 4
        #expect(screen.lines(waiting).allSatisfy { !$0.contains("waiting for") })
    }

    @Test func podsBeyondTheLimitAreSummedInOneLine() {
        var screen = ProgressScreen(width: 120, maxPods: 2)
        let lines = Self.visibleLines(screen.frame(Self.snap(.ramp, at: 1, attempted: 10, pods: ["a": 1, "b": 2, "c": 3, "d": 4])))
        #expect(lines.count == 4)
        #expect(lines[3] == "  … 2 more pods, 7 open")
    }

    @Test func linesAreCutToTheTerminalWidthSoNothingWraps() {
        var screen = ProgressScreen(width: 40)
        let text = screen.frame(Self.snap(.hold, at: 3, attempted: 1_000, pods: ["a-very-long-pod-name-indeed-0": 1_000], holdRemaining: 3))
        for line in Self.visibleLines(text) { #expect(line.count <= 39, "\"\(line)\" is \(line.count) wide") }
        #expect(Self.visibleLines(text)[0].hasSuffix("…"))
    }

    @Test func aLogLineGoesAboveTheBlockWhichIsRedrawnBelowIt() {
        var screen = ProgressScreen(width: 120)
        #expect(screen.message("before anything") == "\(Self.esc)[2Kbefore anything\n")
        let ramp = screen.frame(Self.snap(.ramp, at: 1, attempted: 39, planned: 40, pods: ["ws-0": 39]))
        let rampLines = Self.visibleLines(ramp)
        // Measured under tmux before this: "ramp complete: …" written between two frames was overwritten by the
        // next frame, which went up 2 lines from below the message and left the old ramp line stale above.
        let msg = screen.message("ramp complete: 40 established, 0 failed; holding for 2.0 s")
        #expect(
            msg == "\(Self.esc)[2F\(Self.esc)[J\(Self.esc)[2Kramp complete: 40 established, 0 failed; holding for 2.0 s\n"
                + rampLines.map { "\(Self.esc)[2K\($0)\n" }.joined())
        // The next frame goes back over the redrawn block only (2 lines), not over the message.
        let hold = screen.frame(Self.snap(.hold, at: 1.25, attempted: 40, planned: 40, pods: ["ws-0": 40], holdRemaining: 2))
        #expect(hold.hasPrefix("\(Self.esc)[2F\(Self.esc)[2Khold  "))
    }

    @Test func theOverallBarShrinksBeforeTheCountsAreCut() {
        // Measured under tmux at 72 columns: "… failed 0  o…" lost the open count behind a 30-cell bar.
        var screen = ProgressScreen(width: 72)
        let line = Self.visibleLines(screen.frame(Self.snap(.hold, at: 6, attempted: 200, planned: 200, pods: ["ws-0": 200], holdRemaining: 5)))[0]
        #expect(line.hasSuffix(" 200/200 opened  0/s  failed 0  open 200"))
        #expect(line.count <= 71)
        // " 200/200 opened  0/s  failed 0  open 200" is 40 characters: 72 − 1 − 6 − 40 = 25 cells of bar.
        #expect(line.filter { $0 == "█" || $0 == "░" }.count == 25)
    }

    @Test func finishErasesTheBlockAndLeavesOneSummaryLine() {
        var screen = ProgressScreen(width: 200)
        #expect(screen.finish() == "")  // nothing drawn, nothing to erase
        let hold = Self.snap(.hold, at: 4.5, attempted: 12, planned: 12, pods: ["ws-0": 7, "ws-1": 5], holdRemaining: 2)
        _ = screen.frame(hold)
        // Interrupted in the hold: the 4-line block is replaced by the last state in one line.
        let end = screen.finish()
        #expect(end == "\(Self.esc)[4F\(Self.esc)[J\(Self.esc)[2K[   4.5s] hold opened 12/12 failed 0 open 12 pods ws-0=7 ws-1=5\n")
        #expect(screen.finish() == "")
    }

    @Test func plainLineForPipes() {
        var s = Self.snap(.ramp, at: 12.345, attempted: 3, planned: 10, pods: ["b": 1, "a": 2])
        s.failed = 1; s.dropped = 2
        #expect(ProgressScreen.plainLine(s) == "[  12.3s] ramp opened 3/10 failed 1 open 3 dropped 2 pods a=2 b=1")
    }
}
