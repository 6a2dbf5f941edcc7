/// What a ``RetryPolicy`` counts, and the name its attempt budget has in plans and reports.
public protocol RetryKind: Sendable {
    /// The JSON key of the attempt budget (`maxRetries`, `maxRestarts`).
    static var attemptsKey: String { get }
    /// The profile key of the attempt budget (`max_retries`, `max_restarts`).
    static var profileKey: String { get }
    /// What one attempt is called in descriptions (`reconnect`, `restart`).
    static var attemptName: String { get }
    /// The description of the attempt budget in the profile schema.
    static var attemptsSummary: String { get }
}

/// Reconnects of a dropped connection (`reconnect:`).
public enum ReconnectRetries: RetryKind {
    /// `maxRetries`.
    public static let attemptsKey = "maxRetries"
    /// `max_retries`.
    public static let profileKey = "max_retries"
    /// `reconnect`.
    public static let attemptName = "reconnect"
    /// The schema's description.
    public static let attemptsSummary = "Reconnect attempts per connection after a drop; 0 means a drop is final."
}

/// Restarts of a dead port-forward (`portforward.restart:`).
public enum ForwardRestarts: RetryKind {
    /// `maxRestarts`.
    public static let attemptsKey = "maxRestarts"
    /// `max_restarts`.
    public static let profileKey = "max_restarts"
    /// `restart`.
    public static let attemptName = "restart"
    /// The schema's description.
    public static let attemptsSummary = "Restarts per pod before giving up with forward-died."
}

/// A retry budget with capped exponential backoff and jitter (see ``CappedBackoff``): how many attempts, and how
/// long before each. One type for connection reconnects (``ReconnectPolicy``) and forward restarts
/// (``PortForwardBackoff``); `Kind` only names the budget in JSON.
public struct RetryPolicy<Kind: RetryKind>: CappedBackoff, Sendable, Hashable, Codable {
    /// Attempts allowed after the first failure (0: never retry).
    public var maxAttempts: Int
    /// Delay before the first attempt, in seconds.
    public var initialBackoff: Double
    /// Cap on the delay, in seconds.
    public var maxBackoff: Double
    /// Fraction (0…1) of each delay that is randomised, so retry storms spread out.
    public var jitter: Double

    /// A policy; the defaults are the profile's (`5`, `500ms`, `10s`, `0.2`).
    public init(maxAttempts: Int = 5, initialBackoff: Double = 0.5, maxBackoff: Double = 10, jitter: Double = 0.2) {
        self.maxAttempts = maxAttempts; self.initialBackoff = initialBackoff; self.maxBackoff = maxBackoff; self.jitter = jitter
    }

    /// `{"<attemptsKey>": …, "initialBackoff": …, "maxBackoff": …, "jitter": …}`.
    public func encode(to encoder: any Encoder) throws {
        try RetryCoding.encode(Kind.self, maxAttempts, initialBackoff, maxBackoff, jitter, to: encoder)
    }

    /// Reads what ``encode(to:)`` writes.
    public init(from decoder: any Decoder) throws {
        (maxAttempts, initialBackoff, maxBackoff, jitter) = try RetryCoding.decode(Kind.self, Double.self, from: decoder)
    }
}

/// The JSON shape of a retry budget, shared by ``RetryPolicy`` (seconds) and `Profile.RetrySection` (durations):
/// the attempt budget under its kind's name, then `initialBackoff`, `maxBackoff`, `jitter`.
enum RetryCoding {
    private struct Key: CodingKey {
        let stringValue: String
        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }

    static func encode<Kind: RetryKind, Delay: Encodable>(
        _: Kind.Type, _ attempts: Int, _ initial: Delay, _ max: Delay, _ jitter: Double,
        to encoder: any Encoder
    ) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(attempts, forKey: Key(Kind.attemptsKey))
        try c.encode(initial, forKey: Key("initialBackoff"))
        try c.encode(max, forKey: Key("maxBackoff"))
        try c.encode(jitter, forKey: Key("jitter"))
    }

    static func decode<Kind: RetryKind, Delay: Decodable>(_: Kind.Type, _: Delay.Type, from decoder: any Decoder) throws
        -> (Int, Delay, Delay, Double)
    {
        let c = try decoder.container(keyedBy: Key.self)
        return (
            try c.decode(Int.self, forKey: Key(Kind.attemptsKey)), try c.decode(Delay.self, forKey: Key("initialBackoff")),
            try c.decode(Delay.self, forKey: Key("maxBackoff")), try c.decode(Double.self, forKey: Key("jitter"))
        )
    }
}

/// How a dropped connection is re-established (`reconnect:`).
public typealias ReconnectPolicy = RetryPolicy<ReconnectRetries>
/// How often and how fast a dead forward is restarted (`portforward.restart:`).
public typealias PortForwardBackoff = RetryPolicy<ForwardRestarts>

extension RetryPolicy where Kind == ReconnectRetries {
    /// Reconnect attempts per connection after a drop.
    public var maxRetries: Int {
        get { maxAttempts }
        set { maxAttempts = newValue }
    }

    /// A reconnect policy.
    public init(maxRetries: Int, initialBackoff: Double = 0.5, maxBackoff: Double = 10, jitter: Double = 0.2) {
        self.init(maxAttempts: maxRetries, initialBackoff: initialBackoff, maxBackoff: maxBackoff, jitter: jitter)
    }
}

extension RetryPolicy where Kind == ForwardRestarts {
    /// Restarts allowed per pod.
    public var maxRestarts: Int {
        get { maxAttempts }
        set { maxAttempts = newValue }
    }

    /// A restart policy.
    public init(maxRestarts: Int, initialBackoff: Double = 0.5, maxBackoff: Double = 10, jitter: Double = 0.2) {
        self.init(maxAttempts: maxRestarts, initialBackoff: initialBackoff, maxBackoff: maxBackoff, jitter: jitter)
    }
}
