extension Profile {
    /// One entry of `events:` — a command run (without a shell) at a time relative to the run start, e.g.
    /// `kubectl scale deploy/ws --replicas=6` at `20s`, so the report can show what the change did to the spread.
    public struct EventEntry: Sendable, Equatable, Codable {
        /// When to start the command, relative to the run start.
        public var at: ProfileDuration = .seconds(0)
        /// A name for reports; defaults to the command's first two words.
        public var name: String? = nil
        /// argv, run directly (no shell).
        public var command: [String] = []
        /// The longest the command may run; it is then killed and recorded as timed out.
        public var timeout: ProfileDuration = .seconds(30)
        /// Defaults.
        public init() {}
        /// An event.
        public init(at: ProfileDuration, name: String? = nil, command: [String], timeout: ProfileDuration = .seconds(30)) {
            self.at = at; self.name = name; self.command = command; self.timeout = timeout
        }
    }
}

extension Profile.EventEntry: ProfileSectionValue {}
