import Testing

@testable import WSLoad

/// Run phases: ramp → hold → close → done, only forward, and the actions each step asks for.
@Suite struct RunPhasesTests {
    @Test func aFullRunGoesRampHoldCloseDone() {
        var p = RunPhases()
        #expect(p.start() == [.notify(.ramp), .startRamp])
        #expect(p.phase == .ramp)
        #expect(p.rampCompleted() == [.notify(.hold), .startHold, .startHoldTimer])
        #expect(p.phase == .hold && !p.awaitingRelease)
        #expect(p.release() == [], "a run that does not wait ignores a release")
        #expect(p.holdElapsed() == [.notify(.close), .beginClose])
        #expect(p.phase == .close && !p.interrupted)
        #expect(p.allEnded() == [.notify(.done), .finish])
        #expect(p.phase == .done)
    }

    @Test func phasesRefuseToGoBack() {
        var p = RunPhases()
        _ = p.start()
        #expect(p.holdElapsed() == [], "no hold to elapse during the ramp")
        #expect(p.allEnded() == [], "the ramp does not finish without closing")
        _ = p.rampCompleted()
        #expect(p.rampCompleted() == [] && p.start() == [])
        #expect(p.allEnded() == [])
        _ = p.holdElapsed()
        #expect(p.holdElapsed() == [] && p.rampCompleted() == [] && p.start() == [])
        #expect(p.stop() == [], "a stop while closing changes nothing")
        #expect(!p.interrupted)
        _ = p.allEnded()
        for actions in [p.start(), p.rampCompleted(), p.holdElapsed(), p.stop(), p.allEnded()] { #expect(actions == []) }
        #expect(p.phase == .done)
    }

    @Test func stopDuringTheRampStopsPacingAndCloses() {
        var p = RunPhases()
        _ = p.start()
        #expect(p.stop() == [.stopRamp, .notify(.close), .beginClose])
        #expect(p.interrupted && p.phase == .close)
        #expect(p.rampCompleted() == [], "a ramp cut short never holds")
        #expect(p.stop() == [])
    }

    @Test func stopDuringTheHoldCloses() {
        var p = RunPhases()
        _ = p.start()
        _ = p.rampCompleted()
        #expect(p.acceptsReconnects)
        #expect(p.stop() == [.notify(.close), .beginClose])
        #expect(p.interrupted && !p.acceptsReconnects)
        #expect(p.holdElapsed() == [], "the hold timer firing after the stop does nothing")
    }

    @Test func stopBeforeTheStartMeansTheRunNeverStarts() {
        var p = RunPhases()
        #expect(p.stop() == [.stopRamp, .notify(.close), .beginClose])
        #expect(p.allEnded() == [.notify(.done), .finish])
        #expect(p.start() == [])
    }

    // MARK: Holding together (split runs)

    @Test func aWaitingWorkerHoldsOnlyAfterItsRelease() {
        var p = RunPhases(holdAwaitsRelease: true)
        _ = p.start()
        #expect(p.rampCompleted() == [.notify(.hold), .startHold, .awaitRelease])
        #expect(p.phase == .hold && p.awaitingRelease)
        #expect(p.acceptsReconnects, "connections dropped while waiting may still come back")
        #expect(p.holdElapsed() == [], "no hold timer runs while waiting")
        #expect(p.release() == [.startHoldTimer])
        #expect(!p.awaitingRelease)
        #expect(p.release() == [], "a second release (signal and self-release both) starts nothing")
        #expect(p.holdElapsed() == [.notify(.close), .beginClose])
    }

    @Test func aReleaseBeforeTheRampEndsStartsTheHoldWithIt() {
        var p = RunPhases(holdAwaitsRelease: true)
        _ = p.start()
        #expect(p.release() == [], "nothing to start during the ramp")
        #expect(p.rampCompleted() == [.notify(.hold), .startHold, .startHoldTimer])
        #expect(!p.awaitingRelease)
    }

    @Test func aStopWhileWaitingClosesAndNoLaterReleaseHolds() {
        var p = RunPhases(holdAwaitsRelease: true)
        _ = p.start()
        _ = p.rampCompleted()
        #expect(p.stop() == [.notify(.close), .beginClose])
        #expect(p.interrupted && !p.awaitingRelease)
        #expect(p.release() == [])
        #expect(p.allEnded() == [.notify(.done), .finish])
    }
}
