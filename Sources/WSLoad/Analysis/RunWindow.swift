import Foundation

/// The moments of a run that server-log matching compares against.
public struct RunWindow: Sendable, Codable, Equatable {
    /// When the first connection attempt started; the server baseline is read at or before this.
    public var runStart: Date
    /// When every connection was established and the hold phase began.
    public var holdStart: Date
    /// When the hold phase ended and closing began.
    public var holdEnd: Date
    /// When closing finished; readings after this show whether the server returned to baseline.
    public var closeEnd: Date

    /// Creates a window.
    public init(runStart: Date, holdStart: Date, holdEnd: Date, closeEnd: Date) {
        self.runStart = runStart
        self.holdStart = holdStart
        self.holdEnd = holdEnd
        self.closeEnd = closeEnd
    }
}
