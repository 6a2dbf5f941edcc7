internal import COpenSSL

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An immutable, shareable TLS configuration (one OpenSSL `SSL_CTX`) that makes `TLSSession`s.
///
/// Build one per run and share it across every connection and queue: OpenSSL contexts are
/// thread-safe once configured, and nothing here mutates the `SSL_CTX` after `init` returns.
/// The only mutable state is the optional client session cache, which is guarded by a mutex and
/// touched once per connection (never per read or write).
///
/// Every context sets `SSL_MODE_RELEASE_BUFFERS` (idle connections keep no record buffers),
/// `SSL_MODE_ENABLE_PARTIAL_WRITE` and `SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER`, and disables
/// renegotiation.
///
/// OpenSSL writes to the socket with `write(2)`: the process must ignore `SIGPIPE`
/// (`signal(SIGPIPE, SIG_IGN)`) or a peer that resets mid-write kills it.
public final class TLSContext: @unchecked Sendable {
    /// Which side of the handshake this context's sessions play.
    public enum Role: Sendable, Hashable {
        /// Sessions connect (`SSL_set_connect_state`), send SNI and verify the server.
        case client
        /// Sessions accept (`SSL_set_accept_state`) and present the configured certificate.
        case server
    }

    /// Which side of the handshake this context's sessions play.
    public let role: Role
    /// The client settings this context was built from (`nil` for a server context).
    public let clientConfiguration: TLSClientConfiguration?
    /// The server settings this context was built from (`nil` for a client context).
    public let serverConfiguration: TLSServerConfiguration?

    /// The configured `SSL_CTX`; owned (freed in `deinit`), never mutated after `init`.
    let ctx: OpaquePointer
    /// Last resumable session per key; `nil` unless `sessionResumption` is on.
    let sessionCache: TLSSessionCache?
    /// Server ALPN preference list, read by the selection callback through its `arg` pointer.
    private let serverALPN: TLSServerALPN?

