/// A plain-English reason why connections did not spread over the pods.
public struct SpreadExplanation: Sendable, Codable, Equatable {
    /// The cause, machine-readable.
    public var code: ExplanationCode
    /// The explanation for humans.
    public var message: String

    /// Creates an explanation.
    public init(code: ExplanationCode, message: String) {
        self.code = code
        self.message = message
    }
}
