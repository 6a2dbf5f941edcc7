internal import COpenSSL

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The outcome of one non-blocking TLS operation.
public enum TLSIOResult: Sendable, Equatable {
    /// Progress: bytes read or written (`0` for a finished handshake or an empty buffer).
    case done(Int)
    /// Call again when the socket is readable.
    case wantRead
    /// Call again when the socket is writable.
    case wantWrite
    /// The peer closed: a clean `close_notify`, or EOF after the handshake (see
    /// `TLSSession.receivedCloseNotify` to tell them apart).
    case closed
    /// A fatal error; the session is unusable (later calls return the same error).
    case failed(TLSError)
}

/// One TLS connection (an OpenSSL `SSL`) on a non-blocking socket, made by `TLSContext.makeSession`.
///
/// **Confinement:** not thread-safe. A session is used only on its connection's serial queue
/// (every method and property, and its release). It does not own the fd: close the socket after
/// the last use of the session (e.g. in the cancel handler of the last Dispatch source).
///
/// Driving it: call `handshake()` (or just `read`/`write`, which finish the handshake implicitly)
/// and on `.wantRead` / `.wantWrite` wait for that readiness — either call may want either
/// direction. After `write` returned `.wantWrite`, retry with the same bytes (the buffer may
/// move: `SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER`); a successful write may be partial
/// (`SSL_MODE_ENABLE_PARTIAL_WRITE`), so advance by the count returned. After a read returned
/// data, keep reading until `.wantRead`: decrypted bytes can wait inside OpenSSL
/// (`pendingReadableBytes`) without the socket becoming readable again.
public final class TLSSession: @unchecked Sendable {
    /// The context this session came from (kept alive by the session).
    public let context: TLSContext
    /// The owned `SSL`; freed in `deinit`.
    let ssl: OpaquePointer
    /// The identity the peer certificate is checked against (client, `verifyPeer` only); `nil` when nothing
    /// is verified (`--insecure`, a server session, or no identity given).
    public let verifiedIdentity: TLSPeerIdentity?
    /// The first failed certificate check, recorded by the verify callback during the handshake.
    public private(set) var certificateProblem: TLSCertificateProblem?
    /// Client session-cache key (only with `sessionResumption`).
    private let resumptionKey: String?
    /// Set on the first fatal error; every later call returns it without touching OpenSSL.
    private var failure: TLSError?
    /// Set when the peer closed (close_notify or EOF); reads return `.closed` from then on.
    private var peerClosed = false
    /// The peer closed without close_notify: the SSL is in an error state, writes are refused too.
    private var peerClosedUncleanly = false
    private var shutdownSent = false
    /// The handshake finished at some point (OpenSSL's own flag resets on a fatal error).
    private var established = false

    init(context: TLSContext, ssl: OpaquePointer, verifiedIdentity: TLSPeerIdentity?, resumptionKey: String?) {
        self.context = context
        self.ssl = ssl
        self.verifiedIdentity = verifiedIdentity
        self.resumptionKey = resumptionKey
    }

    deinit {
        SSL_free(ssl)
    }

    // MARK: - I/O

    /// Advances the handshake; `.done(0)` once it is complete (also when called again after).
    public func handshake() -> TLSIOResult {
        if let failure { return .failed(failure) }
        if peerClosed { return .closed }
        if established || SSL_is_init_finished(ssl) == 1 {
            established = true
            return .done(0)
        }
        ERR_clear_error()
        errno = 0
        let rc = SSL_do_handshake(ssl)
        let savedErrno = errno
        if rc == 1 {
            established = true
            return .done(0)
        }
        return outcome(rc, errno: savedErrno, operation: "handshake")
    }

    /// Reads decrypted bytes into `buffer`: `.done(n)` with `n > 0`, or why not.
    public func read(into buffer: UnsafeMutableRawBufferPointer) -> TLSIOResult {
        if let failure { return .failed(failure) }
        if peerClosed { return .closed }
        guard let base = buffer.baseAddress, buffer.count > 0 else { return .done(0) }
        if !established, SSL_is_init_finished(ssl) == 1 { established = true }
        ERR_clear_error()
        errno = 0
        let rc = SSL_read(ssl, base, Int32(clamping: buffer.count))
        let savedErrno = errno
        if rc > 0 {
            established = true
            return .done(Int(rc))
        }
        return outcome(rc, errno: savedErrno, operation: "read")
    }

