import Foundation

extension FileHandle {
    /// Writes `data`, or drops it when it cannot be written: the reader of a pipe is gone (EPIPE — a worker whose
    /// parent was killed, `wsload … | head` that stopped reading) or the descriptor is closed. The non-throwing
    /// `write(_:)` ends the process with SIGILL there (an uncaught error in Foundation on Linux), so every line wsload
    /// prints goes through this instead. Returns whether the bytes went out.
    @discardableResult
    public func writeIfPossible(_ data: Data) -> Bool {
        do {
            try write(contentsOf: data)
            return true
        } catch {
            return false
        }
    }
}
