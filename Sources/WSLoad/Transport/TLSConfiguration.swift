/// A TLS protocol version that wsload can require or cap.
public enum TLSVersion: String, Sendable, Hashable, Codable, CaseIterable, Comparable, CustomStringConvertible {
    /// TLS 1.2 (RFC 5246).
    case tls12 = "TLSv1.2"
    /// TLS 1.3 (RFC 8446).
    case tls13 = "TLSv1.3"

    /// OpenSSL's name, e.g. `TLSv1.3` (what `TLSSession.protocolVersion` reports).
    public var description: String { rawValue }

    /// Orders versions oldest first.
    public static func < (lhs: TLSVersion, rhs: TLSVersion) -> Bool {
        lhs.order < rhs.order
    }

    private var order: Int {
        switch self {
        case .tls12: 12
        case .tls13: 13
        }
    }
}

/// Client TLS settings; one `TLSContext` is built from them per run and shared by all connections.
public struct TLSClientConfiguration: Sendable, Hashable, Codable {
    /// Verify the server's chain and name. `false` only with an explicit `--insecure`.
    public var verifyPeer: Bool
    /// PEM bundle of trusted CAs; `nil` uses the system default store.
    public var caFile: String?
    /// ALPN protocols to offer, in preference order; empty offers none.
    public var alpn: [String]
    /// Keep the last session per (server name, peer address) and offer it on the next connection.
    public var sessionResumption: Bool
    /// The oldest protocol version accepted.
    public var minimumVersion: TLSVersion
    /// The newest protocol version offered; `nil` means the newest OpenSSL supports.
    public var maximumVersion: TLSVersion?
    /// TLS 1.3 cipher suites offered, in preference order (OpenSSL `SSL_CTX_set_ciphersuites` syntax).
    public var ciphersuites: String

    /// The order Firefox offers (Chrome differs only in putting AES-256 before ChaCha20): a load test
    /// should negotiate what real WebSocket clients do. It is also the lean choice for held connections:
    /// AES-128-GCM with SHA-256 keeps ~240 B less OpenSSL state per connection than OpenSSL's own default
    /// order, which starts with AES-256-GCM/SHA-384 (BENCHMARKS.md, `scripts/bench-engine tls-floor`).
    public static let browserCiphersuites = "TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_256_GCM_SHA384"

    /// The one stderr warning a run with verification off prints (`--insecure`, `target.tls.insecure`).
    public static let insecureWarning =
        "wsload: warning: --insecure: the server's certificate is NOT verified (chain, dates, name or address); "
        + "any server on the path is accepted and measured. The report records this."

    /// Creates client settings; the defaults verify against the system store, offer `http/1.1` and
    /// the browsers' TLS 1.3 cipher-suite order.
    public init(
        verifyPeer: Bool = true,
        caFile: String? = nil,
        alpn: [String] = ["http/1.1"],
        sessionResumption: Bool = false,
        minimumVersion: TLSVersion = .tls12,
        maximumVersion: TLSVersion? = nil,
        ciphersuites: String = TLSClientConfiguration.browserCiphersuites
    ) {
        self.ciphersuites = ciphersuites
        self.verifyPeer = verifyPeer
        self.caFile = caFile
        self.alpn = alpn
        self.sessionResumption = sessionResumption
        self.minimumVersion = minimumVersion
        self.maximumVersion = maximumVersion
    }
}

/// Server TLS settings (used by the reference server and by tests).
public struct TLSServerConfiguration: Sendable, Hashable {
    /// PEM file with the leaf certificate first, then any intermediates.
    public var certificateChainFile: String
    /// PEM file with the private key of the leaf certificate.
    public var privateKeyFile: String
    /// ALPN protocols accepted, in server preference order; empty disables ALPN.
    public var alpn: [String]
    /// The oldest protocol version accepted.
    public var minimumVersion: TLSVersion
    /// The newest protocol version accepted; `nil` means the newest OpenSSL supports.
    public var maximumVersion: TLSVersion?
    /// OpenSSL security level (`SSL_CTX_set_security_level`); `nil` keeps OpenSSL's default (1). Tests set 0 to
    /// serve deliberately weak certificates (SHA-1, RSA-1024) that the client must refuse.
    public var securityLevel: Int?

    /// Creates server settings.
    public init(
        certificateChainFile: String,
        privateKeyFile: String,
        alpn: [String] = ["http/1.1"],
        minimumVersion: TLSVersion = .tls12,
        maximumVersion: TLSVersion? = nil,
        securityLevel: Int? = nil
    ) {
        self.securityLevel = securityLevel
        self.certificateChainFile = certificateChainFile
        self.privateKeyFile = privateKeyFile
        self.alpn = alpn
        self.minimumVersion = minimumVersion
        self.maximumVersion = maximumVersion
    }
}
