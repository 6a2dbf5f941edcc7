import Foundation

/// Timestamp recognisers for server log lines: RFC 3339, `kubectl logs --timestamps`, klog, Go's `log`,
/// Rust's env_logger (`[2026-12-02T04:25:11Z INFO app] …`) and epoch numbers. The `…WithPrecision` forms also
/// say how finely the stamp resolves time (``LogTimestampPrecision``).
public enum LogTimestamp {
    /// A recognised stamp: the time, its precision, and the rest of the line after it.
    public struct Split: Sendable {
        /// When the line was stamped (the start of the stamp's interval).
        public var date: Date
        /// How finely the stamp resolves time.
        public var precision: LogTimestampPrecision
        /// The line after the stamp.
        public var rest: Substring
    }

    /// Parses a complete RFC 3339 timestamp and its precision (fraction digits).
    public static func parseRFC3339WithPrecision(_ text: Substring) -> (date: Date, precision: LogTimestampPrecision)? {
        let b = Array(text.utf8)
        guard let (date, used, digits) = scanRFC3339Detailed(b, from: 0), used == b.count else { return nil }
        return (date, LogTimestampPrecision(fractionDigits: digits))
    }

    /// Splits a leading stamp of any known line form: RFC 3339 (`kubectl logs --timestamps`, tracing),
    /// env_logger's bracketed header, Go's `log` (`2026/12/02 04:25:11[.micro] `, read in `timeZone`), or klog
    /// (year nearest `reference`, read in `timeZone`).
    public static func splitLeading(_ line: Substring, reference: Date, timeZone: TimeZone) -> Split? {
        if let s = splitLeadingRFC3339WithPrecision(line) { return s }
        if let s = splitEnvLogger(line) { return s }
        if let s = splitGoLog(line, timeZone: timeZone) { return s }
        if let (date, rest, digits) = splitKlogDetailed(line, reference: reference, timeZone: timeZone) {
            return Split(date: date, precision: LogTimestampPrecision(fractionDigits: digits), rest: rest)
        }
        return nil
    }

    /// Splits a leading RFC 3339 stamp followed by a space or tab (or ending the line), with its precision.
    public static func splitLeadingRFC3339WithPrecision(_ line: Substring) -> Split? {
        let b = Array(line.utf8.prefix(40))
        guard let (date, used, digits) = scanRFC3339Detailed(b, from: 0) else { return nil }
        let precision = LogTimestampPrecision(fractionDigits: digits)
        if used == line.utf8.count { return Split(date: date, precision: precision, rest: line[line.endIndex...]) }
        guard used < b.count, b[used] == UInt8(ascii: " ") || b[used] == UInt8(ascii: "\t") else { return nil }
        let restStart = line.utf8.index(line.startIndex, offsetBy: used + 1)
        return Split(date: date, precision: precision, rest: line[restStart...])
    }

    /// Splits Rust env_logger's default header `[2026-12-02T04:25:11Z INFO target] msg` (any RFC 3339
    /// stamp right after the `[`); the rest is what follows the `]`.
    public static func splitEnvLogger(_ line: Substring) -> Split? {
        guard line.first == "[" else { return nil }
        let b = Array(line.utf8.prefix(48))
        guard let (date, used, digits) = scanRFC3339Detailed(b, from: 1), 1 + used < b.count,
            b[1 + used] == UInt8(ascii: " ") || b[1 + used] == UInt8(ascii: "]"),
            let close = line.firstIndex(of: "]")
        else { return nil }
        var rest = line[line.index(after: close)...]
        if rest.first == " " { rest = rest.dropFirst() }
        return Split(date: date, precision: LogTimestampPrecision(fractionDigits: digits), rest: rest)
    }

