import Foundation

@testable import WSLoad

/// The bad-certificate matrix (and its good cases), generated at test time with the `openssl` command-line tool
/// into a fresh temporary directory, once per test process: a trusted root CA, an intermediate it signs, an
/// untrusted root, and one leaf (with its key and the chain file a server presents) per case. No key is committed.
///
/// Every case says the host the client targets (its ``TLSPeerIdentity``), the address it connects to, and what
/// must happen: pass, or fail in the TLS phase with a given check (``TLSCertificateProblem/check``) and a
/// message naming the name or address.
struct BadCertificateMatrix: Sendable {
    /// One row of the matrix.
    struct Case: Sendable, CustomStringConvertible {
        /// Short name, e.g. `expired`.
        var name: String
        /// What the certificate is, for the CONFORMANCE table.
        var certificate: String
        /// The URL host the client targets (the identity verified).
        var host: String
        /// The address actually dialled (`target.resolve`); the host itself when it is an IP literal.
        var connectTo: String
        /// `nil`: must pass. Otherwise the check that must fail (the failure bucket's reason).
        var expectedCheck: String?
        /// Words the failure message must contain (which name or address, which property).
        var expectedWords: [String]
        /// PEM chain the server presents (leaf first) and its key.
        var chainPath: String
        var keyPath: String
        /// The server needs OpenSSL security level 0 to load this key/certificate.
        var weak: Bool

        var description: String { name }
        /// `wss://host:port/ws` (brackets for IPv6).
        func url(port: UInt16) -> String {
            "wss://\(host.contains(":") ? "[\(host)]" : host):\(port)/ws"
        }
    }

    let directory: String
    /// The trusted root CA (pass it as `--ca-file`).
    let rootPath: String
    let cases: [Case]

    /// Generated on first use; shared by all tests (they only read the files).
    static let shared: BadCertificateMatrix = {
        do { return try generate() } catch { fatalError("cannot generate the bad-certificate matrix: \(error)") }
    }()

    /// The case named `name`.
    func `case`(_ name: String) -> Case { cases.first { $0.name == name }! }

    struct Failure: Error, CustomStringConvertible { var description: String }

    // MARK: - Generation

