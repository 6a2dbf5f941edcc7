import Testing

@testable import WSLoad

@Suite struct AnalysisExplainerTests {
    let explainer = SpreadExplainer()
    let allOnOne = DistributionStatistics(counts: ["ws-0": 20, "ws-1": 0, "ws-2": 0])
    let even = DistributionStatistics(counts: ["ws-0": 7, "ws-1": 6, "ws-2": 7])

    @Test func oneSourceAddress() {
        let inputs = RunInputs(sourceAddresses: ["127.0.0.1"], clientCount: 20)
        let e = explainer.explain(inputs: inputs, statistics: DistributionStatistics(counts: ["ws-0": 20, "ws-1": 0]))
        #expect(e.map(\.code) == [.singleSourceAddress])
        #expect(
            e[0].message.hasPrefix(
                "All 20 connections came from one source address (127.0.0.1). That is consistent with "
                    + "address affinity"))
        #expect(e[0].evidence == "20 connections from 1 source address (127.0.0.1); 1 of 2 pods received none (ws-1)")
    }

    @Test func oneSlash24() {
        let addresses = (1...200).map { "127.0.0.\($0)" }
        let e = explainer.explain(
            inputs: RunInputs(sourceAddresses: addresses, clientCount: 200),
            statistics: DistributionStatistics(counts: ["ws-0": 200, "ws-1": 0]))
        #expect(e.map(\.code) == [.singleSlash24])
        #expect(
            e[0].message.hasPrefix(
                "All 200 source addresses lie inside one /24 (127.0.0.0/24). That is consistent "
                    + "with nginx `ip_hash`"))
        #expect(e[0].evidence == "200 source addresses, all in 127.0.0.0/24; 1 of 2 pods received none (ws-1)")
    }

    @Test func sharedCookie() {
        let inputs = RunInputs(
            sourceAddresses: ["10.0.0.1", "10.0.1.1"], cookiePolicy: .shared,
            distinctCookieValues: 1, clientCount: 20)
        let e = explainer.explain(inputs: inputs, statistics: allOnOne)
        #expect(e.map(\.code) == [.sharedAffinityCookie])
        #expect(e[0].message.hasPrefix("The connections carried one and the same affinity cookie value"))
    }

    /// One cookie value seen on a few connections among many without one is no evidence of a shared cookie.
    @Test func aFewCookieCarriersAreNotASharedCookie() {
        let few = RunInputs(
            sourceAddresses: ["10.0.0.1", "10.0.1.1"], cookiePolicy: .perClient, distinctCookieValues: 1,
            clientCount: 20, cookieCarriers: 4, established: 20)
        #expect(explainer.explain(inputs: few, statistics: allOnOne).map(\.code) == [.unexplained])
        let most = RunInputs(
            sourceAddresses: ["10.0.0.1", "10.0.1.1"], cookiePolicy: .shared, distinctCookieValues: 1,
            clientCount: 20, cookieCarriers: 19, established: 20)
        let e = explainer.explain(inputs: most, statistics: allOnOne)
        #expect(e.map(\.code) == [.sharedAffinityCookie])
        #expect(
            e.first?.evidence == "19 of 20 established connections carried 1 distinct affinity cookie value; 2 of 3 pods received none (ws-1, ws-2)")
        // A shared jar that never received a cookie: cookie affinity cannot be the cause.
        let none = RunInputs(
            sourceAddresses: ["10.0.0.1", "10.0.1.1"], cookiePolicy: .shared, distinctCookieValues: 0,
            clientCount: 20, cookieCarriers: 0, established: 20)
        #expect(explainer.explain(inputs: none, statistics: allOnOne).map(\.code) == [.unexplained])
    }

    /// A run aimed straight at one pod gets the single-pod explanation and nothing inferred about a balancer.
    @Test func aSinglePodTargetIsNotExplainedAsABalancer() {
        let inputs = RunInputs(
            sourceAddresses: (2...21).map { "127.0.0.\($0)" }, cookiePolicy: .perClient,
            distinctCookieValues: 1, targetIsSinglePod: true, singlePodTargetKind: "pod address",
            clientCount: 20, cookieCarriers: 20, established: 20)
        let e = explainer.explain(inputs: inputs, statistics: allOnOne)
        #expect(e.map(\.code) == [.singlePodTarget])
        #expect(e.first?.evidence == "target.kind: pod address")
    }

    @Test func perClientCookieWithOneValueCountsAsShared() {
        let inputs = RunInputs(
            sourceAddresses: ["10.0.0.1", "10.0.1.1"], cookiePolicy: .perClient,
            distinctCookieValues: 1, clientCount: 20)
        #expect(explainer.explain(inputs: inputs, statistics: allOnOne).map(\.code) == [.sharedAffinityCookie])
    }

    @Test func fewerClientsThanPods() {
        let inputs = RunInputs(
            sourceAddresses: ["10.0.0.1", "10.0.1.1"], cookiePolicy: .perClient,
            distinctCookieValues: 2, clientCount: 2)
        let e = explainer.explain(inputs: inputs, statistics: DistributionStatistics(counts: ["a": 10, "b": 10, "c": 0]))
        #expect(e.map(\.code) == [.fewerClientsThanPods])
    }

    @Test func portForwardIsAlwaysExplained() {
        let inputs = RunInputs(
            sourceAddresses: ["127.0.0.1", "127.0.1.1"], targetIsSinglePod: true,
            singlePodTargetKind: "port-forward", clientCount: 20)
        let e = explainer.explain(inputs: inputs, statistics: DistributionStatistics(counts: ["ws-0": 20]))
        #expect(e.map(\.code) == [.singlePodTarget])
        #expect(e[0].message.hasPrefix("The target is a single port-forward, which always reaches exactly one pod"))
        let poor = explainer.explain(inputs: inputs, statistics: allOnOne)
        #expect(poor.map(\.code) == [.singlePodTarget])
    }

    @Test func variedInputsAndEvenSpreadNeedNoExplanation() {
        let inputs = RunInputs(
            sourceAddresses: ["10.0.0.1", "10.0.1.1", "10.0.2.1"], cookiePolicy: .perConnection,
            distinctCookieValues: 20, clientCount: 20)
        #expect(explainer.explain(inputs: inputs, statistics: even).isEmpty)
        #expect(!explainer.isPoor(even))
    }

    @Test func poorSpreadWithVariedInputsIsUnexplained() {
        let inputs = RunInputs(sourceAddresses: ["10.0.0.1", "10.0.1.1"], clientCount: 20)
        #expect(explainer.explain(inputs: inputs, statistics: allOnOne).map(\.code) == [.unexplained])
    }

    @Test func slash24Prefixes() {
        #expect(RunInputs.slash24Prefix(of: "192.168.7.42") == "192.168.7.0/24")
        #expect(RunInputs.slash24Prefix(of: "::1") == nil)
        #expect(RunInputs.slash24Prefix(of: "1.2.3.256") == nil)
        let inputs = RunInputs(sourceAddresses: ["10.0.0.1", "10.0.0.2", "10.0.1.1", "::1"], clientCount: 1)
        #expect(inputs.slash24Prefixes == ["10.0.0.0/24", "10.0.1.0/24"])
        #expect(inputs.distinctSourceAddresses == 4)
    }

    @Test func pinning() {
        let verdicts = ClientPinning.evaluate(connectionsByClient: [
            "c1": ["ws-0", "ws-0", "ws-0"], "c2": ["ws-0", "ws-1"], "c10": ["ws-2"],
        ])
        #expect(verdicts.map(\.client) == ["c1", "c2", "c10"])
        #expect(verdicts.map(\.pinned) == [true, false, true])
        #expect(verdicts[0].pod == "ws-0")
        #expect(verdicts[0].connections == 3)
        #expect(verdicts[1].pod == nil)
        #expect(verdicts[1].pods == [.init(pod: "ws-0", count: 1), .init(pod: "ws-1", count: 1)])
        let fromCounts = ClientPinning.evaluate(podCountsByClient: ["c1": ["ws-0": 3, "ws-1": 0]])
        #expect(fromCounts[0].pinned && fromCounts[0].pods.count == 1)
    }
}