    /// Creates a client context: loads the trust store, sets ALPN, versions and the session cache.
    public init(client configuration: TLSClientConfiguration) throws(TLSError) {
        ERR_clear_error()
        let alpnWire = try Self.alpnWireFormat(configuration.alpn)
        guard let ctx = SSL_CTX_new(TLS_client_method()) else {
            throw .openSSL(.configuration, "SSL_CTX_new failed")
        }
        var success = false
        defer { if !success { SSL_CTX_free(ctx) } }

        try Self.applyCommonSettings(
            ctx, minimum: configuration.minimumVersion, maximum: configuration.maximumVersion)
        if let problem = Self.ciphersuitesProblem(configuration.ciphersuites) {
            throw .openSSL(.configuration, "TLS 1.3 cipher suites: \(problem)")
        }
        guard SSL_CTX_set_ciphersuites(ctx, configuration.ciphersuites) == 1 else {
            throw .openSSL(.configuration, "invalid TLS 1.3 cipher suites \"\(configuration.ciphersuites)\"")
        }

        // Security level 2 (as browsers): refuses RSA/DSA keys under 2048 bits and SHA-1/MD5 signatures in the
        // chain, which OpenSSL's default level 1 accepts (CONFORMANCE.md, "Certificate checks").
        SSL_CTX_set_security_level(ctx, Self.clientSecurityLevel)
        if configuration.verifyPeer {
            SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, tlsVerifyCallback)
            if let caFile = configuration.caFile {
                guard SSL_CTX_load_verify_locations(ctx, caFile, nil) == 1 else {
                    throw .openSSL(.configuration, "cannot load CA file \(caFile)")
                }
            } else {
                guard SSL_CTX_set_default_verify_paths(ctx) == 1 else {
                    throw .openSSL(.configuration, "cannot load the system CA store")
                }
            }
        } else {
            SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nil)
        }

        if !alpnWire.isEmpty {
            let rc = alpnWire.withUnsafeBufferPointer {
                SSL_CTX_set_alpn_protos(ctx, $0.baseAddress, UInt32($0.count))
            }
            guard rc == 0 else {  // Note: 0 is success for this one.
                throw .openSSL(.configuration, "cannot set ALPN protocols \(configuration.alpn)")
            }
        }

        var cache: TLSSessionCache? = nil
        if configuration.sessionResumption {
            // Client-side cache with no internal store: OpenSSL hands each new session to the
            // callback, which keeps the newest one per key (see TLSSession.storeResumableSession).
            _ = wsl_SSL_CTX_set_session_cache_mode(
                ctx, Int(SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE))
            SSL_CTX_sess_set_new_cb(ctx, tlsNewSessionCallback)
            cache = TLSSessionCache()
        } else {
            _ = wsl_SSL_CTX_set_session_cache_mode(ctx, Int(SSL_SESS_CACHE_OFF))
        }

        success = true
        self.role = .client
        self.clientConfiguration = configuration
        self.serverConfiguration = nil
        self.ctx = ctx
        self.sessionCache = cache
        self.serverALPN = nil
    }

    /// Creates a server context: loads the certificate chain and key and sets ALPN selection.
    public init(server configuration: TLSServerConfiguration) throws(TLSError) {
        ERR_clear_error()
        let protocols = try Self.validatedALPN(configuration.alpn)
        guard let ctx = SSL_CTX_new(TLS_server_method()) else {
            throw .openSSL(.configuration, "SSL_CTX_new failed")
        }
        var success = false
        defer { if !success { SSL_CTX_free(ctx) } }

        try Self.applyCommonSettings(
            ctx, minimum: configuration.minimumVersion, maximum: configuration.maximumVersion)
        if let level = configuration.securityLevel { SSL_CTX_set_security_level(ctx, Int32(clamping: level)) }

        guard SSL_CTX_use_certificate_chain_file(ctx, configuration.certificateChainFile) == 1 else {
            throw .openSSL(
                .configuration,
                "cannot load certificate chain from \(configuration.certificateChainFile)")
        }
        guard SSL_CTX_use_PrivateKey_file(ctx, configuration.privateKeyFile, SSL_FILETYPE_PEM) == 1
        else {
            throw .openSSL(
                .configuration, "cannot load private key from \(configuration.privateKeyFile)")
        }
        guard SSL_CTX_check_private_key(ctx) == 1 else {
            throw .openSSL(
                .configuration,
                "private key \(configuration.privateKeyFile) does not match certificate "
                    + configuration.certificateChainFile)
        }
        let sessionIDContext: [UInt8] = Array("wsload".utf8)
        _ = sessionIDContext.withUnsafeBufferPointer {
            SSL_CTX_set_session_id_context(ctx, $0.baseAddress, UInt32($0.count))
        }
        // One TLS 1.3 ticket per connection is enough to resume and halves ticket traffic.
        _ = SSL_CTX_set_num_tickets(ctx, 1)

        var alpnBox: TLSServerALPN? = nil
        if !protocols.isEmpty {
            let box = TLSServerALPN(protocols: protocols)
            // The box outlives the SSL_CTX: it is a stored property, and deinit frees the context.
            SSL_CTX_set_alpn_select_cb(
                ctx, tlsALPNSelectCallback, Unmanaged.passUnretained(box).toOpaque())
            alpnBox = box
        }

        success = true
        self.role = .server
        self.clientConfiguration = nil
        self.serverConfiguration = configuration
        self.ctx = ctx
        self.sessionCache = nil
        self.serverALPN = alpnBox
    }

    deinit {
        SSL_CTX_free(ctx)
    }

    /// The OpenSSL security level of client contexts: 2 (112-bit security), as browsers require.
    public static let clientSecurityLevel: Int32 = 2

    /// Creates a session for a connected, non-blocking socket.
    ///
    /// - Parameters:
    ///   - fd: the socket; the session does not own it (closing it stays the caller's job, after
    ///     the session is no longer used).
    ///   - identity: client only: what the certificate must prove (a DNS name, also sent as SNI, or an IP
    ///     address, matched against iPAddress subjectAltNames) when `verifyPeer` is on. `nil` sends no SNI and
    ///     checks only the chain. Ignored by server contexts.
    ///   - resumptionKey: client only: the session-cache key; by default the identity and the
    ///     socket's peer address (`host@ip:port`).
    public func makeSession(
        fd: Int32, identity: TLSPeerIdentity?, resumptionKey: String? = nil
    ) throws(TLSError) -> TLSSession {
        ERR_clear_error()
        guard let ssl = SSL_new(ctx) else {
            throw .openSSL(.configuration, "SSL_new failed")
        }
        var success = false
        defer { if !success { SSL_free(ssl) } }

        guard SSL_set_fd(ssl, fd) == 1 else {
            throw .openSSL(.configuration, "SSL_set_fd(\(fd)) failed")
        }

        var verified: TLSPeerIdentity? = nil
        var key: String? = nil
        switch role {
        case .server:
            SSL_set_accept_state(ssl)
        case .client:
            SSL_set_connect_state(ssl)
            let verifyPeer = clientConfiguration?.verifyPeer ?? true
            if let identity {
                if let sni = identity.sni {
                    guard sni.withCString({ wsl_SSL_set_tlsext_host_name(ssl, $0) }) == 1 else {
                        throw .openSSL(.configuration, "invalid TLS server name \(sni)")
                    }
                }
                if verifyPeer {
                    let param = SSL_get0_param(ssl)
                    let ok: Int32
                    switch identity {
                    case .ipAddress(let ip):
                        ok = X509_VERIFY_PARAM_set1_ip_asc(param, ip)
                    case .dnsName(let name):
                        X509_VERIFY_PARAM_set_hostflags(
                            param, UInt32(X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS))
                        ok = X509_VERIFY_PARAM_set1_host(param, name, 0)
                    }
                    guard ok == 1 else {
                        throw .openSSL(.configuration, "cannot verify against \(identity)")
                    }
                    verified = identity
                }
            }
            if let cache = sessionCache {
                let k = cache.intern(resumptionKey ?? Self.defaultResumptionKey(fd: fd, serverName: identity?.value))
                key = k
                cache.apply(key: k, to: ssl)
            }
        }

        success = true
        let session = TLSSession(
            context: self, ssl: ssl, verifiedIdentity: verified, resumptionKey: key)
        // The SSL's app data points back (unretained) at the session, which owns the SSL.
        _ = wsl_SSL_set_app_data(ssl, Unmanaged.passUnretained(session).toOpaque())
        return session
    }

    /// Creates a session whose identity is `serverName` read as a host (a DNS name or an IP literal, see
    /// ``TLSPeerIdentity``); `nil` sends no SNI and checks only the chain.
    public func makeSession(
        fd: Int32, serverName: String?, resumptionKey: String? = nil
    ) throws(TLSError) -> TLSSession {
        try makeSession(fd: fd, identity: serverName.flatMap { TLSPeerIdentity(host: $0) }, resumptionKey: resumptionKey)
    }

    /// Why `ciphersuites` is not a usable TLS 1.3 cipher-suite list for this OpenSSL, or nil if it is.
    /// Every name is checked on its own: OpenSSL silently drops unknown names from a list that has a known one,
    /// so a typo would otherwise just change what is offered.
    public static func ciphersuitesProblem(_ ciphersuites: String) -> String? {
        let names = ciphersuites.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard !ciphersuites.isEmpty, !names.contains(where: \.isEmpty) else {
            return "expected TLS 1.3 cipher-suite names separated by \":\", got \"\(ciphersuites)\""
        }
        guard let ctx = SSL_CTX_new(TLS_client_method()) else { return nil }
        defer { SSL_CTX_free(ctx); ERR_clear_error() }
        let unknown = names.filter { SSL_CTX_set_ciphersuites(ctx, $0) != 1 }
        guard unknown.isEmpty else {
            return "unknown TLS 1.3 cipher suite\(unknown.count == 1 ? "" : "s") \(unknown.map { "\"\($0)\"" }.joined(separator: ", ")); "
                + "RFC 8446 defines TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256, TLS_AES_128_CCM_SHA256, TLS_AES_128_CCM_8_SHA256"
        }
        return nil
    }

    // MARK: - Helpers

    private static func applyCommonSettings(
        _ ctx: OpaquePointer, minimum: TLSVersion, maximum: TLSVersion?
    ) throws(TLSError) {
        let mode =
            SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE
            | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER
        _ = wsl_SSL_CTX_set_mode(ctx, Int(mode))
        _ = SSL_CTX_set_options(ctx, wsl_SSL_OP_NO_RENEGOTIATION())
        guard wsl_SSL_CTX_set_min_proto_version(ctx, minimum.openSSLVersion) == 1 else {
            throw .openSSL(.configuration, "cannot set minimum TLS version \(minimum)")
        }
        if let maximum {
            guard maximum >= minimum else {
                throw TLSError(
                    kind: .configuration,
                    message: "maximum TLS version \(maximum) is older than minimum \(minimum)")
            }
            guard wsl_SSL_CTX_set_max_proto_version(ctx, maximum.openSSLVersion) == 1 else {
                throw .openSSL(.configuration, "cannot set maximum TLS version \(maximum)")
            }
        }
    }

    /// Checks ALPN names (1–255 bytes each) and returns them as byte strings.
    static func validatedALPN(_ protocols: [String]) throws(TLSError) -> [[UInt8]] {
        var result: [[UInt8]] = []
        for name in protocols {
            let bytes = Array(name.utf8)
            guard (1...255).contains(bytes.count) else {
                throw TLSError(
                    kind: .configuration,
                    message: "ALPN protocol name must be 1-255 bytes: \"\(name)\"")
            }
            result.append(bytes)
        }
        return result
    }

    /// ALPN names in wire format: each name prefixed by its one-byte length (RFC 7301 §3.1).
    static func alpnWireFormat(_ protocols: [String]) throws(TLSError) -> [UInt8] {
        var wire: [UInt8] = []
        for bytes in try validatedALPN(protocols) {
            wire.append(UInt8(bytes.count))
            wire.append(contentsOf: bytes)
        }
        return wire
    }

    /// `serverName@peer-address:port`, or `serverName@fd-family-N` if the peer is not IP.
    static func defaultResumptionKey(fd: Int32, serverName: String?) -> String {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &length) }
        }
        let host = serverName ?? ""
        guard rc == 0 else { return "\(host)@unknown" }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin in
                    var addr = sin.pointee.sin_addr
                    inet_ntop(AF_INET, &addr, &text, socklen_t(text.count))
                    let port = UInt16(bigEndian: sin.pointee.sin_port)
                    return "\(host)@\(tlsString(fromNulTerminated: text)):\(port)"
                }
            }
        case AF_INET6:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sin6 in
                    var addr = sin6.pointee.sin6_addr
                    inet_ntop(AF_INET6, &addr, &text, socklen_t(text.count))
                    let port = UInt16(bigEndian: sin6.pointee.sin6_port)
                    return "\(host)@[\(tlsString(fromNulTerminated: text))]:\(port)"
                }
            }
        default:
            return "\(host)@fd-family-\(storage.ss_family)"
        }
    }
}

