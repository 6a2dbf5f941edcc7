import Testing

@testable import WSLoad

/// The traffic scheduler: which connections send at a tick, grouped by I/O queue, and the message text.
@Suite struct TrafficSchedulerTests {
    @Test func messageFillsClientConnAndRunIndex() {
        let t = TrafficScheduler(interval: 1, template: "c{client}-n{conn}-i{index}-{conn}", connectionsPerClient: 3)
        // Client 2's connection 1 is the run's connection 2 × 3 + 1 = 7.
        #expect(t.message(client: 2, conn: 1) == "c2-n1-i7-1")
        #expect(TrafficScheduler(interval: 1, template: "plain", connectionsPerClient: 3).message(client: 5, conn: 0) == "plain")
    }

    @Test func sourcePlaceholderIsTheClientsSourceAddress() throws {
        // traffic.message accepts `{source}` (as header templates do): client 3 of two sources takes the second.
        let t = TrafficScheduler(interval: 1, template: "from {source} #{index}", connectionsPerClient: 1, sources: ["127.0.0.2", "127.0.0.3"])
        #expect(t.message(client: 3, conn: 0) == "from 127.0.0.3 #3")
        #expect(TrafficScheduler(interval: 1, template: "from {source}", connectionsPerClient: 1).message(client: 0, conn: 0) == "from ")
        var plan = RunPlan(url: try WebSocketURL("ws://127.0.0.1:9/"), clients: 4)
        plan.sources = [SocketAddress(ip: "127.0.0.7", port: 0)!, SocketAddress(ip: "127.0.0.8", port: 0)!]
        plan.trafficMessage = "{source}"
        #expect(TrafficScheduler(plan: plan).message(client: 2, conn: 0) == plan.source(ofClient: 2)?.ip)
    }

    @Test func onlyLiveOpenConnectionsAreDueGroupedByQueue() {
        var records = (0..<5).map { ConnectionRecord(index: $0, client: $0 / 2, conn: $0 % 2) }
        records[0].status = .open
        records[1].status = .open  // but no live connection
        records[2].status = .held  // closing: sends nothing
        records[3].status = .open
        records[4].status = .open
        let t = TrafficScheduler(interval: 0.5, template: "x", connectionsPerClient: 2)
        let due = t.due(connections: ["a", nil, "c", "d", "e"], records: records, queues: 2)
        #expect(Set(due.keys) == [0, 1])
        #expect(due[0]?.map(\.connection) == ["a", "e"])
        #expect(due[0]?.map { [$0.client, $0.conn] } == [[0, 0], [2, 0]])
        #expect(due[1]?.map(\.connection) == ["d"])
        #expect(due[1]?.map { [$0.client, $0.conn] } == [[1, 1]])
    }

    @Test func zeroIntervalMeansNoTraffic() {
        #expect(!TrafficScheduler(interval: 0, template: "x", connectionsPerClient: 1).isEnabled)
        #expect(TrafficScheduler(interval: 0.1, template: "x", connectionsPerClient: 1).isEnabled)
    }
}
