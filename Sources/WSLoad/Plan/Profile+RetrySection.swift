extension Profile {
    /// `reconnect:` and `portforward.restart:` — a retry budget with capped exponential backoff and jitter, as
    /// written in a profile. One type for both; `Kind` names the budget (`max_retries` / `max_restarts`).
    public struct RetrySection<Kind: RetryKind>: Sendable, Equatable, Codable {
        /// Attempts after a failure (≥ 0; 0 means a failure is final).
        public var maxAttempts: Int = 5
        /// Delay before the first attempt.
        public var initialBackoff: ProfileDuration = .milliseconds(500)
        /// Cap on the (doubling) delay; ≥ `initialBackoff`.
        public var maxBackoff: ProfileDuration = .seconds(10)
        /// Fraction (0…1) of each delay that is randomised.
        public var jitter: Double = 0.2
        /// Defaults.
        public init() {}
        /// A section.
        public init(maxAttempts: Int, initialBackoff: ProfileDuration, maxBackoff: ProfileDuration, jitter: Double) {
            self.maxAttempts = maxAttempts; self.initialBackoff = initialBackoff; self.maxBackoff = maxBackoff; self.jitter = jitter
        }

        /// The plan's policy (durations in seconds).
        public var policy: RetryPolicy<Kind> {
            RetryPolicy(maxAttempts: maxAttempts, initialBackoff: initialBackoff.seconds, maxBackoff: maxBackoff.seconds, jitter: jitter)
        }

        /// Coded as the policy is (`maxRetries` / `maxRestarts` first).
        public func encode(to encoder: any Encoder) throws {
            try RetryCoding.encode(Kind.self, maxAttempts, initialBackoff, maxBackoff, jitter, to: encoder)
        }

        /// Reads what ``encode(to:)`` writes.
        public init(from decoder: any Decoder) throws {
            (maxAttempts, initialBackoff, maxBackoff, jitter) = try RetryCoding.decode(Kind.self, ProfileDuration.self, from: decoder)
        }
    }

    /// `reconnect:`.
    public typealias ReconnectSection = RetrySection<ReconnectRetries>
    /// `portforward.restart:`.
    public typealias RestartSection = RetrySection<ForwardRestarts>
}

extension Profile.RetrySection where Kind == ReconnectRetries {
    /// Reconnect attempts per connection after a drop.
    public var maxRetries: Int {
        get { maxAttempts }
        set { maxAttempts = newValue }
    }

    /// A `reconnect:` section.
    public init(maxRetries: Int, initialBackoff: ProfileDuration, maxBackoff: ProfileDuration, jitter: Double) {
        self.init(maxAttempts: maxRetries, initialBackoff: initialBackoff, maxBackoff: maxBackoff, jitter: jitter)
    }
}

extension Profile.RetrySection where Kind == ForwardRestarts {
    /// Restarts allowed per pod before it is given up (`forward-died`).
    public var maxRestarts: Int {
        get { maxAttempts }
        set { maxAttempts = newValue }
    }

    /// A `portforward.restart:` section.
    public init(maxRestarts: Int, initialBackoff: ProfileDuration, maxBackoff: ProfileDuration, jitter: Double) {
        self.init(maxAttempts: maxRestarts, initialBackoff: initialBackoff, maxBackoff: maxBackoff, jitter: jitter)
    }
}
