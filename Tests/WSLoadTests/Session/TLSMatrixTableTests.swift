import Foundation
import Testing

@testable import WSLoad

/// Writes the matrix's results (case, expected, what connect, run and portforward saw) as a Markdown table to
/// the file named by `WSLOAD_TLS_MATRIX_TABLE` (the table in CONFORMANCE.md), or a temporary file when it is not set.
/// Runs in every `swift test`: each of the three ways in must pass exactly the cases the matrix expects to pass.
@Suite("TLS certificate matrix: results table", .serialized)
struct TLSMatrixTableTests {
    @Test func writeTable() throws {
        let matrix = BadCertificateMatrix.shared
        var lines = [
            "| case | certificate | target (dialled) | expected | connect | run (bucket) | portforward (bucket) |",
            "|---|---|---|---|---|---|---|",
        ]
        for c in matrix.cases {
            let pod = try MatrixPodServer(c)
            defer { pod.stop() }
            let tls = TLSClientConfiguration(caFile: matrix.rootPath)
            let url = try WebSocketURL(c.url(port: pod.port))
            let probe = try ConnectionProbe.run(url: url, tls: tls, resolve: c.connectTo == c.host ? nil : c.connectTo, timeout: 5, wait: 0)
            let connect =
                probe.failure.map { f in
                    f.message.replacingOccurrences(of: "TLS certificateVerification: certificate verify failed: ", with: "")
                        .replacingOccurrences(of: "|", with: "\\|")
                } ?? "pass (pod \(probe.pod ?? "?"), ping \(probe.pingRTTMs != nil ? "ok" : "-"))"

            var plan = RunPlan(url: url, clients: 2, connectionsPerClient: 1)
            plan.cookiePolicy = .none; plan.hold = 0.05; plan.tls = tls
            plan.resolveOverride = c.connectTo == c.host ? nil : c.connectTo
            let result = try LoadEngine(plan: plan).run()
            let run =
                result.failed == 0
                ? "pass (\(result.held) held)"
                : Set(result.records.compactMap { $0.failure?.bucket }).sorted().map { "`\($0)` ×\(result.failed)" }.joined(separator: ", ")

            var pf = PortForwardPlan(localHost: c.connectTo.contains(":") ? "::1" : "127.0.0.1", connectTimeout: 5, upgradeTimeout: 5)
            pf.tls = tls; pf.tlsIdentity = TLSPeerIdentity(host: c.host)
            let pool = try ForwardConnectionPool(plan: pf, port: pod.port, label: "wsload.test.pf-table")
            let batch = pool.openBatch(2)
            pool.closeAll(timeout: 2); pool.shutdown()
            let forward =
                batch.failures.isEmpty
                ? "pass (\(batch.opened) opened)"
                : pool.totals.buckets.sorted { $0.key < $1.key }.map { "`\($0.key)` ×\($0.value)" }.joined(separator: ", ")

            let shouldPass = c.expectedCheck == nil
            #expect((probe.failure == nil) == shouldPass, "connect, \(c.name): \(connect)")
            #expect((result.failed == 0) == shouldPass, "run, \(c.name): \(run)")
            #expect(batch.failures.isEmpty == shouldPass, "portforward, \(c.name): \(forward)")
            let dialled = c.connectTo == c.host ? c.host : "\(c.host) (\(c.connectTo))"
            lines.append(
                "| \(c.name) | \(c.certificate) | \(dialled) | \(c.expectedCheck.map { "fail: \($0)" } ?? "pass") | \(connect) | \(run) | \(forward) |"
            )
        }
        let path =
            ProcessInfo.processInfo.environment["WSLOAD_TLS_MATRIX_TABLE"]
            ?? (NSTemporaryDirectory() as NSString).appendingPathComponent("wsload-tls-matrix-\(getpid()).md")
        defer { if ProcessInfo.processInfo.environment["WSLOAD_TLS_MATRIX_TABLE"] == nil { try? FileManager.default.removeItem(atPath: path) } }
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        #expect(lines.count == matrix.cases.count + 2)
    }
}
