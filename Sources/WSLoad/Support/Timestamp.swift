import Foundation

/// RFC 3339 timestamps for log lines and reports.
public enum Timestamp {
    /// `2026-11-25T12:00:01.123Z` for `date`.
    public static func rfc3339(_ date: Date = Date()) -> String {
        var t = time_t(date.timeIntervalSince1970.rounded(.down))
        var tmv = tm()
        gmtime_r(&t, &tmv)
        let millis = Int((date.timeIntervalSince1970 - Double(t)) * 1000) % 1000
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(tmv.tm_year) + 1900, Int(tmv.tm_mon) + 1, Int(tmv.tm_mday),
            Int(tmv.tm_hour), Int(tmv.tm_min), Int(tmv.tm_sec), millis)
    }
}
