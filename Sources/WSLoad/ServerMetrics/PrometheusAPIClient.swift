import Foundation

/// A client of the Prometheus HTTP API over plain HTTP (`/api/v1/query`, `/api/v1/query_range`), for reading
/// the pods' own counts from the server a cluster already runs. Blocking; used off the hot path.
public struct PrometheusAPIClient: Sendable {
    /// The server's base URL, e.g. `http://127.0.0.1:9090` (a path prefix such as `/prometheus` is kept).
    public var baseURL: String
    /// Seconds to wait for one answer.
    public var timeout: Double

    /// Creates a client; a trailing `/` on `baseURL` is dropped.
    public init(baseURL: String, timeout: Double = 5) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.timeout = timeout
    }

    /// The instant vector of `query` evaluated at `time` (nil: the server's now). Throws ``PrometheusAPIError``
    /// with ``PrometheusAPIError/Cause/emptyResult`` when no series came back.
    public func instantVector(_ query: String, at time: Date? = nil) throws(PrometheusAPIError) -> [PrometheusSeries] {
        var parameters = [("query", query)]
        if let time { parameters.append(("time", Self.format(time))) }
        let result = try get("/api/v1/query", parameters, query: query)
        guard case .vector(let series) = result else {
            throw PrometheusAPIError(server: baseURL, query: query, cause: .unexpectedResultType(expected: "vector", got: result.resultType))
        }
        guard !series.isEmpty else { throw PrometheusAPIError(server: baseURL, query: query, cause: .emptyResult) }
        return series
    }

    /// The matrix of `query` from `start` to `end` every `step` seconds. Throws on an empty result, as above.
    public func range(_ query: String, start: Date, end: Date, step: Double) throws(PrometheusAPIError) -> [PrometheusSeries] {
        let parameters = [("query", query), ("start", Self.format(start)), ("end", Self.format(end)), ("step", Self.formatSeconds(step))]
        let result = try get("/api/v1/query_range", parameters, query: query)
        guard case .matrix(let series) = result else {
            throw PrometheusAPIError(server: baseURL, query: query, cause: .unexpectedResultType(expected: "matrix", got: result.resultType))
        }
        guard !series.isEmpty else { throw PrometheusAPIError(server: baseURL, query: query, cause: .emptyResult) }
        return series
    }

    /// The URL of `path` with `parameters` percent-encoded.
    func url(_ path: String, _ parameters: [(String, String)]) -> String {
        baseURL + path + "?" + parameters.map { "\($0.0)=\(Self.percentEncode($0.1))" }.joined(separator: "&")
    }

    private func get(_ path: String, _ parameters: [(String, String)], query: String) throws(PrometheusAPIError) -> PrometheusResult {
        let response: HTTPGet.Response
        do { response = try HTTPGet.get(url(path, parameters), headers: [("Accept", "application/json")], timeout: timeout) } catch {
            throw PrometheusAPIError(server: baseURL, query: query, cause: .transport(error.message))
        }
        return try Self.interpret(status: response.status, body: response.body, server: baseURL, query: query)
    }

    /// The result in a response, or the error it carries: Prometheus sends its `error`/`errorType` body with
    /// 400 (bad parameters), 422 (the expression cannot be executed) and 503 (timeout, aborted).
    static func interpret(status: Int, body: [UInt8], server: String, query: String) throws(PrometheusAPIError) -> PrometheusResult {
        let decoded: PrometheusResponse.Decoded
        do { decoded = try PrometheusResponse.decode(body) } catch {
            if !(200..<300).contains(status) {
                let text = String(decoding: body.prefix(120), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                throw PrometheusAPIError(server: server, query: query, cause: .httpStatus(status, text))
            }
            throw PrometheusAPIError(server: server, query: query, cause: .malformed(error.message))
        }
        switch decoded {
        case .error(let type, let message):
            throw PrometheusAPIError(server: server, query: query, cause: .prometheus(status: status, type: type, message: message))
        case .success(let result, _):
            guard (200..<300).contains(status) else { throw PrometheusAPIError(server: server, query: query, cause: .httpStatus(status, "")) }
            return result
        }
    }

    /// Unix seconds with millisecond precision, as the API accepts (`1435781451.781`).
    static func format(_ date: Date) -> String { formatSeconds(date.timeIntervalSince1970) }

    static func formatSeconds(_ seconds: Double) -> String {
        let millis = (seconds * 1000).rounded()
        let whole = Int64(millis) / 1000, fraction = abs(Int64(millis) % 1000)
        return fraction == 0
            ? "\(whole)"
            : "\(whole)." + String(String(fraction + 1000).dropFirst()).replacingOccurrences(of: "0+$", with: "", options: .regularExpression)
    }

    /// RFC 3986 percent-encoding of everything but the unreserved characters.
    static func percentEncode(_ s: String) -> String {
        var out = ""
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(Character(UnicodeScalar(byte)))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }
}
