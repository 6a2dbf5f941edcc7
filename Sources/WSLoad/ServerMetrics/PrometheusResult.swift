import Foundation

/// One time series of a Prometheus query result: its labels and its samples in time order.
public struct PrometheusSeries: Sendable, Equatable {
    /// The series' labels (`__name__` included when the result keeps it).
    public var labels: [String: String]
    /// `(time, value)` pairs: one for an instant vector, several for a range query's matrix.
    public var samples: [PrometheusSample]

    /// Creates a series.
    public init(labels: [String: String], samples: [PrometheusSample]) {
        self.labels = labels; self.samples = samples
    }
}

/// One sample of a series: when (the evaluation time for an instant query) and the value.
public struct PrometheusSample: Sendable, Equatable {
    /// The sample's time.
    public var time: Date
    /// The value (`NaN`, `+Inf` and `-Inf` included, as Prometheus writes them).
    public var value: Double

    /// Creates a sample.
    public init(time: Date, value: Double) { self.time = time; self.value = value }
}

/// The `data` of a successful `/api/v1/query` or `/api/v1/query_range` response, by `resultType`.
public enum PrometheusResult: Sendable, Equatable {
    /// An instant vector: one sample per series.
    case vector([PrometheusSeries])
    /// A range vector (query_range, or a `metric[5m]` selector): several samples per series.
    case matrix([PrometheusSeries])
    /// A scalar.
    case scalar(PrometheusSample)
    /// A string result (time and text).
    case string(Date, String)

    /// The series of a vector or matrix; empty for a scalar or a string.
    public var series: [PrometheusSeries] {
        switch self {
        case .vector(let s), .matrix(let s): s
        case .scalar, .string: []
        }
    }

    /// `vector`, `matrix`, `scalar` or `string`, as in the response's `resultType`.
    public var resultType: String {
        switch self {
        case .vector: "vector"
        case .matrix: "matrix"
        case .scalar: "scalar"
        case .string: "string"
        }
    }
}

/// Decodes the JSON envelope of the Prometheus HTTP API (`status`, `data`, `errorType`, `error`, `warnings`).
///
/// Shapes (Prometheus docs, "HTTP API → Expression query result formats"): a vector's result is
/// `[{"metric": {labels}, "value": [<unix time>, "<value>"]}]`, a matrix's `[{"metric": {…}, "values": [[t, "v"], …]}]`,
/// a scalar's `[<unix time>, "<value>"]`. Sample values are strings so that `NaN` and `±Inf` survive JSON.
enum PrometheusResponse {
    /// What a body said: a result with the server's warnings, or the server's own error.
    enum Decoded: Equatable {
        case success(PrometheusResult, warnings: [String])
        case error(type: String, message: String)
    }

    /// Why a body is not a Prometheus API response.
    struct Malformed: Error, Equatable { var message: String }

    static func decode(_ body: [UInt8]) throws(Malformed) -> Decoded {
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: Data(body)) } catch {
            let start = String(decoding: body.prefix(60), as: UTF8.self)
            throw Malformed(message: "the body is not JSON (starts with \(start.debugDescription))")
        }
        guard let top = object as? [String: Any], let status = top["status"] as? String else {
            throw Malformed(message: "the JSON has no \"status\" field")
        }
        if status == "error" {
            return .error(type: top["errorType"] as? String ?? "unknown", message: top["error"] as? String ?? "(no message)")
        }
        guard status == "success" else { throw Malformed(message: "unknown status \(status.debugDescription)") }
        guard let data = top["data"] as? [String: Any], let type = data["resultType"] as? String else {
            throw Malformed(message: "a success without data.resultType")
        }
        let warnings = top["warnings"] as? [String] ?? []
        let result = data["result"]
        switch type {
        case "vector", "matrix":
            guard let items = result as? [Any] else { throw Malformed(message: "data.result of a \(type) is not a list") }
            var series: [PrometheusSeries] = []
            for (i, item) in items.enumerated() {
                guard let entry = item as? [String: Any] else { throw Malformed(message: "data.result[\(i)] is not an object") }
                let labels = (entry["metric"] as? [String: Any] ?? [:]).compactMapValues { $0 as? String }
                var samples: [PrometheusSample] = []
                if type == "vector" {
                    guard let value = entry["value"] else { throw Malformed(message: "data.result[\(i)] of a vector has no \"value\"") }
                    samples = [try sample(value, at: "data.result[\(i)].value")]
                } else {
                    guard let values = entry["values"] as? [Any] else {
                        throw Malformed(message: "data.result[\(i)] of a matrix has no \"values\" list")
                    }
                    for (j, v) in values.enumerated() { samples.append(try sample(v, at: "data.result[\(i)].values[\(j)]")) }
                }
                series.append(PrometheusSeries(labels: labels, samples: samples))
            }
            return .success(type == "vector" ? .vector(series) : .matrix(series), warnings: warnings)
        case "scalar":
            return .success(.scalar(try sample(result as Any, at: "data.result")), warnings: warnings)
        case "string":
            guard let pair = result as? [Any], pair.count == 2, let t = number(pair[0]), let s = pair[1] as? String else {
                throw Malformed(message: "data.result of a string is not [time, \"text\"]")
            }
            return .success(.string(Date(timeIntervalSince1970: t), s), warnings: warnings)
        default:
            throw Malformed(message: "unknown resultType \(type.debugDescription)")
        }
    }

    /// `[<unix time>, "<value>"]`.
    private static func sample(_ any: Any, at path: String) throws(Malformed) -> PrometheusSample {
        guard let pair = any as? [Any], pair.count == 2, let t = number(pair[0]) else {
            throw Malformed(message: "\(path) is not [time, \"value\"]")
        }
        guard let text = pair[1] as? String, let value = parseValue(text) else {
            throw Malformed(message: "\(path) has a value that is not a number string: \(String(describing: pair[1]).prefix(40))")
        }
        return PrometheusSample(time: Date(timeIntervalSince1970: t), value: value)
    }

    private static func number(_ any: Any) -> Double? {
        if let d = any as? Double { return d }
        if let i = any as? Int { return Double(i) }
        return nil
    }

    /// A Prometheus float: decimal or exponent notation, `NaN`, `+Inf`, `-Inf` (also `Inf`).
    static func parseValue(_ text: String) -> Double? {
        switch text {
        case "NaN": return .nan
        case "+Inf", "Inf": return .infinity
        case "-Inf": return -.infinity
        default: return Double(text)
        }
    }
}
