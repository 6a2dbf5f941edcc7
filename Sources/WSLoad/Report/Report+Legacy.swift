import Foundation

extension Report {
    /// A schema-1/2 report's JSON with its per-client `clients` rows replaced by the `placements` they group into
    /// (schema 3); any other JSON unchanged. Runs before decoding, so `Report`'s coding stays synthesized and every
    /// field added later is read without a second list to keep.
    static func upgradingLegacyClients(_ data: Data) -> Data {
        // A schema-3 report has a `"placements"` key (a value such as a pod named so is never followed by a colon):
        // no second parse for it.
        if data.range(of: Data(#""placements" :"#.utf8)) != nil || data.range(of: Data(#""placements":"#.utf8)) != nil { return data }
        guard var object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
            object["placements"] == nil, let rows = object["clients"] as? [[String: Any]]
        else { return data }
        var byClient: [String: [String: Int]] = [:]
        for row in rows {
            guard let client = row["client"] as? String else { continue }
            for pod in row["pods"] as? [[String: Any]] ?? [] {
                guard let name = pod["pod"] as? String, let count = pod["count"] as? Int else { continue }
                byClient[client, default: [:]][name, default: 0] += count
            }
        }
        let placements = ClientPlacement.group(podCountsByClient: byClient)
        guard let encoded = try? JSONEncoder().encode(placements), let list = try? JSONSerialization.jsonObject(with: encoded) else { return data }
        object["placements"] = list
        object.removeValue(forKey: "clients")
        return (try? JSONSerialization.data(withJSONObject: object)) ?? data
    }
}