    /// Encrypts and sends from `bytes`: `.done(n)` with `1 ≤ n ≤ bytes.count` (partial writes
    /// happen), or why not. After `.wantWrite`, call again with the same bytes.
    public func write(_ bytes: UnsafeRawBufferPointer) -> TLSIOResult {
        if let failure { return .failed(failure) }
        if peerClosedUncleanly { return .closed }
        guard let base = bytes.baseAddress, bytes.count > 0 else { return .done(0) }
        if !established, SSL_is_init_finished(ssl) == 1 { established = true }
        ERR_clear_error()
        errno = 0
        let rc = SSL_write(ssl, base, Int32(clamping: bytes.count))
        let savedErrno = errno
        if rc > 0 {
            established = true
            return .done(Int(rc))
        }
        return outcome(rc, errno: savedErrno, operation: "write")
    }

    /// Best-effort, non-blocking `close_notify`: sends it once if the handshake finished and no
    /// fatal error happened; does not wait for the peer's. Close the socket afterwards.
    public func shutdown() {
        guard failure == nil, !peerClosedUncleanly, !shutdownSent, established || SSL_is_init_finished(ssl) == 1
        else { return }
        shutdownSent = true
        ERR_clear_error()
        _ = SSL_shutdown(ssl)
        ERR_clear_error()
    }

    // MARK: - State

    /// Whether the handshake has completed.
    public var isHandshakeComplete: Bool { established || SSL_is_init_finished(ssl) == 1 }

    /// Whether the peer sent `close_notify` (a clean close, as opposed to a bare EOF).
    public var receivedCloseNotify: Bool { (SSL_get_shutdown(ssl) & SSL_RECEIVED_SHUTDOWN) != 0 }

    /// Decrypted bytes buffered inside OpenSSL, readable without waiting for the socket.
    public var pendingReadableBytes: Int { Int(SSL_pending(ssl)) }

    /// Frees OpenSSL's read and write buffers while nothing is buffered in them (`SSL_free_buffers`):
    /// an idle connection then holds no 16 KB record buffer. They are re-allocated on the next read or write.
    /// Returns whether they were freed (it refuses while data is pending).
    @discardableResult
    public func releaseBuffers() -> Bool {
        guard failure == nil, !peerClosed, SSL_has_pending(ssl) == 0 else { return false }
        return SSL_free_buffers(ssl) == 1
    }

