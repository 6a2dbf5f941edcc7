import Foundation

/// Extracts "active connections" readings from server log lines.
///
/// Per line, in order: an optional `kubectl logs --prefix` stream prefix (`[pod/ws-0/server] `, `[ws-0] `)
/// gives the pod; an optional leading RFC 3339 timestamp (`kubectl logs --timestamps`) or klog header gives
/// the time; a rest starting with `{` is read as JSON (`active_connections`/`activeConnections` for the count,
/// `ts`/`time`/`timestamp` for the time, `pod` for the pod); otherwise the pattern's first match gives the
/// `count` (and optional `pod`) capture. Lines that yield no count are garbage: counted, never fatal.
public struct ActiveConnectionsParser: Sendable {
    /// The default pattern: `Active connections: N`, `active connections=N`, `active_connections=N`, `activeConnections: N`.
    public static let defaultPattern = #"(?i)active[ _]?connections"?\s*[:=]\s*(?<count>\d+)"#

    /// The regular expression source in use.
    public let pattern: String
    /// Date used to pick the year of klog timestamps (which omit it); usually the run start.
    public var referenceDate: Date
    /// Zone in which klog clock times are read.
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
    public init(pattern: String = ActiveConnectionsParser.defaultPattern,
                referenceDate: Date = Date(),
                klogTimeZone: TimeZone = TimeZone(identifier: "UTC")!) throws {
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
        var timestamp: Date?
        if let (date, rest) = LogTimestamp.splitLeadingRFC3339(line) {
            timestamp = date
            line = rest
        }
        if let (date, rest) = LogTimestamp.splitKlog(line, reference: referenceDate, timeZone: klogTimeZone) {
            timestamp = timestamp ?? date
            line = rest
        }
        if line.first == "{", let parsed = parseJSON(line) {
            return .sample(LogSample(pod: parsed.pod ?? podName, timestamp: parsed.time ?? timestamp,
                                     activeConnections: parsed.count, line: lineNumber))
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
        return .sample(LogSample(pod: podName, timestamp: timestamp, activeConnections: count, line: lineNumber))
    }

    /// Parses one line given as a `String`.
    public func parseLine(_ raw: String, lineNumber: Int, pod: String? = nil) -> LogLineResult {
        parseLine(raw[...], lineNumber: lineNumber, pod: pod)
    }

    private func parseJSON(_ line: Substring) -> (count: Int, time: Date?, pod: String?)? {
        guard let data = String(line).data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        guard let count = Self.jsonCountKeys.lazy.compactMap({ Self.integer(object[$0]) }).first, count >= 0 else {
            return nil
        }
        var time: Date?
        for key in Self.jsonTimeKeys {
            if let s = object[key] as? String {
                time = LogTimestamp.parseRFC3339(s) ?? Double(s).map(LogTimestamp.fromEpoch)
            } else if let n = object[key] as? NSNumber {
                time = LogTimestamp.fromEpoch(n.doubleValue)
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
