import Logging

/// A swift-log handler that hands each message's text to a closure: how the CLI prints wsload's messages (on
/// stderr, or above the live progress block). The library takes a `Logger`, so an embedding program routes
/// wsload's messages to its own logging backend instead.
public struct LineLogHandler: LogHandler {
    private let write: @Sendable (String) -> Void
    /// Metadata (kept, not printed: the line is the message as wsload wrote it).
    public var metadata: Logger.Metadata = [:]
    /// Messages below this level are dropped.
    public var logLevel: Logger.Level

    /// A handler writing messages at `level` and above to `write`.
    public init(level: Logger.Level = .info, _ write: @escaping @Sendable (String) -> Void) {
        self.write = write
        logLevel = level
    }

    /// Metadata by key.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Hands the message's text to the closure.
    public func log(event: LogEvent) {
        write(event.message.description)
    }
}

extension Logger {
    /// A logger writing each message's text to `write` (at `level` and above).
    public static func lines(level: Logger.Level = .info, _ write: @escaping @Sendable (String) -> Void) -> Logger {
        Logger(label: "wsload") { _ in LineLogHandler(level: level, write) }
    }

    /// A logger that drops every message.
    public static var discarding: Logger {
        Logger(label: "wsload") { _ in SwiftLogNoOpLogHandler() }
    }
}