extension TLSVersion {
    /// OpenSSL's version constant (`TLS1_2_VERSION`, `TLS1_3_VERSION`).
    var openSSLVersion: Int32 {
        switch self {
        case .tls12: TLS1_2_VERSION
        case .tls13: TLS1_3_VERSION
        }
    }
}

// MARK: - Client session cache

/// The newest resumable `SSL_SESSION` per key (normally server name and peer address).
///
/// Shared by all connections of a context, so every access holds `mutex`; it is used once per
/// connection (when a session is created and when the server's ticket arrives), never on the
/// read/write path. (A pthread mutex rather than `Synchronization.Mutex`, which needs macOS 15.)
final class TLSSessionCache: @unchecked Sendable {
    /// Bound on distinct keys; past it an arbitrary other entry is evicted.
    static let maximumEntries = 4096

    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    /// Guarded by `mutex`. Each value holds one reference, released on replace and in deinit.
    private var sessions: [String: OpaquePointer] = [:]

    init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        for session in sessions.values { SSL_SESSION_free(session) }
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    private func locked<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body()
    }

    /// Keeps a private copy of `session` as the newest one for `key`.
    ///
    /// A copy, because OpenSSL marks a connection's own session not resumable when that
    /// connection is freed without `close_notify` (common in a load test), which would spoil
    /// the cache entry for everyone.
    func store(_ session: OpaquePointer, key: String) {
        guard let session = SSL_SESSION_dup(session) else { return }
        locked {
            if let old = sessions.updateValue(session, forKey: key) {
                SSL_SESSION_free(old)
            } else if sessions.count > Self.maximumEntries,
                let victim = sessions.first(where: { $0.key != key })
            {
                sessions.removeValue(forKey: victim.key)
                SSL_SESSION_free(victim.value)
            }
        }
    }

    /// Offers a private copy of the cached session for `key` on `ssl`, if there is one.
    ///
    /// A copy, so connections on different threads never share one mutable `SSL_SESSION`.
    func apply(key: String, to ssl: OpaquePointer) {
        locked {
            guard let cached = sessions[key], let copy = SSL_SESSION_dup(cached) else { return }
            _ = SSL_set_session(ssl, copy)  // takes its own reference
            SSL_SESSION_free(copy)
        }
    }

    /// Number of keys with a cached session.
    var count: Int { locked { sessions.count } }

    /// Guarded by `mutex`: one shared copy of each key, so thousands of connections to one server
    /// hold references to a single string instead of ~64 B of their own each.
    private var keys: Set<String> = []

    /// The shared instance of `key` (bounded like the cache: past the bound, `key` itself).
    func intern(_ key: String) -> String {
        locked {
            if let i = keys.firstIndex(of: key) { return keys[i] }
            if keys.count < Self.maximumEntries { keys.insert(key) }
            return key
        }
    }
}

