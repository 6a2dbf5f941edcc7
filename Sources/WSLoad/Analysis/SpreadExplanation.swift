/// A plain-English reason why connections did not spread over the pods, with the evidence it rests on.
public struct SpreadExplanation: Sendable, Codable, Equatable {
    /// The cause, machine-readable.
    public var code: ExplanationCode
    /// The explanation for humans, worded as what the evidence is consistent with.
    public var message: String
    /// What was observed that the explanation rests on (`20 connections from 1 source address (127.0.0.1)`);
    /// nil in reports written before explanations named their evidence.
    public var evidence: String?

    /// Creates an explanation.
    public init(code: ExplanationCode, message: String, evidence: String? = nil) {
        self.code = code
        self.message = message
        self.evidence = evidence
    }

    /// The message followed by its evidence, for renderers: `… (evidence: …)`.
    public var text: String { evidence.map { "\(message) (evidence: \($0))" } ?? message }
}
