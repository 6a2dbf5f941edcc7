/// Why a Prometheus HTTP API query gave no usable answer, naming the server, the query and the cause.
public struct PrometheusAPIError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What went wrong.
    public enum Cause: Sendable, Equatable {
        /// The HTTP request itself failed (connect, timeout, a broken response).
        case transport(String)
        /// Prometheus answered with its own error (`errorType`, `error`), with the HTTP status it came with.
        case prometheus(status: Int, type: String, message: String)
        /// A status other than 2xx without a Prometheus error body.
        case httpStatus(Int, String)
        /// The body is not a Prometheus API response.
        case malformed(String)
        /// The query succeeded but returned no series.
        case emptyResult
        /// The query returned a result of another type than the one asked for.
        case unexpectedResultType(expected: String, got: String)
    }

    /// The server's base URL.
    public var server: String
    /// The PromQL expression.
    public var query: String
    /// The cause.
    public var cause: Cause

    /// Creates an error.
    public init(server: String, query: String, cause: Cause) {
        self.server = server; self.query = query; self.cause = cause
    }

    /// `Prometheus <server>: query `<q>`: <cause>`.
    public var description: String {
        let why: String
        switch cause {
        case .transport(let m): why = m
        case .prometheus(let status, let type, let message): why = "HTTP \(status), \(type): \(message)"
        case .httpStatus(let status, let body): why = "HTTP \(status)" + (body.isEmpty ? "" : ": \(body)")
        case .malformed(let m): why = "not a Prometheus API response: \(m)"
        case .emptyResult: why = "no series in the result (is the metric scraped, and does the selector match? check the targets page)"
        case .unexpectedResultType(let expected, let got): why = "expected a \(expected) result, got a \(got)"
        }
        return "Prometheus \(Redaction.redactURL(server)): query `\(query)`: \(why)"  // userinfo and tokens never reach a report
    }
}
