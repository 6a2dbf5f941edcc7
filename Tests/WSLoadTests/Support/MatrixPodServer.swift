import Foundation

@testable import WSLoad

/// A reference pod server presenting one matrix case's certificate, listening on the case's address
/// (`127.0.0.1`, or `::1` for IPv6 cases) on an ephemeral port.
struct MatrixPodServer {
    let server: PodServer
    let port: UInt16

    init(_ c: BadCertificateMatrix.Case) throws {
        let listen = c.connectTo.contains(":") ? "::1" : "127.0.0.1"
        let config = PodServerConfiguration(
            listen: SocketAddress(ip: listen, port: 0)!, podName: "matrix-\(c.name)",
            tls: TLSServerConfiguration(certificateChainFile: c.chainPath, privateKeyFile: c.keyPath, securityLevel: c.weak ? 0 : nil),
            ioQueues: 1)
        server = try PodServer(config, logger: .discarding)
        port = try server.start().port
    }

    /// Stops listening and closes open connections. The server object is then kept alive for the rest of the
    /// process: a server-side connection still in its TLS handshake (the client just refused the certificate)
    /// calls its `unowned(unsafe)` delegate when the client's alert arrives, after `drain` has returned.
    func stop() {
        server.drain(timeout: 2)
        Self.retired.withLock { $0.append(server) }
    }

    private static let retired = Locked<[PodServer]>([])
}
