import COpenSSL

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// PEM files for TLS tests, generated in-process with OpenSSL (EC P-256 keys, SHA-256 signatures)
/// into a fresh temporary directory once per test process.
///
/// - `caCertificatePath`: a self-signed CA (`CN=wsload test CA`).
/// - `certificatePath` / `privateKeyPath`: a leaf signed by that CA, `CN=localhost`, with
///   subjectAltName `IP:127.0.0.1, DNS:localhost`, extendedKeyUsage serverAuth.
/// - `selfSignedCertificatePath` / `selfSignedPrivateKeyPath`: a self-signed leaf with the same names.
struct TestCertificates: Sendable {
    let directory: String
    let caCertificatePath: String
    let certificatePath: String
    let privateKeyPath: String
    let selfSignedCertificatePath: String
    let selfSignedPrivateKeyPath: String

    /// Generated on first use; shared by all tests (they only read the files).
    static let shared: TestCertificates = {
        do {
            return try generate()
        } catch {
            fatalError("cannot generate test certificates: \(error)")
        }
    }()

    struct GenerationError: Error, CustomStringConvertible {
        var description: String
    }

    static func generate() throws -> TestCertificates {
        var template = Array("/tmp/wsload-tls-test-XXXXXX".utf8CString)
        guard let dirPointer = mkdtemp(&template) else {
            throw GenerationError(description: "mkdtemp failed: errno \(errno)")
        }
        let directory = String(cString: dirPointer)

        let caKey = try makeKey()
        defer { EVP_PKEY_free(caKey) }
        let ca = try makeCertificate(
            subject: [("CN", "wsload test CA"), ("O", "wsload test")], serial: 1,
            key: caKey, issuer: nil, issuerKey: caKey,
            extensions: [
                (NID_basic_constraints, "critical,CA:TRUE"),
                (NID_key_usage, "critical,keyCertSign,cRLSign"),
                (NID_subject_key_identifier, "hash"),
            ])
        defer { X509_free(ca) }

        let leafKey = try makeKey()
        defer { EVP_PKEY_free(leafKey) }
        let leafExtensions: [(Int32, String)] = [
            (NID_basic_constraints, "critical,CA:FALSE"),
            (NID_key_usage, "critical,digitalSignature"),
            (NID_ext_key_usage, "serverAuth"),
            (NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost"),
            (NID_subject_key_identifier, "hash"),
            (NID_authority_key_identifier, "keyid:always"),
        ]
        let leaf = try makeCertificate(
            subject: [("CN", "localhost"), ("O", "wsload test")], serial: 2,
            key: leafKey, issuer: ca, issuerKey: caKey, extensions: leafExtensions)
        defer { X509_free(leaf) }

        let selfKey = try makeKey()
        defer { EVP_PKEY_free(selfKey) }
        let selfSigned = try makeCertificate(
            subject: [("CN", "localhost"), ("O", "wsload self-signed")], serial: 3,
            key: selfKey, issuer: nil, issuerKey: selfKey,
            extensions: [
                (NID_basic_constraints, "critical,CA:FALSE"),
                (NID_ext_key_usage, "serverAuth"),
                (NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost"),
            ])
        defer { X509_free(selfSigned) }

        let result = TestCertificates(
            directory: directory,
            caCertificatePath: directory + "/ca.pem",
            certificatePath: directory + "/server.pem",
            privateKeyPath: directory + "/server-key.pem",
            selfSignedCertificatePath: directory + "/self-signed.pem",
            selfSignedPrivateKeyPath: directory + "/self-signed-key.pem")
        try writePEM(result.caCertificatePath) { PEM_write_bio_X509($0, ca) }
        try writePEM(result.certificatePath) { PEM_write_bio_X509($0, leaf) }
        try writePEM(result.privateKeyPath) {
            PEM_write_bio_PrivateKey($0, leafKey, nil, nil, 0, nil, nil)
        }
        try writePEM(result.selfSignedCertificatePath) { PEM_write_bio_X509($0, selfSigned) }
        try writePEM(result.selfSignedPrivateKeyPath) {
            PEM_write_bio_PrivateKey($0, selfKey, nil, nil, 0, nil, nil)
        }
        return result
    }

    private static func makeKey() throws -> OpaquePointer {
        guard let key = wsl_EVP_EC_gen("P-256") else {
            throw GenerationError(description: "EVP_EC_gen(P-256) failed: \(openSSLErrors())")
        }
        return key
    }

    /// A v3 certificate for `key`, signed by `issuerKey`; self-signed when `issuer` is nil.
    private static func makeCertificate(
        subject: [(String, String)], serial: Int, key: OpaquePointer,
        issuer: OpaquePointer?, issuerKey: OpaquePointer, extensions: [(Int32, String)]
    ) throws -> OpaquePointer {
        guard let x509 = X509_new() else { throw GenerationError(description: "X509_new failed") }
        var ok = false
        defer { if !ok { X509_free(x509) } }

        func check(_ condition: Bool, _ what: String) throws {
            if !condition { throw GenerationError(description: "\(what) failed: \(openSSLErrors())") }
        }
        try check(X509_set_version(x509, 2) == 1, "X509_set_version")  // v3
        try check(ASN1_INTEGER_set(X509_get_serialNumber(x509), serial) == 1, "serial")
        try check(X509_gmtime_adj(X509_getm_notBefore(x509), -3600) != nil, "notBefore")
        try check(X509_gmtime_adj(X509_getm_notAfter(x509), 30 * 86_400) != nil, "notAfter")
        try check(X509_set_pubkey(x509, key) == 1, "X509_set_pubkey")

        let name = X509_get_subject_name(x509)
        for (field, value) in subject {
            let bytes = Array(value.utf8)
            try check(
                X509_NAME_add_entry_by_txt(name, field, MBSTRING_ASC, bytes, Int32(bytes.count), -1, 0) == 1,
                "subject \(field)")
        }
        let issuerName = issuer.map { X509_get_subject_name($0) } ?? name
        try check(X509_set_issuer_name(x509, issuerName) == 1, "X509_set_issuer_name")

        var ctx = X509V3_CTX()
        wsl_X509V3_set_ctx_nodb(&ctx)
        X509V3_set_ctx(&ctx, issuer ?? x509, x509, nil, nil, 0)
        for (nid, value) in extensions {
            guard let ext = X509V3_EXT_conf_nid(nil, &ctx, nid, value) else {
                throw GenerationError(description: "extension \(nid)=\(value): \(openSSLErrors())")
            }
            defer { X509_EXTENSION_free(ext) }
            try check(X509_add_ext(x509, ext, -1) == 1, "X509_add_ext")
        }
        try check(X509_sign(x509, issuerKey, EVP_sha256()) > 0, "X509_sign")
        ok = true
        return x509
    }

    private static func writePEM(_ path: String, _ write: (OpaquePointer) -> Int32) throws {
        guard let bio = BIO_new_file(path, "w") else {
            throw GenerationError(description: "cannot create \(path): \(openSSLErrors())")
        }
        defer { BIO_free(bio) }
        guard write(bio) == 1 else {
            throw GenerationError(description: "cannot write \(path): \(openSSLErrors())")
        }
    }

    private static func openSSLErrors() -> String {
        var parts: [String] = []
        var buffer = [CChar](repeating: 0, count: 256)
        while case let code = ERR_get_error(), code != 0 {
            ERR_error_string_n(code, &buffer, buffer.count)
            parts.append(String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return parts.joined(separator: "; ")
    }
}
