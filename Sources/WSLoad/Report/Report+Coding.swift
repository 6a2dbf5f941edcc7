import Foundation

extension Report {
    enum CodingKeys: String, CodingKey {
        case schemaVersion, toolVersion, run, totals, latency, pods, statistics, explanations, placements, gate, notes, warnings
        case significance, resilience, timeline, raw
        /// Schema 1–2: one pinning row per client; read, grouped into ``placements``, never written.
        case clients
    }

    /// Reads every readable schema; a schema-1/2 report's `clients` rows become ``placements``.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        schemaVersion = try c.decode(Int.self, forKey: .schemaVersion)
        toolVersion = try c.decode(String.self, forKey: .toolVersion)
        run = try c.decode(RunMetadata.self, forKey: .run)
        totals = try c.decode(RunTotals.self, forKey: .totals)
        latency = try c.decode([LatencySummary].self, forKey: .latency)
        pods = try c.decode([PodRow].self, forKey: .pods)
        statistics = try c.decode(DistributionStatistics.self, forKey: .statistics)
        explanations = try c.decode([SpreadExplanation].self, forKey: .explanations)
        if let placements = try c.decodeIfPresent([ClientPlacement].self, forKey: .placements) {
            self.placements = placements
        } else {
            let rows = try c.decodeIfPresent([ClientPinning].self, forKey: .clients) ?? []
            var byClient: [String: [String: Int]] = [:]
            for row in rows { for p in row.pods { byClient[row.client, default: [:]][p.pod, default: 0] += p.count } }
            placements = ClientPlacement.group(podCountsByClient: byClient)
        }
        gate = try c.decode(GateVerdict.self, forKey: .gate)
        notes = try c.decode([String].self, forKey: .notes)
        warnings = try c.decode([String].self, forKey: .warnings)
        significance = try c.decodeIfPresent(SkewSignificance.self, forKey: .significance)
        resilience = try c.decodeIfPresent(ResilienceSummary.self, forKey: .resilience)
        timeline = try c.decodeIfPresent([TimelinePoint].self, forKey: .timeline)
        raw = try c.decodeIfPresent(ReportRawData.self, forKey: .raw)
    }

    /// Writes schema 3 (``placements``, no per-client rows).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(schemaVersion, forKey: .schemaVersion)
        try c.encode(toolVersion, forKey: .toolVersion)
        try c.encode(run, forKey: .run)
        try c.encode(totals, forKey: .totals)
        try c.encode(latency, forKey: .latency)
        try c.encode(pods, forKey: .pods)
        try c.encode(statistics, forKey: .statistics)
        try c.encode(explanations, forKey: .explanations)
        try c.encode(placements, forKey: .placements)
        try c.encode(gate, forKey: .gate)
        try c.encode(notes, forKey: .notes)
        try c.encode(warnings, forKey: .warnings)
        try c.encodeIfPresent(significance, forKey: .significance)
        try c.encodeIfPresent(resilience, forKey: .resilience)
        try c.encodeIfPresent(timeline, forKey: .timeline)
        try c.encodeIfPresent(raw, forKey: .raw)
    }
}
