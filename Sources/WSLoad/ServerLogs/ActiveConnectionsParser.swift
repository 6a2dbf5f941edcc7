import Foundation

/// Extracts "active connections" readings from server log lines.
///
/// Per line, in order: an optional `kubectl logs --prefix` stream prefix (`[pod/ws-0/server] `, `[ws-0] `)
/// gives the pod; up to two leading stamps — RFC 3339 (`kubectl logs --timestamps`, tracing), env_logger's
/// `[2026-12-02T04:25:11Z INFO app]`, Go's `log` `2026/12/02 04:25:11`, klog — give the time and its
/// precision (the finer stamp wins); a rest starting with `{` is read as JSON (`active_connections`/`activeConnections` for the count,
/// `ts`/`time`/`timestamp` for the time, `pod` for the pod); otherwise the pattern's first match gives the
/// `count` (and optional `pod`) capture. Lines that yield no count are garbage: counted, never fatal.
public struct ActiveConnectionsParser: Sendable {
    /// The default pattern: `Active connections: N`, `active connections=N`, `active_connections=N`, `activeConnections: N`.
    public static let defaultPattern = #"(?i)active[ _]?connections"?\s*[:=]\s*(?<count>\d+)"#

    /// The regular expression source in use.
    public let pattern: String
    /// Date used to pick the year of klog timestamps (which omit it); usually the run start.
    public var referenceDate: Date
    /// Zone in which klog and Go `log` clock times (which carry no zone) are read.
    public var klogTimeZone: TimeZone
    private let regex: RegexBox
    private let hasPodGroup: Bool

    /// JSON keys holding the count, in priority order.
    static let jsonCountKeys = ["active_connections", "activeConnections", "active-connections"]
    /// JSON keys holding the time, in priority order.
    static let jsonTimeKeys = ["ts", "time", "timestamp", "@timestamp"]
    /// JSON keys holding the pod name, in priority order.
    static let jsonPodKeys = ["pod", "pod_name", "podName"]

    /// Creates a parser; throws when `pattern` is invalid or lacks a `count` named group.
    public init(
        pattern: String = ActiveConnectionsParser.defaultPattern,
        referenceDate: Date = Date(),
        klogTimeZone: TimeZone = TimeZone(identifier: "UTC")!
    ) throws {
        guard pattern.contains("(?<count>") else { throw LogPatternError.missingCountGroup(pattern: pattern) }
        do {
            regex = RegexBox(try NSRegularExpression(pattern: pattern))
        } catch {
            throw LogPatternError.invalidRegularExpression(pattern: pattern, reason: "\(error)")
        }
        self.pattern = pattern
        self.hasPodGroup = pattern.contains("(?<pod>")
        self.referenceDate = referenceDate
        self.klogTimeZone = klogTimeZone
    }

    /// Parses a whole log text; `pod` is the fallback pod for lines that name none.
    public func parse(_ text: String, pod: String? = nil) -> LogParseResult {
        var result = LogParseResult()
        var number = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            switch parseLine(raw, lineNumber: number, pod: pod) {
            case .sample(let s): result.samples.append(s)
            case .garbage: result.garbageLines += 1
            case .blank: break
            }
        }
        // A trailing newline does not make an extra line.
        if text.hasSuffix("\n") { number -= 1 }
        result.totalLines = number
        return result
    }

    /// Parses one line; `pod` is the fallback pod when the line names none.
    public func parseLine(_ raw: Substring, lineNumber: Int, pod: String? = nil) -> LogLineResult {
        var line = raw
        while let last = line.last, last == "\r" || last == " " || last == "\t" { line = line.dropLast() }
        while let first = line.first, first == " " || first == "\t" { line = line.dropFirst() }
        if line.isEmpty { return .blank }

        var podName = pod
        if let (prefixPod, rest) = LogStreamPrefix.split(line) {
            podName = prefixPod
            line = rest
        }
        // Up to two stamps: `kubectl logs --timestamps` (nanoseconds) and the application's own header (klog,
        // env_logger, Go `log`, RFC 3339). The finer one wins; on a tie the first (as before precision existed).
        var timestamp: Date?
        var precision: LogTimestampPrecision?
        for _ in 0..<2 {
            guard let split = LogTimestamp.splitLeading(line, reference: referenceDate, timeZone: klogTimeZone) else { break }
            if precision == nil || split.precision > precision! {
                timestamp = split.date
                precision = split.precision
            }
            line = split.rest
            while line.first == " " || line.first == "\t" { line = line.dropFirst() }
        }
        if line.first == "{", let parsed = parseJSON(line) {
            // The JSON's own time is the application's; it wins unless a finer outer stamp exists.
            var time = timestamp, timePrecision = precision
            if let inner = parsed.time, timePrecision == nil || !(timePrecision! > inner.precision) {
                time = inner.date
                timePrecision = inner.precision
            }
            return .sample(
                LogSample(
                    pod: parsed.pod ?? podName, timestamp: time, activeConnections: parsed.count,
                    line: lineNumber, precision: time == nil ? nil : timePrecision))
        }
        let text = String(line)
        let ns = text as NSString
        guard let match = regex.value.firstMatch(in: text, range: NSRange(location: 0, length: ns.length)) else {
            return .garbage
        }
        let countRange = match.range(withName: "count")
        guard countRange.location != NSNotFound,
            let count = Int(ns.substring(with: countRange).trimmingCharacters(in: .whitespaces)), count >= 0
        else { return .garbage }
        if hasPodGroup {
            let podRange = match.range(withName: "pod")
            if podRange.location != NSNotFound, podRange.length > 0 { podName = ns.substring(with: podRange) }
        }
        return .sample(
            LogSample(
                pod: podName, timestamp: timestamp, activeConnections: count, line: lineNumber,
                precision: precision))
    }

    /// Parses one line given as a `String`.
    public func parseLine(_ raw: String, lineNumber: Int, pod: String? = nil) -> LogLineResult {
        parseLine(raw[...], lineNumber: lineNumber, pod: pod)
    }

    private func parseJSON(_ line: Substring) -> (count: Int, time: (date: Date, precision: LogTimestampPrecision)?, pod: String?)? {
        guard let data = String(line).data(using: .utf8),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return nil }
        guard let count = Self.jsonCountKeys.lazy.compactMap({ Self.integer(object[$0]) }).first, count >= 0 else {
            return nil
        }
        var time: (date: Date, precision: LogTimestampPrecision)?
        for key in Self.jsonTimeKeys {
            if let s = object[key] as? String {
                time = LogTimestamp.parseRFC3339WithPrecision(s[...]) ?? Double(s).map(LogTimestamp.fromEpochWithPrecision)
            } else if let n = object[key] as? NSNumber {
                time = LogTimestamp.fromEpochWithPrecision(n.doubleValue)
            }
            if time != nil { break }
        }
        let pod = Self.jsonPodKeys.lazy.compactMap { object[$0] as? String }.first
        return (count, time, pod)
    }

    private static func integer(_ value: Any?) -> Int? {
        switch value {
        case let s as String: return Int(s)
        case let n as NSNumber:
            let d = n.doubleValue
            return d.rounded() == d && abs(d) < 1e15 ? Int(d) : nil
        default: return nil
        }
    }
}

/// Holds an `NSRegularExpression`, which is immutable and safe to share across threads.
private final class RegexBox: @unchecked Sendable {
    let value: NSRegularExpression
    init(_ value: NSRegularExpression) { self.value = value }
}
