import Foundation
import Testing

@testable import WSLoad

/// The collector stamps each reading with the phase it arrived in, whatever second its own stamp names.
@Suite struct LogArrivalPhaseTests {
    @Test func readingsCarryThePhaseTheyArrivedIn() throws {
        let dir = try KubeTestSupport.makeTempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("ws-0.log").path
        let second = "2026-12-02T04:25:11Z"
        KubeTestSupport.append("\(second) Active connections: 0\n", to: path)
        let c = try LogSourceTests.collector([.file(pod: "ws-0", path: path)])
        let clock = RunPhaseClock()
        c.follow(phases: clock)
        c.start()
        defer { c.stop() }
        func phases() -> [LogArrivalPhase?] { c.snapshot().first?.samples.map(\.phase) ?? [] }
        #expect(phases() == [.before])
        clock.advance(to: .ramp)
        KubeTestSupport.append("\(second) Active connections: 1\n", to: path)
        #expect(KubeTestSupport.waitUntil { phases().count == 2 })
        clock.advance(to: .hold)
        KubeTestSupport.append("\(second) Active connections: 1\n", to: path)
        #expect(KubeTestSupport.waitUntil { phases().count == 3 })
        clock.advance(to: .close)
        clock.advance(to: .ramp)  // never backwards
        KubeTestSupport.append("\(second) Active connections: 0\n", to: path)
        #expect(KubeTestSupport.waitUntil { phases().count == 4 })
        #expect(phases() == [.before, .ramp, .hold, .close])
        #expect(c.snapshot()[0].samples.allSatisfy { $0.precision == .seconds })
        // Lines read during the run measured the lag: their 04:25:11 stamp is long past.
        #expect((c.observedLag ?? 0) > 60)
    }

    @Test func withoutAClockReadingsHaveNoPhase() throws {
        let dir = try KubeTestSupport.makeTempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("ws-0.log").path
        KubeTestSupport.append("Active connections: 3\n", to: path)
        let c = try LogSourceTests.collector([.file(pod: "ws-0", path: path)])
        c.start()
        c.stop()
        #expect(c.snapshot().first?.samples.map(\.phase) == [nil])
    }
}