/// OpenSSL's new-session callback: hands the session to the owning `TLSSession`'s cache, which
/// stores a copy. Returns 0: OpenSSL keeps its reference.
private func tlsNewSessionCallback(_ ssl: OpaquePointer?, _ session: OpaquePointer?) -> Int32 {
    guard let ssl, let session, let owner = wsl_SSL_get_app_data(ssl) else { return 0 }
    let tls = Unmanaged<TLSSession>.fromOpaque(owner).takeUnretainedValue()
    tls.storeResumableSession(session)
    return 0
}

// MARK: - Certificate verification

/// OpenSSL's certificate-verification callback: records the first failed check (with the certificate it concerns)
/// on the owning `TLSSession`, and adds one check of wsload's own: a CA certificate (basicConstraints CA:TRUE)
/// presented as the server's certificate is refused unless it is itself the trust anchor (a self-signed
/// certificate trusted directly with `--ca-file`). OpenSSL accepts such a leaf; browsers do not.
private func tlsVerifyCallback(_ preverifyOK: Int32, _ store: OpaquePointer?) -> Int32 {
    guard let store, let ssl = wsl_X509_STORE_CTX_get_ssl(store), let owner = wsl_SSL_get_app_data(ssl) else {
        return preverifyOK
    }
    let session = Unmanaged<TLSSession>.fromOpaque(owner).takeUnretainedValue()
    if preverifyOK != 1 {
        session.noteCertificateProblem(TLSCertificateProblem(store: store, identity: session.verifiedIdentity))
        return 0
    }
    if X509_STORE_CTX_get_error_depth(store) == 0, wsl_X509_STORE_CTX_chain_length(store) > 1,
        let leaf = X509_STORE_CTX_get_current_cert(store), X509_check_ca(leaf) == 1
    {
        X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION)
        session.noteCertificateProblem(
            TLSCertificateProblem(
                store: store, code: TLSCertificateProblem.caAsLeaf, identity: session.verifiedIdentity))
        return 0
    }
    return 1
}