    static func generate() throws -> BadCertificateMatrix {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wsload-tls-matrix-\(getpid())-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let g = Generator(dir: dir)

        try g.key("root"); try g.selfSigned("root", subject: "/O=wsload matrix/CN=wsload matrix root CA", ext: Generator.caExtensions)
        try g.key("other-root"); try g.selfSigned("other-root", subject: "/O=wsload matrix/CN=wsload unknown root CA", ext: Generator.caExtensions)
        try g.key("intermediate")
        try g.signed("intermediate", subject: "/O=wsload matrix/CN=wsload matrix intermediate CA", by: "root", ext: Generator.caExtensions)

        // What `openssl req -x509` makes by default: a self-signed CA:TRUE certificate, used as a server's own and
        // trusted directly with --ca-file (accepted: it is the trust anchor itself).
        try g.key("direct")
        try g.selfSigned("direct", subject: "/CN=localhost", ext: "basicConstraints=critical,CA:TRUE\nsubjectAltName=DNS:localhost\n")

        var cases: [Case] = []
        func leaf(
            _ name: String, _ certificate: String, host: String, connectTo: String? = nil, san: String,
            check: String?, words: [String] = [], issuer: String = "intermediate", chain: [String]? = nil,
            ext: String? = nil, keyType: Generator.KeyType = .ec, digest: String = "sha256",
            validity: (String, String)? = nil, weak: Bool = false, selfSigned: Bool = false
        ) throws {
            try g.key(name, keyType)
            let extensions = ext ?? Generator.leafExtensions(san: san, rsa: keyType != .ec)
            if selfSigned {
                try g.selfSigned(name, subject: "/O=wsload matrix/CN=\(name)", ext: extensions)
            } else {
                try g.signed(name, subject: "/O=wsload matrix/CN=\(name)", by: issuer, ext: extensions, digest: digest, validity: validity)
            }
            let chainFiles = chain ?? (selfSigned ? [name] : [name, issuer])
            try g.concatenate(chainFiles.map { "\(dir)/\($0).pem" }, into: "\(dir)/\(name)-chain.pem")
            cases.append(
                Case(
                    name: name, certificate: certificate, host: host, connectTo: connectTo ?? host, expectedCheck: check,
                    expectedWords: words, chainPath: "\(dir)/\(name)-chain.pem", keyPath: "\(dir)/\(name)-key.pem", weak: weak))
        }
        let now = Date()
        func stamp(_ offset: TimeInterval) -> String {
            let f = DateFormatter()
            f.locale = Locale(identifier: "en_US_POSIX"); f.timeZone = TimeZone(identifier: "UTC"); f.dateFormat = "yyyyMMddHHmmss'Z'"
            return f.string(from: now.addingTimeInterval(offset))
        }

        // Good cases.
        try leaf("full-chain", "DNS:localhost, leaf + intermediate", host: "localhost", san: "DNS:localhost", check: nil)
        try leaf("wildcard", "DNS:*.wsload.test", host: "pod-1.wsload.test", connectTo: "127.0.0.1", san: "DNS:*.wsload.test", check: nil)
        try leaf("ip-san", "IP:127.0.0.1", host: "127.0.0.1", san: "IP:127.0.0.1", check: nil)
        try leaf("ipv6-san", "IP:::1", host: "::1", san: "IP:::1", check: nil)
        // Bad cases.
        try leaf(
            "wrong-dns", "DNS:other.example", host: "localhost", san: "DNS:other.example",
            check: "certificate name mismatch", words: ["does not match host name localhost", "DNS:other.example"])
        try leaf(
            "wrong-ip", "IP:127.0.0.2", host: "127.0.0.1", san: "IP:127.0.0.2",
            check: "certificate IP address mismatch", words: ["does not match IP address 127.0.0.1", "IP:127.0.0.2"])
        try leaf(
            "dns-cert-for-ip", "DNS:other.example (issue 18)", host: "127.0.0.1", san: "DNS:other.example",
            check: "certificate IP address mismatch", words: ["does not match IP address 127.0.0.1", "its names: DNS:other.example"])
        try leaf(
            "ip-cert-for-dns", "IP:127.0.0.1 only (address pinned to 127.0.0.1)", host: "localhost", connectTo: "127.0.0.1", san: "IP:127.0.0.1",
            check: "certificate name mismatch", words: ["does not match host name localhost", "IP:127.0.0.1"])
        try leaf(
            "expired", "valid 30 to 1 days ago", host: "localhost", san: "DNS:localhost", check: "certificate expired",
            words: ["CN=expired", "expired at \(String(stamp(-86_400).prefix(4)))"], validity: (stamp(-30 * 86_400), stamp(-86_400)))
        try leaf(
            "not-yet-valid", "valid from tomorrow", host: "localhost", san: "DNS:localhost", check: "certificate not yet valid",
            words: ["CN=not-yet-valid", "is not valid before"], validity: (stamp(86_400), stamp(30 * 86_400)))
        try leaf(
            "self-signed", "self-signed, DNS:localhost", host: "localhost", san: "DNS:localhost", check: "self-signed certificate",
            words: ["CN=self-signed", "is self-signed"], selfSigned: true)
        try leaf(
            "unknown-root", "leaf + an untrusted root", host: "localhost", san: "DNS:localhost", check: "untrusted root CA",
            words: ["wsload unknown root CA", "not among the trusted CAs"], issuer: "other-root")
        try leaf(
            "missing-intermediate", "leaf only, issuer not sent", host: "localhost", san: "DNS:localhost", check: "issuer not found",
            words: ["wsload matrix intermediate CA", "does not send its intermediate"], chain: ["missing-intermediate"])
        try leaf(
            "sha1", "leaf signed with SHA-1", host: "localhost", san: "DNS:localhost", check: "weak signature algorithm",
            words: ["CN=sha1", "ecdsa-with-SHA1", "security level 2"], keyType: .rsa2048, digest: "sha1", weak: true)
        try leaf(
            "rsa-1024", "RSA-1024 key", host: "localhost", san: "DNS:localhost", check: "key too small",
            words: ["CN=rsa-1024", "1024-bit RSA", "security level 2"], keyType: .rsa1024, weak: true)
        try leaf(
            "ca-as-leaf", "CA:TRUE leaf (with serverAuth)", host: "localhost", san: "DNS:localhost",
            check: "CA certificate as server certificate", words: ["CN=ca-as-leaf", "is a CA certificate"],
            ext:
                "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,digitalSignature,keyCertSign,cRLSign\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost\n"
        )
        try leaf(
            "wrong-eku", "extendedKeyUsage clientAuth", host: "localhost", san: "DNS:localhost",
            check: "not a TLS server certificate (key usage)", words: ["CN=wrong-eku", "TLS Web Client Authentication"],
            ext: "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\nsubjectAltName=DNS:localhost\n"
        )
        return BadCertificateMatrix(directory: dir, rootPath: "\(dir)/root.pem", cases: cases)
    }
}

