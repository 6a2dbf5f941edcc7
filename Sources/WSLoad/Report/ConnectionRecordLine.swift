import Foundation

/// One line of `connections.jsonl` for a record, written directly into a byte buffer.
///
/// At the end of a run every connection's record is written; through `JSONEncoder` that was 7 % of a
/// 15 000-connection run's whole CPU (issue 14). The common record — no failure, reconnect, recycle or drop
/// detail — is written here field by field with the same keys, in the same (sorted) order, and the same
/// omissions as ``ConnectionRecord/encode(to:)``, so `JSONDecoder` reads back an equal record. Anything else
/// (the rare fields, a non-finite duration) goes through `JSONEncoder`, which stays the definition.
enum ConnectionRecordLine {
    /// Appends `record`'s JSON object (no newline) to `out`. `encoder` must use `.sortedKeys`.
    static func append(_ record: ConnectionRecord, to out: inout Data, encoder: JSONEncoder) throws {
        guard let fast = fastLine(record) else {
            out.append(try encoder.encode(record))
            return
        }
        out.append(contentsOf: fast.utf8)
    }

    /// The line, or nil when the record needs the general encoder.
    static func fastLine(_ r: ConnectionRecord) -> String? {
        guard r.failure == nil, r.reconnects == 0, r.reconnectAttempts == 0, r.disruptionsMs.isEmpty, r.previousPods.isEmpty,
            r.recycles == 0, r.recycledFromPods.isEmpty, r.ageAtDropSeconds == nil, r.silentForMsAtDetection == nil
        else { return nil }
        let durations = [r.firstMessageMs, r.tcpConnectMs, r.tlsMs, r.upgradeMs]
        guard durations.allSatisfy({ $0?.isFinite ?? true }) else { return nil }
        // Keys in the order JSONEncoder's .sortedKeys writes them.
        var s = "{"
        s.reserveCapacity(320)
        var first = true
        func key(_ k: String) {
            if !first { s += "," }
            first = false
            s += "\""; s += k; s += "\":"
        }
        if let v = r.affinityCookie { key("affinityCookie"); JSONString.append(v, to: &s) }
        key("client"); s += String(r.client)
        key("conn"); s += String(r.conn)
        key("deflate"); s += r.deflate ? "true" : "false"
        key("disruptionsMs"); s += "[]"
        if let v = r.firstMessageMs { key("firstMessageMs"); s += number(v) }
        key("index"); s += String(r.index)
        if let v = r.local { key("local"); JSONString.append(v, to: &s) }
        if let v = r.peerCloseCode { key("peerCloseCode"); s += String(v) }
        if let v = r.pod { key("pod"); JSONString.append(v, to: &s) }
        if let v = r.podSource { key("podSource"); JSONString.append(v.rawValue, to: &s) }
        key("previousPods"); s += "[]"
        key("receivedCookieNames"); s += "["
        for (i, name) in r.receivedCookieNames.enumerated() {
            if i > 0 { s += "," }
            JSONString.append(name, to: &s)
        }
        s += "]"
        key("reconnectAttempts"); s += "0"
        key("reconnects"); s += "0"
        key("sentCookie"); s += r.sentCookie ? "true" : "false"
        key("status"); JSONString.append(r.status.rawValue, to: &s)
        if let v = r.tcpConnectMs { key("tcpConnectMs"); s += number(v) }
        if let v = r.tlsMs { key("tlsMs"); s += number(v) }
        if r.tlsResumed { key("tlsResumed"); s += "true" }
        if let v = r.upgradeMs { key("upgradeMs"); s += number(v) }
        s += "}"
        return s
    }

    /// A finite double as a JSON number: Swift's shortest round-trip form (`0.25`, `12.0`, `1e-05`), all valid JSON.
    private static func number(_ v: Double) -> String { v.description }
}