// MARK: - Server ALPN selection

/// The server's ALPN preference list, reachable from the C selection callback.
final class TLSServerALPN: Sendable {
    let protocols: [[UInt8]]
    init(protocols: [[UInt8]]) { self.protocols = protocols }
}

/// Picks the first server-preferred protocol that the client offered (RFC 7301 §3.2).
/// `out` points into the client's list (`input`), which OpenSSL copies before it goes away.
private func tlsALPNSelectCallback(
    _ ssl: OpaquePointer?,
    _ out: UnsafeMutablePointer<UnsafePointer<UInt8>?>?,
    _ outLength: UnsafeMutablePointer<UInt8>?,
    _ input: UnsafePointer<UInt8>?,
    _ inputLength: UInt32,
    _ arg: UnsafeMutableRawPointer?
) -> Int32 {
    guard let out, let outLength, let input, let arg else { return SSL_TLSEXT_ERR_NOACK }
    let preferences = Unmanaged<TLSServerALPN>.fromOpaque(arg).takeUnretainedValue().protocols
    let offered = UnsafeBufferPointer(start: input, count: Int(inputLength))
    for wanted in preferences {
        var index = 0
        while index < offered.count {
            let length = Int(offered[index])
            let start = index + 1
            guard length > 0, start + length <= offered.count else { break }
            if length == wanted.count, offered[start..<start + length].elementsEqual(wanted) {
                out.pointee = input + start
                outLength.pointee = UInt8(length)
                return SSL_TLSEXT_ERR_OK
            }
            index = start + length
        }
    }
    return SSL_TLSEXT_ERR_NOACK
}