    /// Splits Go's standard `log` header `2026/12/02 04:25:11 msg` (or `…04:25:11.123456 msg` with
    /// `log.Lmicroseconds`), read in `timeZone` (Go logs local time unless `log.LUTC`).
    public static func splitGoLog(_ line: Substring, timeZone: TimeZone) -> Split? {
        let b = Array(line.utf8.prefix(32))
        guard b.count >= 19, let year = digits(b, 0, 4), b[4] == UInt8(ascii: "/"), let month = digits(b, 5, 2),
            b[7] == UInt8(ascii: "/"), let day = digits(b, 8, 2), b[10] == UInt8(ascii: " "),
            let hour = digits(b, 11, 2), b[13] == UInt8(ascii: ":"), let minute = digits(b, 14, 2),
            b[16] == UInt8(ascii: ":"), let second = digits(b, 17, 2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var i = 19
        let (fraction, fractionDigits) = Self.fraction(b, &i)
        if fractionDigits < 0 { return nil }
        guard i == line.utf8.count || (i < b.count && b[i] == UInt8(ascii: " ")) else { return nil }
        let local = Double(daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second) + fraction
        let offset = Double(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: local)))
        let restStart = line.utf8.index(line.startIndex, offsetBy: min(i + 1, line.utf8.count))
        return Split(
            date: Date(timeIntervalSince1970: local - offset),
            precision: LogTimestampPrecision(fractionDigits: fractionDigits), rest: line[restStart...])
    }

    /// Interprets an epoch number with its precision: integral seconds are ``LogTimestampPrecision/seconds``,
    /// integral milliseconds ``LogTimestampPrecision/milliseconds``; other values are taken as sub-millisecond.
    public static func fromEpochWithPrecision(_ value: Double) -> (date: Date, precision: LogTimestampPrecision) {
        var v = value
        var unit = 0  // 0 s, 1 ms, 2 µs, 3 ns
        while abs(v) > 1e11 { v /= 1000; unit += 1 }
        let precision: LogTimestampPrecision
        if value.rounded() == value {
            precision = ([.seconds, .milliseconds, .microseconds, .nanoseconds] as [LogTimestampPrecision])[min(unit, 3)]
        } else {
            precision = unit == 0 ? .milliseconds : .microseconds
        }
        return (Date(timeIntervalSince1970: v), precision)
    }

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
        splitKlogDetailed(line, reference: reference, timeZone: timeZone).map { ($0.date, $0.rest) }
    }

    /// ``splitKlog(_:reference:timeZone:)`` plus the number of fraction digits of the clock time.
    static func splitKlogDetailed(_ line: Substring, reference: Date, timeZone: TimeZone) -> (date: Date, rest: Substring, digits: Int)? {
        let b = Array(line.utf8.prefix(64))
        guard b.count >= 14, let sev = b.first, [UInt8(ascii: "I"), UInt8(ascii: "W"), UInt8(ascii: "E"), UInt8(ascii: "F")].contains(sev),
            let month = digits(b, 1, 2), let day = digits(b, 3, 2), b[5] == UInt8(ascii: " "),
            let hour = digits(b, 6, 2), b[8] == UInt8(ascii: ":"), let minute = digits(b, 9, 2),
            b[11] == UInt8(ascii: ":"), let second = digits(b, 12, 2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var i = 14
        var (fraction, fractionDigits) = Self.fraction(b, &i)
        fractionDigits = max(0, fractionDigits)  // klog: a bare "." is tolerated as no fraction
        // Header ends at the first "] " after the file:line part.
        guard let close = line.firstIndex(of: "]") else { return nil }
        var rest = line[line.index(after: close)...]
        if rest.first == " " { rest = rest.dropFirst() }
        let refYear = civilYear(of: reference)
        var best: Date?
        for year in [refYear - 1, refYear, refYear + 1] {
            let local =
                Double(daysFromCivil(year, month, day)) * 86_400
                + Double(hour * 3600 + minute * 60 + second) + fraction
            let probe = Date(timeIntervalSince1970: local)
            let offset = Double(timeZone.secondsFromGMT(for: probe))
            let candidate = Date(timeIntervalSince1970: local - offset)
            if best == nil || abs(candidate.timeIntervalSince(reference)) < abs(best!.timeIntervalSince(reference)) {
                best = candidate
            }
        }
        return (best!, rest, fractionDigits)
    }

    /// Interprets an epoch number: seconds, or milliseconds/microseconds/nanoseconds when too large to be seconds.
    public static func fromEpoch(_ value: Double) -> Date {
        var v = value
        while abs(v) > 1e11 { v /= 1000 }  // 1e11 s is the year 5138: larger values use a finer unit
        return Date(timeIntervalSince1970: v)
    }

    // MARK: - Scanning helpers

    /// Reads an optional `.ddd…` fraction of a second at `i` (advancing past it): its value and its number of
    /// digits; 0 digits when there is no `.`, −1 for a `.` with no digit after it.
    static func fraction(_ b: [UInt8], _ i: inout Int) -> (value: Double, digits: Int) {
        guard i < b.count, b[i] == UInt8(ascii: ".") else { return (0, 0) }
        i += 1
        var value = 0.0, scale = 0.1, count = 0
        while i < b.count, let d = digit(b[i]) { value += Double(d) * scale; scale /= 10; i += 1; count += 1 }
        return (value, count > 0 ? count : -1)
    }

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
        scanRFC3339Detailed(b, from: from).map { ($0.0, $0.1) }
    }

    /// ``scanRFC3339(_:from:)`` plus the number of fraction digits.
    static func scanRFC3339Detailed(_ b: [UInt8], from: Int) -> (Date, Int, Int)? {
        let s = from
        guard let year = digits(b, s, 4), s + 19 <= b.count, b[s + 4] == UInt8(ascii: "-"),
            let month = digits(b, s + 5, 2), b[s + 7] == UInt8(ascii: "-"), let day = digits(b, s + 8, 2),
            [UInt8(ascii: "T"), UInt8(ascii: "t")].contains(b[s + 10]),
            let hour = digits(b, s + 11, 2), b[s + 13] == UInt8(ascii: ":"), let minute = digits(b, s + 14, 2),
            b[s + 16] == UInt8(ascii: ":"), let second = digits(b, s + 17, 2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var i = s + 19
        let (fraction, fractionDigits) = Self.fraction(b, &i)
        if fractionDigits < 0 { return nil }
        guard i < b.count else { return nil }
        var offset = 0
        switch b[i] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            i += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard let oh = digits(b, i + 1, 2), i + 3 < b.count, b[i + 3] == UInt8(ascii: ":"),
                let om = digits(b, i + 4, 2)
            else { return nil }
            offset = (oh * 3600 + om * 60) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
            i += 6
        default:
            return nil
        }
        let whole = daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset
        return (Date(timeIntervalSince1970: Double(whole) + fraction), i - s, fractionDigits)
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
