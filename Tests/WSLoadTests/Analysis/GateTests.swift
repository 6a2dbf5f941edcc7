import Foundation
import Testing

@testable import WSLoad

@Suite struct GateTests {
    let even = DistributionStatistics(counts: ["ws-0": 10, "ws-1": 10])
    let skewed = DistributionStatistics(counts: ["ws-0": 15, "ws-1": 5, "ws-2": 0])

    private func check(
        _ thresholds: GateThresholds, statistics: DistributionStatistics, failed: Int = 0,
        matches: [PodMatch] = [], placements: [ClientPlacement] = [],
        latency: [String: Double] = [:]
    ) -> GateCheck {
        let verdict = Gate(thresholds: thresholds).evaluate(
            statistics: statistics, failed: failed, podMatches: matches,
            placements: placements, latencyPercentilesMs: latency)
        // Every gate also checks max_dropped (default 0); these tests look at the one other check.
        let checks = verdict.checks.filter { $0.name != "max_dropped" }
        #expect(checks.count == 1)
        return checks[0]
    }

    @Test func maxSkew() {
        #expect(check(GateThresholds(maxSkewPercent: 10), statistics: even).passed)
        let failed = check(GateThresholds(maxSkewPercent: 10), statistics: skewed)
        #expect(!failed.passed)
        #expect(failed.measured == 125)
        #expect(failed.summary == "measured 125%, threshold ≤ 10%")
        #expect(failed.detail == "largest deviation on ws-0: 15 connections vs 6.7 expected")
        let nothing = check(GateThresholds(maxSkewPercent: 10), statistics: DistributionStatistics(counts: ["a": 0]))
        #expect(!nothing.passed && nothing.measured == nil && nothing.measuredText == "not measured")
    }

    @Test func minPodsHit() {
        #expect(check(GateThresholds(minPodsHit: 2), statistics: even).passed)
        let c = check(GateThresholds(minPodsHit: 3), statistics: skewed)
        #expect(!c.passed)
        #expect(c.detail == "2 of 3 pods received connections; not hit: ws-2")
    }

    @Test func maxFailed() {
        #expect(check(GateThresholds(maxFailed: 1), statistics: even, failed: 1).passed)
        #expect(!check(GateThresholds(maxFailed: 1), statistics: even, failed: 2).passed)
    }

    @Test func requireLogMatch() {
        let ok = [PodMatch(pod: "ws-0", clientCount: 10, classification: .matched)]
        let bad = ok + [PodMatch(pod: "ws-1", clientCount: 10, classification: .serverHasFewer)]
        #expect(check(GateThresholds(requireLogMatch: true), statistics: even, matches: ok).passed)
        let c = check(GateThresholds(requireLogMatch: true), statistics: even, matches: bad)
        #expect(!c.passed && c.measured == 1 && c.detail == "ws-1: server has fewer")
        #expect(!check(GateThresholds(requireLogMatch: true), statistics: even, matches: []).passed)
    }

    @Test func clientsPinned() {
        let pinned = ClientPlacement.group(podCountsByClient: ["c1": ["ws-0": 2]])
        let spread = ClientPlacement.group(podCountsByClient: ["c1": ["ws-0": 2], "c2": ["ws-0": 1, "ws-1": 1]])
        #expect(check(GateThresholds(clientsPinned: true), statistics: even, placements: pinned).passed)
        let c = check(GateThresholds(clientsPinned: true), statistics: even, placements: spread)
        #expect(!c.passed && c.detail == "1 of 2 clients spread over pods: c2 on ws-0+ws-1")
        // Many clients with one placement: counted, and up to three of them named.
        var many: [String: [String: Int]] = [:]
        for i in 0..<40 { many["client-\(i)"] = ["ws-0": 1, "ws-1": 1] }
        many["client-40"] = ["ws-1": 2]
        let m = check(GateThresholds(clientsPinned: true), statistics: even, placements: ClientPlacement.group(podCountsByClient: many))
        #expect(m.measured == 40)
        #expect(m.detail == "40 of 41 clients spread over pods: client-0 on ws-0+ws-1, client-1 on ws-0+ws-1, client-2 on ws-0+ws-1, …")
    }