/// Runs `openssl` to make keys and certificates in one directory.
private struct Generator {
    enum KeyType { case ec, rsa2048, rsa1024 }
    let dir: String

    static let caExtensions = "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n"
    static func leafExtensions(san: String, rsa: Bool) -> String {
        "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\(rsa ? ",keyEncipherment" : "")\n"
            + "extendedKeyUsage=serverAuth\nsubjectAltName=\(san)\n"
    }

    func openssl(_ arguments: [String]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["openssl"] + arguments
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw BadCertificateMatrix.Failure(description: "openssl \(arguments.joined(separator: " ")) exited \(p.terminationStatus): \(text)")
        }
    }

    func key(_ name: String, _ type: KeyType = .ec) throws {
        switch type {
        case .ec: try openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "\(name)-key.pem"])
        case .rsa2048: try openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "\(name)-key.pem"])
        case .rsa1024: try openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", "\(name)-key.pem"])
        }
    }

    func write(_ text: String, _ file: String) throws {
        try text.write(toFile: "\(dir)/\(file)", atomically: true, encoding: .utf8)
    }

    static let requestConfig = "[req]\ndistinguished_name = dn\n[dn]\n"

    func selfSigned(_ name: String, subject: String, ext: String) throws {
        try write(Self.requestConfig + "[v3]\n" + ext, "\(name).cnf")
        try openssl([
            "req", "-new", "-x509", "-key", "\(name)-key.pem", "-subj", subject, "-days", "30", "-sha256",
            "-config", "\(name).cnf", "-extensions", "v3", "-out", "\(name).pem",
        ])
    }

    /// A certificate for `name`'s key signed by `issuer`, valid from an hour ago for 30 days unless `validity`
    /// (`YYYYMMDDHHMMSSZ` start and end, through `openssl ca`, the only tool that takes both dates in OpenSSL 3.0).
    func signed(
        _ name: String, subject: String, by issuer: String, ext: String, digest: String = "sha256",
        validity: (String, String)? = nil
    ) throws {
        try write(ext, "\(name).ext")
        try write(Self.requestConfig, "req.cnf")
        try openssl(["req", "-new", "-key", "\(name)-key.pem", "-subj", subject, "-config", "req.cnf", "-out", "\(name).csr"])
        if let (start, end) = validity {
            let db = "\(name)-ca"
            try FileManager.default.createDirectory(atPath: "\(dir)/\(db)", withIntermediateDirectories: true)
            try write("", "\(db)/index.txt")
            try write("1000\n", "\(db)/serial")
            try write(
                """
                [ca]
                default_ca = matrix
                [matrix]
                database = \(dir)/\(db)/index.txt
                serial = \(dir)/\(db)/serial
                new_certs_dir = \(dir)/\(db)
                default_md = \(digest)
                policy = anything
                unique_subject = no
                [anything]
                commonName = supplied
                organizationName = optional
                [v3]
                \(ext)
                """, "\(db)/ca.cnf")
            try openssl([
                "ca", "-batch", "-config", "\(db)/ca.cnf", "-cert", "\(issuer).pem", "-keyfile", "\(issuer)-key.pem",
                "-in", "\(name).csr", "-out", "\(name).pem", "-startdate", start, "-enddate", end, "-extensions", "v3",
                "-notext",
            ])
        } else {
            try openssl([
                "x509", "-req", "-in", "\(name).csr", "-CA", "\(issuer).pem", "-CAkey", "\(issuer)-key.pem",
                "-CAcreateserial", "-days", "30", "-\(digest)", "-extfile", "\(name).ext", "-out", "\(name).pem",
            ])
        }
    }

    func concatenate(_ files: [String], into output: String) throws {
        var data = Data()
        for f in files { data.append(try Data(contentsOf: URL(fileURLWithPath: f))) }
        try data.write(to: URL(fileURLWithPath: output))
    }
}
