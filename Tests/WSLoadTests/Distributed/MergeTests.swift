import Foundation
import Histogram
import Testing

@testable import WSLoad

/// Exact merge of shard reports: the merged report of a run's shards equals the one-piece report.
@Suite(.serialized) struct MergeTests {
    /// Runs `plan` against the cluster and builds its report as `run` does.
    static func report(_ plan: RunPlan, cluster: LocalCluster, thresholds: GateThresholds) throws -> Report {
        let result = try LoadEngine(plan: plan).run()
        let context = ReportContext(
            profileName: "merge-test", target: plan.url.description,
            knownPods: Dictionary(uniqueKeysWithValues: cluster.pods.map { ($0.configuration.podName, 1.0) }),
            cookiePolicy: plan.cookiePolicy, thresholds: thresholds)
        return ReportBuilder.build(result: result, context: context, shape: ReportRawData.RunShape(plan: plan))
    }

    @Test func recycledTotalsAndTimelinesMergeExactly() throws {
        let cluster = try LocalCluster(pods: 1, policy: nil)
        defer { cluster.shutdown() }
        var plan = RunPlan(url: cluster.url, clients: 6, connectionsPerClient: 1)
        plan.cookiePolicy = .none
        plan.hold = 1.2
        plan.timelineInterval = 0.25
        plan.lifetime = ConnectionLifetime(age: 0.3)
        var parts: [Report] = []
        for i in 0..<2 {
            var p = plan
            p.shard = ShardSpec(index: i, count: 2)
            parts.append(try Self.report(p, cluster: cluster, thresholds: GateThresholds()))
        }
        let decoded = try parts.map { try Report.decode(json: Data(JSONRenderer.render($0).utf8)) }
        #expect(decoded.map(\.totals.recycled) == parts.map(\.totals.recycled))
        #expect(parts.allSatisfy { $0.totals.recycled >= 3 * 2 }, "\(parts.map(\.totals.recycled))")  // ≥ 2 lives ended per connection
        let merged = try ReportMerger.merge(decoded)
        #expect(merged.totals.recycled == parts[0].totals.recycled + parts[1].totals.recycled)
        #expect(merged.totals.dropped == 0 && merged.totals.held == 6)
        // The merged timeline's last point adds the shards' last cumulative counts.
        #expect(merged.timeline?.last?.recycled == merged.totals.recycled)
    }

    @Test func shardReportsMergeToTheOnePieceReport() throws {
        let cluster = try LocalCluster(pods: 3, policy: .sourceHash)
        defer { cluster.shutdown() }
        var plan = RunPlan(url: cluster.url, clients: 12, connectionsPerClient: 2)
        plan.sources = sources(2...13)
        plan.cookiePolicy = .none
        plan.hold = 0.1
        plan.timelineInterval = 0
        let thresholds = GateThresholds(maxSkewPercent: 500, minPodsHit: 1, maxFailed: 0, clientsPinned: true)
        let whole = try Self.report(plan, cluster: cluster, thresholds: thresholds)
        var parts: [Report] = []
        for i in 0..<3 {
            var p = plan
            p.shard = ShardSpec(index: i, count: 3)
            parts.append(try Self.report(p, cluster: cluster, thresholds: thresholds))
        }
        #expect(parts.map(\.totals.attempted) == [8, 8, 8])
        // Through JSON, as `wsload merge` reads them.
        let decoded = try parts.map { try Report.decode(json: Data(JSONRenderer.render($0).utf8)) }
        #expect(decoded == parts)
        let merged = try ReportMerger.merge(decoded)

        #expect(whole.totals.attempted == 24 && whole.totals.held == 24)
        #expect(merged.totals == whole.totals)
        #expect(merged.statistics == whole.statistics)
        #expect(merged.pods == whole.pods)
        #expect(merged.placements == whole.placements)
        #expect(merged.explanations == whole.explanations)
        #expect(merged.gate == whole.gate)
        #expect(merged.gate.checks.map(\.name) == ["max_skew", "min_pods_hit", "max_failed", "max_dropped", "clients_pinned"])
        #expect(merged.raw?.sourceAddresses == whole.raw?.sourceAddresses)
        #expect(merged.raw?.heldPerPod == whole.raw?.heldPerPod)
        #expect(merged.raw?.clientCount == 12)
        // Histograms: same total counts as the one-piece run; the merged one is the sum of the parts.
        let names = Set(whole.raw!.histograms.keys)
        #expect(Set(merged.raw!.histograms.keys) == names)
        for name in names {
            #expect(merged.raw!.histograms[name]!.totalCount == whole.raw!.histograms[name]!.totalCount, "\(name)")
            var sum = parts[0].raw!.histograms[name]!
            sum.autoResize = true
            for p in parts.dropFirst() { sum.add(p.raw!.histograms[name]!) }
            #expect(merged.raw!.histograms[name]! == sum, "\(name)")
        }
        #expect(merged.latency.map(\.count) == whole.latency.map(\.count))
        #expect(merged.notes.contains { $0.hasPrefix("Merged from 3 reports (shards 0/3, 1/3, 2/3)") })
        #expect(merged.warnings.allSatisfy { !$0.contains("missing") })
        // A merged report round-trips and can be rendered.
        #expect(try Report.decode(json: Data(JSONRenderer.render(merged).utf8)) == merged)
    }