/// Placements: clients with equal per-pod counts counted together; merging adds them; renaming regroups.
@Suite struct ClientPlacementTests {
    @Test func groupsByPerPodCounts() {
        let p = ClientPlacement.group(podCountsByClient: [
            "client-3": ["ws-0": 2], "client-1": ["ws-0": 2], "client-2": ["ws-1": 1, "ws-0": 1],
            "client-4": ["ws-0": 0], "client-10": ["ws-0": 2], "client-9": ["ws-0": 2],
        ])
        #expect(
            p == [
                ClientPlacement(pods: [.init(pod: "ws-0", count: 2)], clients: 4, examples: ["client-1", "client-3", "client-9"]),
                ClientPlacement(pods: [.init(pod: "ws-0", count: 1), .init(pod: "ws-1", count: 1)], clients: 1, examples: ["client-2"]),
            ], "client-4 has no attributed connection; examples in natural order, three at most")
        #expect(p.clientCount == 5 && p.unpinnedClients == 1)
        #expect(p[0].pinned && p[0].pod == "ws-0" && p[0].connectionsPerClient == 2 && !p[1].pinned && p[1].pod == nil)
    }

    /// Engine records, two connections per client: client 0 both on ws-0; client 1 one on ws-0, one on ws-1;
    /// client 2 one held on ws-0 and one failed (places it as {ws-0: 1}); client 3 only failed (no placement);
    /// client 4 one dropped from ws-0 and one held without a pod (`?`); clients 5 and 11 like client 0.
    static func records() -> [ConnectionRecord] {
        let layout: [(Int, ConnectionRecord.Status, String?)] = [
            (0, .held, "ws-0"), (0, .held, "ws-0"), (1, .held, "ws-0"), (1, .held, "ws-1"), (2, .held, "ws-0"), (2, .failed, nil),
            (3, .failed, nil), (3, .failed, nil), (4, .dropped, "ws-0"), (4, .held, nil), (5, .held, "ws-0"), (5, .held, "ws-0"),
            (11, .held, "ws-0"), (11, .held, "ws-0"),
        ]
        return layout.enumerated().map { i, e in
            var r = ConnectionRecord(index: i, client: e.0, conn: i % 2)
            r.status = e.1
            r.pod = e.2
            return r
        }
    }

    @Test func recordsGroupIntoPlacementsInAnyOrder() {
        let expected = [
            ClientPlacement(pods: [.init(pod: "ws-0", count: 2)], clients: 3, examples: ["client-0", "client-5", "client-11"]),
            ClientPlacement(pods: [.init(pod: "?", count: 1), .init(pod: "ws-0", count: 1)], clients: 1, examples: ["client-4"]),
            ClientPlacement(pods: [.init(pod: "ws-0", count: 1)], clients: 1, examples: ["client-2"]),
            ClientPlacement(pods: [.init(pod: "ws-0", count: 1), .init(pod: "ws-1", count: 1)], clients: 1, examples: ["client-1"]),
        ]
        #expect(ClientPlacement.group(records: Self.records()) == expected)
        // Out of client order (as no engine writes them) the placements are the same.
        #expect(ClientPlacement.group(records: Self.records().reversed()) == expected)
        var rng = SeededRandom(seed: 7)
        #expect(ClientPlacement.group(records: Self.records().shuffled(using: &rng)) == expected)
    }

    @Test func examplesAreTheFirstClientsInNaturalOrderWhateverTheOrderOfArrival() {
        // 12 clients on one pod, arriving 11, 10, …, 0: the examples are still client-0, client-1, client-2.
        let records = (0..<12).reversed().map { c -> ConnectionRecord in
            var r = ConnectionRecord(index: c, client: c, conn: 0)
            r.status = .held
            r.pod = "ws-0"
            return r
        }
        let p = ClientPlacement.group(records: records)
        #expect(p == [ClientPlacement(pods: [.init(pod: "ws-0", count: 1)], clients: 12, examples: ["client-0", "client-1", "client-2"])])
    }

    @Test func mergingAddsEqualPlacements() {
        let a = ClientPlacement.group(podCountsByClient: ["client-0": ["ws-0": 1], "client-2": ["ws-1": 1]])
        let b = ClientPlacement.group(podCountsByClient: ["client-1": ["ws-0": 1], "client-3": ["ws-0": 1]])
        let m = ClientPlacement.merged(a + b)
        #expect(
            m == [
                ClientPlacement(pods: [.init(pod: "ws-0", count: 1)], clients: 3, examples: ["client-0", "client-1", "client-3"]),
                ClientPlacement(pods: [.init(pod: "ws-1", count: 1)], clients: 1, examples: ["client-2"]),
            ])
        // The same as grouping the whole run at once.
        #expect(
            m
                == ClientPlacement.group(podCountsByClient: [
                    "client-0": ["ws-0": 1], "client-2": ["ws-1": 1],
                    "client-1": ["ws-0": 1], "client-3": ["ws-0": 1],
                ]))
    }

    @Test func renamingRegroupsAndDropsUnattributed() {
        // A cookie group matched to ws-1 and an unattributed connection: client-1 becomes {ws-1: 2}, pinned.
        let p = ClientPlacement.group(podCountsByClient: ["client-1": ["cookie#ab": 1, "ws-1": 1, "?": 1], "client-2": ["ws-1": 2]])
        let renamed = ClientPlacement.renamed(p) { $0 == "?" ? nil : ($0 == "cookie#ab" ? "ws-1" : $0) }
        #expect(renamed == [ClientPlacement(pods: [.init(pod: "ws-1", count: 2)], clients: 2, examples: ["client-1", "client-2"])])
    }
}
