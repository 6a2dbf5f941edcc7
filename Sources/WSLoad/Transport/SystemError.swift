#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Names and texts for `errno` values.
public enum SystemError {
    /// `Connection refused (ECONNREFUSED)`.
    public static func describe(_ code: Int32) -> String {
        "\(String(cString: strerror(code))) (\(name(code)))"
    }

    /// The symbolic name of an errno, e.g. `ECONNREFUSED`.
    public static func name(_ code: Int32) -> String {
        switch code {
        case ECONNREFUSED: return "ECONNREFUSED"
        case ECONNRESET: return "ECONNRESET"
        case ETIMEDOUT: return "ETIMEDOUT"
        case EHOSTUNREACH: return "EHOSTUNREACH"
        case ENETUNREACH: return "ENETUNREACH"
        case EADDRINUSE: return "EADDRINUSE"
        case EADDRNOTAVAIL: return "EADDRNOTAVAIL"
        case EMFILE: return "EMFILE"
        case ENFILE: return "ENFILE"
        case EPIPE: return "EPIPE"
        case EACCES: return "EACCES"
        case EPERM: return "EPERM"
        case EINVAL: return "EINVAL"
        case ENOBUFS: return "ENOBUFS"
        case EAFNOSUPPORT: return "EAFNOSUPPORT"
        default: return "errno \(code)"
        }
    }
}
