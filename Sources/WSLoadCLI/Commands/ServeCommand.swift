import ArgumentParser
import Dispatch
import Foundation
import WSLoad

/// `wsload serve`: the reference pod server.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the reference WebSocket pod server (echo, identity, Active connections log lines).",
        discussion: """
            Deploy it as your pods to test an Ingress or Service before your real app. Every 101 carries \
            X-Pod-Name (from --pod-name, $POD_NAME or $HOSTNAME); every change in open connections logs \
            "Active connections: N". SIGTERM drains: close frames with 1001, then exit.

            Examples:
              wsload serve --listen 0.0.0.0:8080
              wsload serve --listen 127.0.0.1:18081 --pod-name ws-1 --log-format json \\
                --capacity 1000
              POD_NAME=ws-0 wsload serve --identity-message --ping-interval 20s
              # a second server process on the same port, on purpose:
              wsload serve --listen 127.0.0.1:8080 --reuse-port
            """
    )

    @Option(help: "Address and port to listen on (host:port, [v6]:port).")
    var listen = "0.0.0.0:8080"
    @Option(help: "Pod identity (default: $POD_NAME, then $HOSTNAME).")
    var podName: String?
    @Flag(help: "Send {\"pod\":\"NAME\"} as the first message of every connection.")
    var identityMessage = false
    @Flag(help: "Do not echo messages.")
    var noEcho = false
    @Option(help: "Log line format: plain or json.")
    var logFormat: PodServerConfiguration.LogFormat = .plain
    @Option(help: "Refuse upgrades with 503 beyond this many open connections.")
    var capacity: Int?
    @Option(help: "Send server pings at this interval (e.g. 20s; 0 = off).")
    var pingInterval: DurationArgument = DurationArgument(seconds: 0)
    @Flag(help: "Do not negotiate permessage-deflate.")
    var noDeflate = false
    @Option(help: "PEM certificate chain for wss://.")
    var tlsCert: String?
    @Option(help: "PEM private key for wss://.")
    var tlsKey: String?
    @Option(name: .customLong("header"), help: "Extra response header on every 101, \"Name: value\" (repeatable).")
    var headers: [String] = []
    @Option(help: "Seconds to wait for connections to close on SIGTERM.")
    var drainTimeout: Double = 10
    @Option(help: "I/O queues (default: one per core).")
    var ioQueues: Int = System.coreCount
    @Flag(
        help:
            "Share the port with other servers already listening on it (SO_REUSEPORT: the kernel splits connections between them). Without it a busy port is an error."
    )
    var reusePort = false
    @Flag(help: .hidden)  // for test harnesses: drain and exit once the parent process is gone
    var exitWithParent = false

    func validate() throws {
        guard parseListenAddress(listen) != nil else {
            throw ValidationError("--listen \(listen): expected host:port with a numeric address, e.g. 0.0.0.0:8080 or [::1]:8080")
        }
        if (tlsCert == nil) != (tlsKey == nil) { throw ValidationError("--tls-cert and --tls-key go together") }
        for h in headers where !h.contains(":") { throw ValidationError("--header \(h): expected \"Name: value\"") }
    }

    func run() throws {
        Process.ignoreBrokenPipe()
        let env = ProcessInfo.processInfo.environment
        let name = podName ?? env["POD_NAME"] ?? env["HOSTNAME"] ?? "pod"
        let extra = headers.map { h -> (String, String) in
            let i = h.firstIndex(of: ":")!
            return (String(h[..<i]).trimmingCharacters(in: .whitespaces), String(h[h.index(after: i)...]).trimmingCharacters(in: .whitespaces))
        }
        let config = PodServerConfiguration(
            listen: parseListenAddress(listen)!, podName: name, sendIdentityMessage: identityMessage, echo: !noEcho,
            logFormat: logFormat, capacity: capacity, pingInterval: pingInterval.seconds, deflate: !noDeflate,
            tls: tlsCert.map { TLSServerConfiguration(certificateChainFile: $0, privateKeyFile: tlsKey!) },
            extraHeaders: extra, ioQueues: ioQueues, reusePort: reusePort)
        let out = LineWriter.standardOutput
        // Watch before "listening on" is printed: a supervisor may send SIGTERM as soon as it reads that line.
        let stop = DispatchSemaphore(value: 0)
        let signals = SignalWatcher([SIGTERM, SIGINT]) { _ in stop.signal() }
        let server: PodServer
        do { server = try PodServer(config, logger: .lines { out.write($0) }) } catch { throw CLIError(exitCode: .usageError, message: "\(error)") }
        _ = ResourceBudget.current()  // raises the soft descriptor limit to the hard one, as `run` does
        do { try server.start() } catch {
            // A busy or foreign listen address is a configuration error (exit 2), not a failed run.
            let configuration = error.errno == EADDRINUSE || error.errno == EADDRNOTAVAIL || error.errno == EACCES
            throw CLIError(exitCode: configuration ? .usageError : .runIncomplete, message: error.message)
        }
        // A crashed test runner must not leave servers behind: once reparented, the parent is gone.
        let parentWatch = exitWithParent ? ParentWatch(onExit: { stop.signal() }) : nil
        stop.wait()
        parentWatch?.cancel()
        let left = server.drain(timeout: drainTimeout)
        signals.cancel()
        if left > 0 { LineWriter.standardError.write("wsload serve: \(left) connections did not close within \(drainTimeout) s") }
    }
}

/// Parses `host:port` / `[v6]:port` into a socket address.
func parseListenAddress(_ s: String) -> SocketAddress? {
    if s.hasPrefix("["), let close = s.firstIndex(of: "]") {
        let host = String(s[s.index(after: s.startIndex)..<close])
        let rest = s[s.index(after: close)...]
        guard rest.hasPrefix(":"), let port = UInt16(rest.dropFirst()) else { return nil }
        return SocketAddress(ip: host, port: port)
    }
    guard let colon = s.lastIndex(of: ":"), let port = UInt16(s[s.index(after: colon)...]) else { return nil }
    return SocketAddress(ip: String(s[..<colon]), port: port)
}
