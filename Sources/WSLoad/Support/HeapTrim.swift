#if canImport(Glibc)
    import Glibc
#endif

/// Gives the heap's free pages back to the operating system (glibc `malloc_trim(0)`).
///
/// A ramp allocates far more than a held connection keeps: TLS handshakes, upgrade requests and
/// response parsers of every connection in flight. glibc keeps the freed memory, scattered between
/// the chunks of held connections, so the process's RSS stays at the ramp's peak for the whole hold.
/// Trimming once the ramp is over returns those pages (measured: ~1.1 KB per held TLS connection,
/// BENCHMARKS.md). `malloc_trim` is not in Swift's Glibc module, so it is looked up with `dlsym`;
/// elsewhere (other C libraries, macOS) this does nothing.
public enum HeapTrim {
    private typealias Trim = @convention(c) (Int) -> Int32

    /// `malloc_trim`, when the C library has it.
    private static let trim: Trim? = {
        #if canImport(Glibc)
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
            return unsafeBitCast(symbol, to: Trim.self)
        #else
            return nil
        #endif
    }()

    /// Releases free heap memory in every arena; returns whether any memory was released.
    /// Thread-safe (glibc locks each arena); takes a few milliseconds for a heap of a few hundred MB.
    @discardableResult
    public static func releaseFreeMemory() -> Bool {
        guard let trim else { return false }
        return trim(0) == 1
    }
}
