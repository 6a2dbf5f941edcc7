/// Report notes that explain how server-log matching read each pod: where baselines came from (when not
/// simply read before the run), counter restarts, other clients' traffic.
enum LogMatchNotes {
    /// The notes for a run's matches, in a fixed order; empty when every pod was read plainly.
    static func notes(_ matches: [PodMatch]) -> [String] {
        var notes: [String] = []
        func pods(_ f: (PodMatch) -> Bool) -> [String] { matches.filter(f).map(\.pod) }
        let earlier = pods { $0.baselineSource == .earlierLog }
        if !earlier.isEmpty {
            notes.append(
                "Baseline of \(earlier.joined(separator: ", ")) from the earlier log (bounded --tail search): "
                    + "the followed log printed no count before the run.")
        }
        let sameSecond = pods { $0.baselineSource == .sameSecond }
        if !sameSecond.isEmpty {
            notes.append(
                "Baseline of \(sameSecond.joined(separator: ", ")) is the lowest count in the run start's second: "
                    + "their log stamps are too coarse to order the lines around the start.")
        }
        let assumed = pods { $0.baselineSource == .assumedZero && $0.classification != .noServerData }
        if !assumed.isEmpty {
            notes.append("No count before the run for \(assumed.joined(separator: ", ")): baseline assumed 0.")
        }
        let restarted = pods { $0.counterRestarted == true }
        if !restarted.isEmpty {
            notes.append(
                "The count of \(restarted.joined(separator: ", ")) fell to 0 during the run (pod restarted?): "
                    + "the delta is counted from 0.")
        }
        for m in matches where m.classification == .otherTraffic {
            let n = m.otherTraffic ?? 0
            notes.append(
                "\(m.pod): other clients' traffic \(n > 0 ? "+" : "")\(n) (server Δ \(m.delta ?? 0), wsload \(m.clientCount)): "
                    + (n > 0
                        ? "\(n) connection\(n == 1 ? "" : "s") more than before the run remained after wsload closed all of its own."
                        : "\(-n) connection\(n == -1 ? "" : "s") that predated the run had gone by the end."))
        }
        return notes
    }
}
