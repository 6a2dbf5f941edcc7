import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension Process {
    /// Ignores SIGPIPE process-wide: a peer that vanishes must surface as EPIPE, not kill wsload
    /// (OpenSSL writes through its own socket BIO, where MSG_NOSIGNAL cannot be passed).
    public static func ignoreBrokenPipe() {
        signal(SIGPIPE, SIG_IGN)
    }
}
