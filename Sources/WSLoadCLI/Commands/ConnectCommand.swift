import ArgumentParser
import Foundation
import WSLoad
import WSProtocol

/// `wsload connect URL`: one connection, everything about it.
struct ConnectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connect",
        abstract: "Open one connection and show its handshake, negotiated extensions, pod identity and round-trip time.",
        discussion: """
            Examples:
              wsload connect ws://127.0.0.1:8080/ws
              wsload connect wss://example.com/ws --ca-file ca.pem --send hello
              wsload connect ws://10.0.0.5/ws --source 127.0.0.7 \\
                --header 'Cookie: SERVERID=ws-1'
            """
    )

    @Argument(help: "ws:// or wss:// URL.")
    var url: String
    @Option(help: "Source address to bind before connecting.")
    var source: String?
    @Option(name: .customLong("header"), help: "Request header \"Name: value\" (repeatable).")
    var headers: [String] = []
    @Option(help: "Text message to send after the upgrade (the reply is shown).")
    var send: String?
    @Option(help: "Seconds to wait for messages before closing.")
    var wait: Double = 0.5
    @Option(help: "Deadline per phase in seconds.")
    var timeout: Double = 10
    @Flag(help: "Do not offer permessage-deflate.")
    var noDeflate = false
    @Option(help: "PEM bundle of CAs to trust for wss://.")
    var caFile: String?
    @Flag(help: "Do not verify the server's certificate (wss://).")
    var insecure = false
    @Option(help: "Name (or IP address) the certificate must match and the SNI to send, instead of the URL's host (wss://).")
    var serverName: String?
    @Option(help: "Connect to this address instead of resolving the URL's host; the certificate is still checked against the URL's host.")
    var resolve: String?
    @Option(help: "Response header naming the pod (repeatable; default X-Pod-Name).")
    var podHeader: [String] = []
    @Option(help: "Affinity cookie name used to name the pod when no header does.")
    var podCookie: String?

    func run() throws {
        Process.ignoreBrokenPipe()
        let target: WebSocketURL
        do { target = try WebSocketURL(url) } catch { throw CLIError(exitCode: .usageError, message: "\(error)") }
        var src: SocketAddress?
        if let source {
            guard let s = SocketAddress(ip: source, port: 0) else {
                throw CLIError(exitCode: .usageError, message: "--source \(source): not a numeric IPv4 or IPv6 address")
            }
            src = s
        }
        var pairs: [(String, String)] = []
        var cookie: String?
        for h in headers {
            guard let i = h.firstIndex(of: ":") else { throw CLIError(exitCode: .usageError, message: "--header \(h): expected \"Name: value\"") }
            let name = h[..<i].trimmingCharacters(in: .whitespaces), value = h[h.index(after: i)...].trimmingCharacters(in: .whitespaces)
            if name.lowercased() == "cookie" { cookie = value } else { pairs.append((name, value)) }
        }
        let tls = TLSClientConfiguration(verifyPeer: !insecure, caFile: caFile)
        if let serverName, serverName.isEmpty { throw CLIError(exitCode: .usageError, message: "--server-name must not be empty") }
        if let resolve, SocketAddress(ip: resolve, port: 0) == nil {
            throw CLIError(exitCode: .usageError, message: "--resolve \(resolve): not a numeric IPv4 or IPv6 address")
        }
        warnIfInsecure(url: target, tls: tls)
        let result = try ConnectionProbe.run(
            url: target, source: src, headers: pairs, cookieHeader: cookie, deflate: !noDeflate, tls: tls,
            serverName: serverName, resolve: resolve, timeout: timeout, sendText: send, wait: wait,
            attribution: AttributionRules(headers: podHeader.isEmpty ? ["X-Pod-Name"] : podHeader, cookieName: podCookie))
        print("target     \(Redaction.redactURL(url))")
        if let l = result.local { print("local      \(l)") }
        if let r = result.remote { print("remote     \(r)") }
        func ms(_ v: Double?) -> String { v.map { String(format: "%.2f ms", $0) } ?? "-" }
        print("tcp        \(ms(result.tcpConnectMs))")
        if target.isTLS {
            print("tls        \(ms(result.tlsMs))")
            let summary = TLSVerificationSummary(verifiedIdentity: result.tlsIdentity?.subjectAltName, serverName: result.tlsSNI, insecure: insecure)
            if result.tlsMs != nil { print("tls check  \(summary.line)") }
        }
        print("upgrade    \(ms(result.upgradeMs))")
        if let head = result.response {
            print("response   \(head.version) \(head.status) \(head.reason)")
            for (n, v) in head.headers { print("  \(n): \(Redaction.redactHeaderValue(name: n, value: v))") }
            print("subprotocol \(result.subprotocol ?? "none")")
            if let d = result.deflate {
                print(
                    "deflate    permessage-deflate (send window \(d.sendMaxWindowBits)\(d.sendNoContextTakeover ? ", no context takeover" : ""); receive window \(d.receiveMaxWindowBits)\(d.receiveNoContextTakeover ? ", no context takeover" : ""))"
                )
            } else {
                print("deflate    not negotiated")
            }
            print("pod        \(result.pod ?? "unknown (no identity header or affinity cookie)")")
            print("ping rtt   \(ms(result.pingRTTMs))")
            for m in result.messages { print("message    \(m)") }
        }
        if let f = result.failure {
            throw CLIError(exitCode: .runIncomplete, message: f.description)
        }
    }
}
