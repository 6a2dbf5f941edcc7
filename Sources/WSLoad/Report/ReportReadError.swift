import Foundation

/// Why a file is not a readable wsload report, in words (not a Swift `DecodingError` dump).
public struct ReportReadError: Error, CustomStringConvertible, Equatable {
    /// What is wrong, e.g. "not JSON (…)" or "no `schemaVersion` key at the top level".
    public var reason: String
    /// The sentence a person reads: the reason and what a report looks like.
    public var description: String {
        "not a wsload report: \(reason) (a report is the report.json that `wsload run --out DIR` or `--format json` writes)"
    }

    /// Creates the error from its reason.
    public init(reason: String) { self.reason = reason }

    /// Words for an error thrown while decoding `data` as a report.
    public init(decoding error: any Error, data: Data) {
        guard let decoding = error as? DecodingError else { reason = "\(error)"; return }
        func at(_ path: [any CodingKey]) -> String {
            path.isEmpty
                ? "at the top level"
                : "at `"
                    + path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
                    .replacingOccurrences(of: ".[", with: "[") + "`"
        }
        switch decoding {
        case .keyNotFound(let key, let context):
            reason = "no `\(key.stringValue)` key \(at(context.codingPath))"
        case .typeMismatch(let type, let context):
            reason = "\(at(context.codingPath)): expected \(Self.name(of: type))"
        case .valueNotFound(let type, let context):
            reason = "\(at(context.codingPath)): null where \(Self.name(of: type)) is required"
        case .dataCorrupted(let context):
            if (try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])) == nil {
                let problem = Self.jsonProblem(context)
                reason =
                    data.isEmpty ? "the file is empty" : problem.hasPrefix("The given data was not valid JSON") ? "not JSON" : "not JSON (\(problem))"
            } else {
                reason = "\(at(context.codingPath)): \(context.debugDescription)"
            }
        @unknown default:
            reason = "\(error)"
        }
    }

    private static func name(of type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Int.Type, is Int64.Type, is UInt64.Type: return "a whole number"
        case is Double.Type: return "a number"
        case is Bool.Type: return "true or false"
        case is [Any].Type: return "a list"
        default:
            let n = "\(type)"
            if n.hasPrefix("Array<") { return "a list" }
            if n.hasPrefix("Dictionary<") { return "an object" }
            return "an object (\(n))"
        }
    }

    private static func jsonProblem(_ context: DecodingError.Context) -> String {
        if let underlying = context.underlyingError as NSError?, let detail = underlying.userInfo[NSDebugDescriptionErrorKey] as? String {
            return detail
        }
        return context.debugDescription
    }
}
