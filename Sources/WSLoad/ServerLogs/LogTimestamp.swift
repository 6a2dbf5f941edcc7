import Foundation

/// Timestamp recognisers for server log lines: RFC 3339, `kubectl logs --timestamps`, klog and epoch numbers.
public enum LogTimestamp {
    /// Parses a complete RFC 3339 timestamp such as `2026-11-25T12:00:01.123456789Z` or `…+01:00`.
    public static func parseRFC3339(_ text: Substring) -> Date? {
        let b = Array(text.utf8)
        guard let (date, used) = scanRFC3339(b, from: 0), used == b.count else { return nil }
        return date
    }

    /// Parses a complete RFC 3339 timestamp string.
    public static func parseRFC3339(_ text: String) -> Date? { parseRFC3339(text[...]) }

    /// Splits a leading RFC 3339 timestamp followed by a space (the `kubectl logs --timestamps` form).
    public static func splitLeadingRFC3339(_ line: Substring) -> (date: Date, rest: Substring)? {
        let b = Array(line.utf8.prefix(40))
        guard let (date, used) = scanRFC3339(b, from: 0) else { return nil }
        if used == line.utf8.count { return (date, line[line.endIndex...]) }
        guard used < b.count, b[used] == UInt8(ascii: " ") || b[used] == UInt8(ascii: "\t") else { return nil }
        let restStart = line.utf8.index(line.startIndex, offsetBy: used + 1)
        return (date, line[restStart...])
    }

    /// Splits a klog header (`I1125 12:00:01.123456   12 file.go:42] msg`), taking the year that puts the
    /// date closest to `reference`; the clock is read in `timeZone` (klog writes local time).
    public static func splitKlog(_ line: Substring, reference: Date, timeZone: TimeZone) -> (date: Date, rest: Substring)? {
        let b = Array(line.utf8.prefix(64))
        guard b.count >= 14, let sev = b.first, [UInt8(ascii: "I"), UInt8(ascii: "W"), UInt8(ascii: "E"), UInt8(ascii: "F")].contains(sev),
              let month = digits(b, 1, 2), let day = digits(b, 3, 2), b[5] == UInt8(ascii: " "),
              let hour = digits(b, 6, 2), b[8] == UInt8(ascii: ":"), let minute = digits(b, 9, 2),
              b[11] == UInt8(ascii: ":"), let second = digits(b, 12, 2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var i = 14
        var fraction = 0.0
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            var scale = 0.1
            while i < b.count, let d = digit(b[i]) { fraction += Double(d) * scale; scale /= 10; i += 1 }
        }
        // Header ends at the first "] " after the file:line part.
        guard let close = line.firstIndex(of: "]") else { return nil }
        var rest = line[line.index(after: close)...]
        if rest.first == " " { rest = rest.dropFirst() }
        let refYear = civilYear(of: reference)
        var best: Date?
        for year in [refYear - 1, refYear, refYear + 1] {
            let local = Double(daysFromCivil(year, month, day)) * 86_400
                + Double(hour * 3600 + minute * 60 + second) + fraction
            let probe = Date(timeIntervalSince1970: local)
            let offset = Double(timeZone.secondsFromGMT(for: probe))
            let candidate = Date(timeIntervalSince1970: local - offset)
            if best == nil || abs(candidate.timeIntervalSince(reference)) < abs(best!.timeIntervalSince(reference)) {
                best = candidate
            }
        }
        return (best!, rest)
    }

    /// Interprets an epoch number: seconds, or milliseconds/microseconds/nanoseconds when too large to be seconds.
    public static func fromEpoch(_ value: Double) -> Date {
        var v = value
        while abs(v) > 1e11 { v /= 1000 } // 1e11 s is the year 5138: larger values use a finer unit
        return Date(timeIntervalSince1970: v)
    }

    // MARK: - Scanning helpers

    static func digit(_ c: UInt8) -> Int? {
        c >= 48 && c <= 57 ? Int(c - 48) : nil
    }

    static func digits(_ b: [UInt8], _ at: Int, _ count: Int) -> Int? {
        guard at + count <= b.count else { return nil }
        var v = 0
        for k in at..<(at + count) {
            guard let d = digit(b[k]) else { return nil }
            v = v * 10 + d
        }
        return v
    }

    /// Scans `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)` at `from`; returns the date and bytes consumed.
    static func scanRFC3339(_ b: [UInt8], from: Int) -> (Date, Int)? {
        let s = from
        guard let year = digits(b, s, 4), s + 19 <= b.count, b[s + 4] == UInt8(ascii: "-"),
              let month = digits(b, s + 5, 2), b[s + 7] == UInt8(ascii: "-"), let day = digits(b, s + 8, 2),
              [UInt8(ascii: "T"), UInt8(ascii: "t")].contains(b[s + 10]),
              let hour = digits(b, s + 11, 2), b[s + 13] == UInt8(ascii: ":"), let minute = digits(b, s + 14, 2),
              b[s + 16] == UInt8(ascii: ":"), let second = digits(b, s + 17, 2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var i = s + 19
        var fraction = 0.0
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            var scale = 0.1
            let fracStart = i
            while i < b.count, let d = digit(b[i]) { fraction += Double(d) * scale; scale /= 10; i += 1 }
            guard i > fracStart else { return nil }
        }
        guard i < b.count else { return nil }
        var offset = 0
        switch b[i] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            i += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard let oh = digits(b, i + 1, 2), i + 3 < b.count, b[i + 3] == UInt8(ascii: ":"),
                  let om = digits(b, i + 4, 2) else { return nil }
            offset = (oh * 3600 + om * 60) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
            i += 6
        default:
            return nil
        }
        let whole = daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset
        return (Date(timeIntervalSince1970: Double(whole) + fraction), i - s)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The UTC calendar year of a date.
    static func civilYear(of date: Date) -> Int {
        let z = Int((date.timeIntervalSince1970 / 86_400).rounded(.down)) + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let month = mp < 10 ? mp + 3 : mp - 9
        return yoe + era * 400 + (month <= 2 ? 1 : 0)
    }
}