    @Test func latencyPercentiles() {
        let t = GateThresholds(maxLatencyMs: ["upgrade_p99": 250])
        #expect(check(t, statistics: even, latency: ["upgrade_p99": 120]).passed)
        let slow = check(t, statistics: even, latency: ["upgrade_p99": 300.5])
        #expect(!slow.passed && slow.name == "max_upgrade_p99_ms" && slow.summary == "measured 300.5 ms, threshold ≤ 250 ms")
        #expect(!check(t, statistics: even, latency: [:]).passed)
    }

    @Test func verdictAndExitCodes() {
        let t = GateThresholds(maxSkewPercent: 10, minPodsHit: 2, maxFailed: 0)
        let pass = Gate(thresholds: t).evaluate(statistics: even, failed: 0)
        #expect(pass.passed && pass.exitCode == .passed && pass.checks.map(\.name) == ["max_skew", "min_pods_hit", "max_failed", "max_dropped"])
        let fail = Gate(thresholds: t).evaluate(statistics: skewed, failed: 0)
        #expect(!fail.passed && fail.exitCode == .gateFailed && fail.failedChecks.count == 1)
        #expect(GateVerdict(checks: []).passed)
        #expect(ExitCode.allCases.map(\.rawValue) == [0, 1, 2, 3])
    }

    /// A run that lost connections after the 101 never passes a gate: max_dropped defaults to 0 whenever any
    /// threshold is set, and can be raised explicitly; without any threshold nothing is checked.
    @Test func droppedConnectionsFailTheGateByDefault() {
        let t = GateThresholds(maxFailed: 0)
        let outage = Gate(thresholds: t).evaluate(statistics: even, failed: 0, dropped: 20)
        #expect(!outage.passed && outage.exitCode == .gateFailed)
        let check = outage.checks.first { $0.name == "max_dropped" }
        #expect(check?.threshold == 0 && check?.measured == 20 && check?.passed == false)
        #expect(check?.detail == "20 connections dropped after the 101 and not re-established (max_dropped defaults to 0 when a gate is set)")
        #expect(Gate(thresholds: GateThresholds(maxFailed: 0, maxDropped: 20)).evaluate(statistics: even, failed: 0, dropped: 20).passed)
        #expect(!Gate(thresholds: GateThresholds(maxDropped: 19)).evaluate(statistics: even, failed: 0, dropped: 20).passed)
        #expect(Gate(thresholds: GateThresholds()).evaluate(statistics: even, failed: 0, dropped: 20).checks.isEmpty)
    }

    /// An incomplete run is neither PASS nor FAIL, whatever its checks say, and exits 3.
    @Test func incompleteVerdict() {
        let v = Gate(thresholds: GateThresholds(maxSkewPercent: 50)).evaluate(
            statistics: even, failed: 0,
            incomplete: "the run was interrupted before it completed")
        #expect(v.checks.allSatisfy(\.passed) && !v.passed)
        #expect(v.status == .incomplete && v.exitCode == .runIncomplete)
        #expect(v.summary == "INCOMPLETE (the run was interrupted before it completed)")
        #expect(GateVerdict(checks: []).summary == "PASS (no gate checks)")
    }

    @Test func thresholdsDecodeFromProfileKeys() throws {
        let json = """
            {"max_skew": "20%", "min_pods_hit": 3, "max_failed": 0, "require_log_match": true,
             "clients_pinned": true, "max_upgrade_p99_ms": 250, "max_connect_p50_ms": 10.5}
            """
        let t = try JSONDecoder().decode(GateThresholds.self, from: Data(json.utf8))
        #expect(
            t
                == GateThresholds(
                    maxSkewPercent: 20, minPodsHit: 3, maxFailed: 0, requireLogMatch: true,
                    clientsPinned: true, maxLatencyMs: ["upgrade_p99": 250, "connect_p50": 10.5]))
        let again = try JSONDecoder().decode(GateThresholds.self, from: JSONEncoder().encode(t))
        #expect(again == t)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(GateThresholds.self, from: Data(#"{"max_skw": 20}"#.utf8))
        }
        #expect(GateThresholds().isEmpty)
    }
}
