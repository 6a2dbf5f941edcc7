internal import COpenSSL

/// The first certificate check that failed while verifying a server's chain, in words a person understands:
/// which check, which certificate, and which name or address it was checked against.
///
/// Captured by the verify callback (`TLSContext`) at the moment OpenSSL reports the error, because after a
/// failed handshake the peer certificate is no longer available from the `SSL`.
public struct TLSCertificateProblem: Sendable, Hashable {
    /// OpenSSL's verify result (`X509_V_ERR_*`).
    public var code: Int
    /// Position in the chain of the certificate that failed: 0 is the server's own certificate.
    public var depth: Int
    /// That certificate's subject (RFC 2253), e.g. `CN=localhost,O=wsload test`.
    public var subject: String
    /// Its issuer (RFC 2253).
    public var issuer: String
    /// Its subjectAltNames, e.g. `DNS:other.example, IP:127.0.0.1`; empty when it has none.
    public var subjectAltNames: String
    /// Its validity, ISO 8601 (`2026-12-02 05:00:00Z`).
    public var notBefore: String, notAfter: String
    /// Its signature algorithm, e.g. `sha1WithRSAEncryption`.
    public var signatureAlgorithm: String
    /// Its public key, e.g. `1024-bit RSA`.
    public var key: String
    /// Its extended key usage, e.g. `TLS Web Client Authentication`; empty when absent.
    public var extendedKeyUsage: String
    /// The identity the chain was verified for.
    public var identity: TLSPeerIdentity?

    /// `X509_V_ERR_APPLICATION_VERIFICATION`, which wsload's own check sets for a CA certificate presented as the
    /// server's certificate.
    static let caAsLeaf = Int(X509_V_ERR_APPLICATION_VERIFICATION)

    /// A short, stable name of the failed check (no names or dates in it), used as the failure bucket:
    /// `certificate name mismatch`, `certificate expired`, ….
    public var check: String {
        switch Int32(code) {
        case X509_V_ERR_HOSTNAME_MISMATCH: "certificate name mismatch"
        case X509_V_ERR_IP_ADDRESS_MISMATCH: "certificate IP address mismatch"
        case X509_V_ERR_CERT_HAS_EXPIRED: "certificate expired"
        case X509_V_ERR_CERT_NOT_YET_VALID: "certificate not yet valid"
        case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT: "self-signed certificate"
        case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN: "untrusted root CA"
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT,
            X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
            "issuer not found"
        case X509_V_ERR_EE_KEY_TOO_SMALL, X509_V_ERR_CA_KEY_TOO_SMALL: "key too small"
        case X509_V_ERR_CA_MD_TOO_WEAK: "weak signature algorithm"
        case X509_V_ERR_INVALID_PURPOSE: "not a TLS server certificate (key usage)"
        case X509_V_ERR_APPLICATION_VERIFICATION: "CA certificate as server certificate"
        case X509_V_ERR_INVALID_CA: "issuer is not a CA"
        case X509_V_ERR_CERT_SIGNATURE_FAILURE: "bad certificate signature"
        case X509_V_ERR_CERT_REVOKED: "certificate revoked"
        default: "certificate verify error \(code)"
        }
    }

    /// What failed, for a person: the check, the certificate, and the name or address, e.g.
    /// `certificate does not match IP address 127.0.0.1 (its names: DNS:other.example)`.
    public var explanation: String {
        let which = depth == 0 ? "the server's certificate \(subject)" : "the chain's certificate \(subject) (depth \(depth))"
        let names = subjectAltNames.isEmpty ? "it has no subjectAltName; subject \(subject)" : "its names: \(subjectAltNames)"
        switch Int32(code) {
        case X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH:
            return "certificate does not match \(identity?.description ?? "the target") (\(names))"
        case X509_V_ERR_CERT_HAS_EXPIRED:
            return "\(which) expired at \(notAfter)"
        case X509_V_ERR_CERT_NOT_YET_VALID:
            return "\(which) is not valid before \(notBefore)"
        case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
            return "\(which) is self-signed and is not among the trusted CAs (--ca-file or the system store)"
        case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
            return "the chain ends in root CA \(subject), which is not among the trusted CAs (--ca-file or the system store)"
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT,
            X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
            return "issuer \(issuer) of \(which) is neither among the trusted CAs nor sent by the server "
                + "(an unknown CA, or the server does not send its intermediate certificate)"
        case X509_V_ERR_EE_KEY_TOO_SMALL, X509_V_ERR_CA_KEY_TOO_SMALL:
            return "\(which) has a \(key) key, too small: wsload requires OpenSSL security level 2 "
                + "(RSA and DSA keys of at least 2048 bits, EC keys of at least 224 bits)"
        case X509_V_ERR_CA_MD_TOO_WEAK:
            return "\(which) is signed with \(signatureAlgorithm), too weak: wsload requires OpenSSL security level 2 "
                + "(SHA-256 or stronger, no SHA-1 or MD5)"
        case X509_V_ERR_INVALID_PURPOSE:
            let eku = extendedKeyUsage.isEmpty ? "" : " (extended key usage: \(extendedKeyUsage))"
            return "\(which) is not usable for TLS server authentication\(eku)"
        case X509_V_ERR_APPLICATION_VERIFICATION:
            return "\(which) is a CA certificate (basicConstraints CA:TRUE) issued by \(issuer), not a server certificate"
        default:
            let reason = String(cString: X509_verify_cert_error_string(code))
            return "\(reason): \(which)"
        }
    }

    /// Captures the certificate the store context is looking at, with the store's current error.
    init(store: OpaquePointer, identity: TLSPeerIdentity?) {
        self.init(store: store, code: Int(X509_STORE_CTX_get_error(store)), identity: identity)
    }

    /// Captures the certificate the store context is looking at, reporting `code`.
    init(store: OpaquePointer, code: Int, identity: TLSPeerIdentity?) {
        self.code = code
        depth = Int(X509_STORE_CTX_get_error_depth(store))
        self.identity = identity
        let certificate = X509_STORE_CTX_get_current_cert(store)
        func text(_ what: Int32) -> String {
            guard let certificate else { return "" }
            var buffer = [CChar](repeating: 0, count: 1024)
            let n = buffer.withUnsafeMutableBufferPointer { wsl_X509_text(certificate, what, $0.baseAddress, Int32($0.count)) }
            return n < 0 ? "" : tlsString(fromNulTerminated: buffer)
        }
        subject = text(WSL_X509_SUBJECT)
        issuer = text(WSL_X509_ISSUER)
        subjectAltNames = text(WSL_X509_SAN).replacingAll("IP Address:", with: "IP:")
        notBefore = text(WSL_X509_NOT_BEFORE)
        notAfter = text(WSL_X509_NOT_AFTER)
        signatureAlgorithm = text(WSL_X509_SIGNATURE)
        key = text(WSL_X509_KEY)
        extendedKeyUsage = text(WSL_X509_EKU)
    }
}

private extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
