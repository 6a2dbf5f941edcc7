internal import COpenSSL

/// A TLS failure: what went wrong (`kind`) and a human-readable explanation (`message`).
///
/// `message` carries OpenSSL's own words (the drained error queue, `ERR_error_string_n`); for certificate
/// failures it says which check failed, for which certificate and name or address, followed by OpenSSL's
/// verify result, for example `certificate verify failed: certificate does not match IP address 127.0.0.1
/// (its names: DNS:other.example) [OpenSSL: IP address mismatch, verify error 64]`.
public struct TLSError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The class of a TLS failure.
    public enum Kind: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
        /// Invalid settings, unreadable or mismatched certificate/key files, bad ALPN names.
        case configuration
        /// The peer's certificate chain or name did not verify.
        case certificateVerification
        /// The handshake failed for another reason (alert, version or cipher mismatch, EOF).
        case handshake
        /// The socket failed underneath TLS (errno set, e.g. `ECONNRESET`).
        case io
        /// The peer broke the TLS protocol after the handshake (bad record, unexpected message).
        case protocolViolation

        /// The raw value, e.g. `certificateVerification`.
        public var description: String { rawValue }
    }

    /// The class of failure.
    public var kind: Kind
    /// What happened, including OpenSSL's error strings.
    public var message: String
    /// The X.509 verify result code (`X509_V_ERR_*`) for `.certificateVerification`, else `nil`.
    public var verifyResult: Int?
    /// The `errno` seen for `.io` failures, else `nil`.
    public var errno: Int32?
    /// For `.certificateVerification`: a short stable name of the failed check, e.g. `certificate expired`
    /// (``TLSCertificateProblem/check``), used as the failure bucket; else `nil`.
    public var check: String?

    /// Creates an error.
    public init(kind: Kind, message: String, verifyResult: Int? = nil, errno: Int32? = nil, check: String? = nil) {
        self.kind = kind
        self.message = message
        self.verifyResult = verifyResult
        self.errno = errno
        self.check = check
    }

    /// `TLS <kind>: <message>`.
    public var description: String { "TLS \(kind): \(message)" }
}

// MARK: - OpenSSL error queue

extension TLSError {
    /// Drains this thread's OpenSSL error queue into one line (`a; b; c`), oldest first.
    ///
    /// Many connections share a thread, so every `SSL_*` call is preceded by `ERR_clear_error()`
    /// and a failure is read right after it: the queue then describes exactly that call.
    static func drainOpenSSLErrors() -> String {
        var parts: [String] = []
        var buffer = [CChar](repeating: 0, count: 256)
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            let text = buffer.withUnsafeMutableBufferPointer { ptr -> String in
                ERR_error_string_n(code, ptr.baseAddress, ptr.count)
                return String(cString: ptr.baseAddress!)
            }
            if parts.last != text { parts.append(text) }
        }
        return parts.joined(separator: "; ")
    }

    /// An error whose message is `what`, followed by the drained OpenSSL error queue if any.
    static func openSSL(_ kind: Kind, _ what: String) -> TLSError {
        let queue = drainOpenSSLErrors()
        return TLSError(kind: kind, message: queue.isEmpty ? what : "\(what) [\(queue)]")
    }
}

/// The text before the first NUL of a C character buffer.
func tlsString(fromNulTerminated buffer: [CChar]) -> String {
    let bytes = buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }
    return String(decoding: bytes, as: UTF8.self)
}