    /// The ALPN protocol the server selected, e.g. `http/1.1`; `nil` if none.
    public var negotiatedALPN: String? {
        var data: UnsafePointer<UInt8>? = nil
        var length: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &data, &length)
        guard let data, length > 0 else { return nil }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(length)), as: UTF8.self)
    }

    /// The negotiated protocol version, e.g. `TLSv1.3`; `nil` before the handshake completes.
    public var protocolVersion: String? {
        guard isHandshakeComplete, let name = SSL_get_version(ssl) else { return nil }
        return String(cString: name)
    }

    /// The negotiated cipher suite, e.g. `TLS_AES_256_GCM_SHA384`; `nil` before the handshake.
    public var cipher: String? {
        guard isHandshakeComplete, let cipher = SSL_get_current_cipher(ssl),
            let name = SSL_CIPHER_get_name(cipher)
        else { return nil }
        return String(cString: name)
    }

    /// Whether the handshake resumed a cached session (client `sessionResumption`).
    public var sessionReused: Bool { SSL_session_reused(ssl) == 1 }

    /// The peer certificate's subject in RFC 2253 form, e.g. `CN=localhost,O=wsload test`.
    public var peerCertificateSubject: String? {
        guard let certificate = SSL_get1_peer_certificate(ssl) else { return nil }
        defer { X509_free(certificate) }
        var buffer = [CChar](repeating: 0, count: 512)
        let length = buffer.withUnsafeMutableBufferPointer {
            wsl_X509_NAME_rfc2253(X509_get_subject_name(certificate), $0.baseAddress, Int32($0.count))
        }
        guard length >= 0 else { return nil }
        return tlsString(fromNulTerminated: buffer)
    }

    // MARK: - Internals

    /// Called from OpenSSL's new-session callback (inside this session's `SSL_*` call, so on its
    /// queue): caches a copy of `session` under this connection's key.
    func storeResumableSession(_ session: OpaquePointer) {
        guard let cache = context.sessionCache, let key = resumptionKey,
            SSL_SESSION_is_resumable(session) == 1
        else { return }
        cache.store(session, key: key)
    }

    /// Called from the verify callback (inside this session's handshake, so on its queue): keeps the first problem.
    func noteCertificateProblem(_ problem: TLSCertificateProblem) {
        if certificateProblem == nil { certificateProblem = problem }
    }

    /// Maps a failed `SSL_*` return to a result, reading the error queue and `errno` of that call.
    private func outcome(_ rc: Int32, errno savedErrno: Int32, operation: String) -> TLSIOResult {
        let code = SSL_get_error(ssl, rc)
        // A read or write can finish the handshake before it fails; after a fatal error
        // SSL_is_init_finished() is 0 again, so trust only what was seen before (`established`).
        if code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE || code == SSL_ERROR_ZERO_RETURN,
            SSL_is_init_finished(ssl) == 1
        {
            established = true
        }
        let inHandshake = !established
        let phase = inHandshake ? "during TLS handshake" : "during TLS \(operation)"
        switch code {
        case SSL_ERROR_WANT_READ:
            return .wantRead
        case SSL_ERROR_WANT_WRITE:
            return .wantWrite
        case SSL_ERROR_ZERO_RETURN:
            ERR_clear_error()
            peerClosed = true
            return .closed
        case SSL_ERROR_SYSCALL:
            let queue = TLSError.drainOpenSSLErrors()
            if savedErrno != 0 {
                let reason = String(cString: strerror(savedErrno))
                let suffix = queue.isEmpty ? "" : " [\(queue)]"
                return fail(
                    TLSError(
                        kind: .io, message: "socket error \(phase): \(reason) (errno \(savedErrno))\(suffix)",
                        errno: savedErrno))
            }
            return unexpectedEOF(inHandshake: inHandshake, queue: queue)
        case SSL_ERROR_SSL:
            let first = ERR_peek_error()
            if ERR_GET_LIB(first) == ERR_LIB_SSL,
                ERR_GET_REASON(first) == SSL_R_UNEXPECTED_EOF_WHILE_READING
            {
                return unexpectedEOF(inHandshake: inHandshake, queue: TLSError.drainOpenSSLErrors())
            }
            let queue = TLSError.drainOpenSSLErrors()
            let detail = queue.isEmpty ? "" : " [\(queue)]"
            if inHandshake, context.role == .client, context.clientConfiguration?.verifyPeer == true {
                let verify = SSL_get_verify_result(ssl)
                if verify != X509_V_OK {
                    let reason = String(cString: X509_verify_cert_error_string(verify))
                    if let problem = certificateProblem, problem.code == verify {
                        return fail(
                            TLSError(
                                kind: .certificateVerification,
                                message: "certificate verify failed: \(problem.explanation) [OpenSSL: \(reason), verify error \(verify)]",
                                verifyResult: verify, check: problem.check))
                    }
                    let name = verifiedIdentity.map { "checked against \($0)" } ?? "no name or address checked"
                    return fail(
                        TLSError(
                            kind: .certificateVerification,
                            message: "certificate verify failed: \(reason) (\(name))\(detail)",
                            verifyResult: verify, check: "certificate verify error \(verify)"))
                }
            }
            if inHandshake {
                return fail(TLSError(kind: .handshake, message: "TLS handshake failed\(detail)"))
            }
            return fail(TLSError(kind: .protocolViolation, message: "TLS \(operation) failed\(detail)"))
        default:
            let queue = TLSError.drainOpenSSLErrors()
            let detail = queue.isEmpty ? "" : " [\(queue)]"
            return fail(
                TLSError(
                    kind: inHandshake ? .handshake : .protocolViolation,
                    message: "unexpected SSL_get_error \(code) \(phase)\(detail)"))
        }
    }

    /// EOF without close_notify: a failure mid-handshake, a (recorded) close after it.
    private func unexpectedEOF(inHandshake: Bool, queue: String) -> TLSIOResult {
        if inHandshake {
            let detail = queue.isEmpty ? "" : " [\(queue)]"
            return fail(
                TLSError(
                    kind: .handshake,
                    message: "connection closed by peer during TLS handshake (EOF)\(detail)"))
        }
        peerClosed = true
        peerClosedUncleanly = true
        return .closed
    }

    private func fail(_ error: TLSError) -> TLSIOResult {
        failure = error
        return .failed(error)
    }
}