    @Test func shardsKeepGlobalClientNumbering() throws {
        let cluster = try LocalCluster(pods: 2, policy: .cookie)
        defer { cluster.shutdown() }
        var plan = RunPlan(url: cluster.url, clients: 5, connectionsPerClient: 3)
        plan.cookiePolicy = .shared  // everyone waits for the shard's first client: must not deadlock in a shard without client 0
        plan.attribution = AttributionRules(headers: ["X-Pod-Name"], cookieName: "SERVERID")
        plan.shard = ShardSpec(index: 1, count: 2)
        plan.timelineInterval = 0
        let result = try LoadEngine(plan: plan).run()
        #expect(Set(result.records.map(\.client)) == [1, 3])
        #expect(result.records.count == 6 && result.held == 6)
        #expect(plan.totalConnections == 6 && plan.allConnections == 15)
    }

    @Test func eventsRunByTheParentAreMovedOntoTheMergedClock() throws {
        let a = Self.syntheticReport(shard: ShardSpec(index: 0, count: 2))
        let b = Self.syntheticReport(shard: ShardSpec(index: 1, count: 2))
        let runStart = try #require(a.raw?.window.runStart)
        // The parent's events clock started 0.75 s before the workers' run: an event it started at 2.0 s ran 1.25 s in.
        let event = EventRecord(
            name: "scale", at: 2, command: "kubectl scale", outcome: .succeeded, startedAt: 2, duration: 0.1,
            status: "exit status 0", exitStatus: 0)
        let merged = try ReportMerger.merge([a, b], options: .init(events: [event], eventsOrigin: runStart.addingTimeInterval(-0.75)))
        #expect(merged.events?.map(\.startedAt) == [1.25])
        #expect(merged.events?.first?.at == 2)
        #expect(merged.raw?.events == merged.events)
    }

