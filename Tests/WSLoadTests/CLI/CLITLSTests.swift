import Foundation
import Testing

@testable import WSLoad

/// The `wsload` binary over TLS against matrix certificates: what a person sees (issue 18's three commands).
@Suite("CLI TLS: identity checks and --insecure", .serialized)
struct CLITLSTests {
    static let matrix = BadCertificateMatrix.shared

    @Test func ipLiteralTargetIsVerified() async throws {
        _ = try CLIEnvironment.requireBinary()
        let pod = try MatrixPodServer(Self.matrix.case("dns-cert-for-ip"))  // DNS:other.example only
        defer { pod.stop() }
        let ip = try await wsload(["connect", "wss://127.0.0.1:\(pod.port)/ws", "--ca-file", Self.matrix.rootPath, "--wait", "0"])
        #expect(ip.status == 3, "\(ip)")
        #expect(ip.stderr.contains("certificate does not match IP address 127.0.0.1 (its names: DNS:other.example)"), "\(ip)")
        #expect(!ip.stdout.contains("ping rtt"), "\(ip)")
        let name = try await wsload(["connect", "wss://localhost:\(pod.port)/ws", "--ca-file", Self.matrix.rootPath, "--wait", "0"])
        #expect(name.status == 3)
        #expect(name.stderr.contains("certificate does not match host name localhost (its names: DNS:other.example)"), "\(name)")
        let named = try await wsload([
            "connect", "wss://127.0.0.1:\(pod.port)/ws", "--ca-file", Self.matrix.rootPath,
            "--server-name", "other.example", "--wait", "0",
        ])
        #expect(named.status == 0, "\(named)")
        #expect(named.stdout.contains("tls check  certificate checked against DNS:other.example (SNI other.example)"), "\(named)")
    }

    @Test func goodIPCertificateSaysWhatWasVerified() async throws {
        _ = try CLIEnvironment.requireBinary()
        let pod = try MatrixPodServer(Self.matrix.case("ip-san"))
        defer { pod.stop() }
        let r = try await wsload(["connect", "wss://127.0.0.1:\(pod.port)/ws", "--ca-file", Self.matrix.rootPath, "--wait", "0"])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("tls check  certificate checked against IP:127.0.0.1 (no SNI: IP address)"), "\(r)")
        #expect(!r.stderr.contains("--insecure"))
    }

    @Test func insecureWarnsOnceAndIsRecorded() async throws {
        _ = try CLIEnvironment.requireBinary()
        let pod = try MatrixPodServer(Self.matrix.case("self-signed"))
        defer { pod.stop() }
        let c = try await wsload(["connect", "wss://localhost:\(pod.port)/ws", "--insecure", "--wait", "0"])
        #expect(c.status == 0, "\(c)")
        #expect(c.stderr.components(separatedBy: "warning: --insecure").count == 2, "exactly one warning\n\(c)")
        #expect(c.stdout.contains("tls check  certificate NOT verified (--insecure)"), "\(c)")

        let dir = try CLIEnvironment.temporaryDirectory("tls-insecure")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try await wsload([
            "run", "--url", "wss://localhost:\(pod.port)/ws", "--connections", "3", "--hold", "0.1s", "--insecure",
            "--out", dir.path, "--format", "table",
        ])
        #expect(r.status == 0, "\(r)")
        #expect(r.stderr.components(separatedBy: "warning: --insecure").count == 2, "exactly one warning per run\n\(r)")
        #expect(r.stdout.contains("tls certificate NOT verified (--insecure)"), "\(r)")
        let json = try String(contentsOf: dir.appendingPathComponent("report.json"), encoding: .utf8)
        #expect(json.contains(#""insecure" : true"#), "\(json.prefix(400))")
    }

    @Test func runBucketsABadCertificateByItsCheck() async throws {
        _ = try CLIEnvironment.requireBinary()
        let pod = try MatrixPodServer(Self.matrix.case("expired"))
        defer { pod.stop() }
        let r = try await wsload([
            "run", "--url", "wss://localhost:\(pod.port)/ws", "--connections", "2", "--hold", "0.1s",
            "--ca-file", Self.matrix.rootPath, "--format", "table",
        ])
        #expect(r.status != 0, "\(r)")
        #expect(r.stdout.contains("tls: certificate expired"), "\(r)")
        #expect(r.stdout.contains("tls certificate checked against DNS:localhost (SNI localhost)"), "\(r)")
        #expect(r.stderr.contains("--insecure") == false)
    }
}