    @Test func mismatchedInputsAreRefused() throws {
        let a = Self.syntheticReport(shard: ShardSpec(index: 0, count: 2))
        let b = Self.syntheticReport(shard: ShardSpec(index: 1, count: 2))
        #expect(throws: Never.self) { try ReportMerger.merge([a, b]) }
        // Duplicate shard.
        #expect { try ReportMerger.merge([a, a], options: .init(labels: ["x.json", "y.json"])) } throws: {
            "\($0)".contains("x.json and y.json are both shard 0/2") || "\($0)".contains("y.json and x.json are both shard 0/2")
        }
        // Different shard counts.
        let c = Self.syntheticReport(shard: ShardSpec(index: 1, count: 3))
        #expect { try ReportMerger.merge([a, c]) } throws: { "\($0)".contains("split into 2 shards") }
        // Different targets and profiles.
        var d = b
        d.run = RunMetadata(
            profile: b.run.profile, target: "ws://10.0.0.1/other", startedAt: b.run.startedAt, endedAt: b.run.endedAt, phases: b.run.phases)
        #expect { try ReportMerger.merge([a, d]) } throws: { "\($0)".contains("ran against ws://10.0.0.1/other") }
        var e = b
        e.run.profile = "another"
        #expect { try ReportMerger.merge([a, e]) } throws: { "\($0)".contains("profile another") }
        // A schema-1 report has no raw data.
        var f = b
        f.raw = nil
        f.schemaVersion = 1
        #expect { try ReportMerger.merge([a, f]) } throws: { "\($0)".contains("no raw data (schema version 1)") }
        // Two whole runs.
        let w = Self.syntheticReport(shard: nil)
        #expect { try ReportMerger.merge([w, w]) } throws: { "\($0)".contains("both whole runs") }
        // A missing shard is merged with a warning, not refused.
        let partial = try ReportMerger.merge([a])
        #expect(partial.warnings.contains { $0.contains("shard 1/2 is missing") })
    }

    @Test func lostShardsAreCountedAsFailed() throws {
        let a = Self.syntheticReport(shard: ShardSpec(index: 0, count: 2))
        let lost = LostShard(
            shard: ShardSpec(index: 1, count: 2), connections: 5000, reason: "worker 1 exited with signal 9 (SIGKILL)", lastOpen: 4990)
        let merged = try ReportMerger.merge([a], options: .init(thresholds: GateThresholds(maxFailed: 0), lostShards: [lost]))
        #expect(merged.totals.failed == a.totals.failed + 5000)
        #expect(merged.totals.attempted == a.totals.attempted + 5000)
        #expect(merged.totals.failures.contains { $0.phase == "worker" && $0.count == 5000 })
        #expect(
            merged.warnings.contains {
                $0.contains("worker 1 exited with signal 9 (SIGKILL): its 5000 connections (shard 1/2) are counted as failed/unknown")
            })
        #expect(merged.gate.passed == false)
        #expect(!merged.warnings.contains { $0.contains("missing") })
    }

    @Test func tlsResumptionCountsAreSummed() throws {
        var a = Self.syntheticReport(shard: ShardSpec(index: 0, count: 2))
        var b = Self.syntheticReport(shard: ShardSpec(index: 1, count: 2))
        a.totals.tlsHandshakes = 10; a.totals.tlsResumed = 9
        b.totals.tlsHandshakes = 7; b.totals.tlsResumed = 0
        let merged = try ReportMerger.merge([a, b])
        #expect(merged.totals.tlsHandshakes == 17 && merged.totals.tlsResumed == 9)
        #expect(merged.totals.tlsSummary == "TLS handshakes: 17 (9 resumed, 8 full)")
        #expect(TableRenderer.render(merged).contains("TLS handshakes: 17 (9 resumed, 8 full)"))
        // Plain runs carry neither field, so their JSON is unchanged.
        let plain = try ReportMerger.merge([Self.syntheticReport(shard: ShardSpec(index: 0, count: 2))])
        #expect(plain.totals.tlsSummary == nil)
        #expect(!String(decoding: try JSONRenderer.encoder().encode(plain), as: UTF8.self).contains("tlsHandshakes"))
    }

    @Test func compactHistogramRoundTripIsExact() throws {
        var h = Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
        h.autoResize = true
        for v: UInt64 in [1, 7, 250, 251, 1023, 1024, 99_999, 4_000_000, 4_000_001, 3_599_999_999] { _ = h.record(v) }
        _ = h.record(12_345, count: 40)
        let back = try CompactHistogram(h).histogram()
        #expect(back == h)
        #expect(back.totalCount == 50 && back.max == h.max && back.minNonZero == h.minNonZero)
        #expect(back.valueAtPercentile(99) == h.valueAtPercentile(99))
        let empty = Histogram<UInt64>(highestTrackableValue: 1000, numberOfSignificantValueDigits: .two)
        #expect(try CompactHistogram(empty).histogram() == empty)
        var bad = CompactHistogram(h)
        bad.total += 1
        #expect(throws: DecodingError.self) { try bad.histogram() }
    }

    @Test func versionOneReportsStillDecode() throws {
        let report = try Report.decode(json: Data(Self.versionOneJSON.utf8))
        #expect(report.schemaVersion == 1)
        #expect(report.raw == nil)
        #expect(report.pods.map(\.name) == ["ws-0", "ws-1", "ws-2"])
        #expect(report.gate.passed == false)
        // Its per-client rows (client-1: ws-0 ×2, client-2: ws-0 + ws-1) are read as placements.
        #expect(
            report.placements == [
                ClientPlacement(pods: [.init(pod: "ws-0", count: 1), .init(pod: "ws-1", count: 1)], clients: 1, examples: ["client-2"]),
                ClientPlacement(pods: [.init(pod: "ws-0", count: 2)], clients: 1, examples: ["client-1"]),
            ])
        let future = Self.versionOneJSON.replacingOccurrences(of: "\"schemaVersion\" : 1", with: "\"schemaVersion\" : 4")
        #expect(throws: DecodingError.self) { try Report.decode(json: Data(future.utf8)) }
        #expect(Report.currentSchemaVersion == 3)
    }

    /// A small report with raw data, as a shard of a run of 10 clients × 1.
    static func syntheticReport(shard: ShardSpec?) -> Report {
        let start = Date(timeIntervalSince1970: 1_795_608_000)
        var records: [ConnectionRecord] = []
        let clients = shard.map { Array($0.clients(of: 10)) } ?? Array(0..<10)
        for c in clients {
            var r = ConnectionRecord(index: records.count, client: c, conn: 0)
            r.status = .held
            r.pod = "ws-\(c % 2)"
            r.local = "127.0.0.\(2 + c):4000\(c)"
            records.append(r)
        }
        var h = Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
        h.autoResize = true
        for r in records { _ = h.record(UInt64(100 + r.client)) }
        var held: [String: Int] = [:]
        for r in records { held[r.pod!, default: 0] += 1 }
        let result = EngineResult(
            records: records, startedAt: start, holdStartedAt: start.addingTimeInterval(1), holdEndedAt: start.addingTimeInterval(2),
            endedAt: start.addingTimeInterval(3), histograms: ["upgrade": h], heldPerPod: held, warnings: [], interrupted: false,
            distinctCookieValues: 0)
        var plan = RunPlan(url: try! WebSocketURL("ws://127.0.0.1:9/ws"), clients: 10, connectionsPerClient: 1)
        plan.shard = shard
        return ReportBuilder.build(
            result: result, context: ReportContext(profileName: "p", target: "ws://127.0.0.1:9/ws", knownPods: ["ws-0": 1, "ws-1": 1]),
            shape: ReportRawData.RunShape(plan: plan))
    }

    /// The golden report as schema 1 wrote it (before `raw` existed).
    static let versionOneJSON = """
        {
          "clients" : [
            {
              "client" : "client-1",
              "pinned" : true,
              "pods" : [
                {
                  "count" : 2,
                  "pod" : "ws-0"
                }
              ]
            },
            {
              "client" : "client-2",
              "pinned" : false,
              "pods" : [
                {
                  "count" : 1,
                  "pod" : "ws-0"
                },
                {
                  "count" : 1,
                  "pod" : "ws-1"
                }
              ]
            }
          ],
          "explanations" : [
            {
              "code" : "singleSourceAddress",
              "message" : "All 20 connections came from one source address (127.0.0.1); a Service with sessionAffinity: ClientIP or an HAProxy `balance source` / nginx `hash $remote_addr` sends every connection from one address to one pod. Use more source addresses or drop address affinity."
            }
          ],
          "gate" : {
            "checks" : [
              {
                "comparison" : "atMost",
                "detail" : "largest deviation on ws-2: 0 connections vs 6.7 expected",
                "measured" : 100,
                "name" : "max_skew",
                "passed" : false,
                "threshold" : 50,
                "unit" : "%"
              },
              {
                "comparison" : "atLeast",
                "detail" : "2 of 3 pods received connections; not hit: ws-2",
                "measured" : 2,
                "name" : "min_pods_hit",
                "passed" : true,
                "threshold" : 2,
                "unit" : "pods"
              },
              {
                "comparison" : "atMost",
                "detail" : "1 connection failed",
                "measured" : 1,
                "name" : "max_failed",
                "passed" : true,
                "threshold" : 1,
                "unit" : "connections"
              },
              {
                "comparison" : "atMost",
                "detail" : "ws-1: server has fewer; ws-2: not back to baseline",
                "measured" : 2,
                "name" : "require_log_match",
                "passed" : false,
                "threshold" : 0,
                "unit" : "pods"
              },
              {
                "comparison" : "atMost",
                "detail" : "upgrade_p99 latency",
                "measured" : 12.25,
                "name" : "max_upgrade_p99_ms",
                "passed" : false,
                "threshold" : 10,
                "unit" : "ms"
              }
            ],
            "passed" : false
          },
          "latency" : [
            {
              "count" : 20,
              "maxMs" : 4.75,
              "p50Ms" : 1.25,
              "p90Ms" : 2.5,
              "p99Ms" : 4,
              "phase" : "connect"
            },
            {
              "count" : 20,
              "maxMs" : 13,
              "p50Ms" : 3.5,
              "p90Ms" : 8,
              "p99Ms" : 12.25,
              "phase" : "upgrade"
            }
          ],
          "notes" : [
            "server logs read with kubectl logs -l app=ws --prefix"
          ],
          "pods" : [
            {
              "clients" : 12,
              "expectedShare" : 0.3333333333333333,
              "match" : "matched",
              "name" : "ws-0",
              "serverAfterClose" : 1,
              "serverBaseline" : 1,
              "serverDelta" : 12,
              "serverHold" : 13,
              "serverPeak" : 13,
              "share" : 0.6
            },
            {
              "clients" : 8,
              "expectedShare" : 0.3333333333333333,
              "match" : "serverHasFewer",
              "name" : "ws-1",
              "serverAfterClose" : 0,
              "serverBaseline" : 0,
              "serverDelta" : 7,
              "serverHold" : 7,
              "serverPeak" : 7,
              "share" : 0.4
            },
            {
              "clients" : 0,
              "expectedShare" : 0.3333333333333333,
              "match" : "notReturnedToBaseline",
              "name" : "ws-2",
              "serverAfterClose" : 1,
              "serverBaseline" : 0,
              "serverDelta" : 0,
              "serverHold" : 0,
              "serverPeak" : 0,
              "share" : 0
            }
          ],
          "run" : {
            "endedAt" : "2026-11-25T12:01:02.750Z",
            "phases" : [
              {
                "end" : "2026-11-25T12:00:10.250Z",
                "name" : "ramp",
                "start" : "2026-11-25T12:00:00.250Z"
              },
              {
                "end" : "2026-11-25T12:00:50.250Z",
                "name" : "hold",
                "start" : "2026-11-25T12:00:10.250Z"
              },
              {
                "end" : "2026-11-25T12:01:00.250Z",
                "name" : "close",
                "start" : "2026-11-25T12:00:50.250Z"
              }
            ],
            "profile" : "demo & <friends>",
            "startedAt" : "2026-11-25T12:00:00.250Z",
            "target" : "wss://REDACTED@ws.example.com/ws?token=REDACTED&room=1"
          },
          "schemaVersion" : 1,
          "statistics" : {
            "chiSquare" : 11.2,
            "coefficientOfVariation" : 0.7483314773547882,
            "degreesOfFreedom" : 2,
            "maxDeviationPercent" : 100,
            "mean" : 6.666666666666667,
            "minIsZero" : true,
            "pValue" : 0.0036978637164829325,
            "pods" : [
              {
                "count" : 12,
                "deviationPercent" : 80,
                "expectedCount" : 6.666666666666666,
                "expectedShare" : 0.3333333333333333,
                "pod" : "ws-0",
                "share" : 0.6
              },
              {
                "count" : 8,
                "deviationPercent" : 20,
                "expectedCount" : 6.666666666666666,
                "expectedShare" : 0.3333333333333333,
                "pod" : "ws-1",
                "share" : 0.4
              },
              {
                "count" : 0,
                "deviationPercent" : -100,
                "expectedCount" : 6.666666666666666,
                "expectedShare" : 0.3333333333333333,
                "pod" : "ws-2",
                "share" : 0
              }
            ],
            "podsHit" : 2,
            "podsNotHit" : [
              "ws-2"
            ],
            "total" : 20,
            "unexpectedPods" : [

            ]
          },
          "toolVersion" : "0.1.0",
          "totals" : {
            "attempted" : 21,
            "closed" : 20,
            "established" : 20,
            "failed" : 1,
            "failures" : [
              {
                "count" : 1,
                "phase" : "upgrade",
                "reason" : "HTTP 503 <Service Unavailable>"
              }
            ],
            "held" : 20
          },
          "warnings" : [
            "3 log lines were not recognised"
          ]
        }
        """
}
