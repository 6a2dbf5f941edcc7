import ArgumentParser
import Foundation
import WSLoad

/// `wsload shell URL`: interactive exploration.
struct ShellCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shell",
        abstract: "Interactive mode: open and close connections by hand and watch where they land.",
        discussion: """
        Commands: connect N, close N, send TEXT, status, pods, wait SECONDS, help, quit. Reads them from stdin, \
        so it can be scripted.

        Examples:
          wsload shell ws://127.0.0.1:8080/ws --source 127.0.0.2-127.0.0.9
          printf 'connect 3\\nwait 1\\npods\\n' | wsload shell ws://127.0.0.1:8080/ws
        """
    )

    @Argument(help: "ws:// or wss:// URL.") var url: String
    @Option(name: .customLong("source"), help: "Source address specs used round-robin (repeatable).") var sources: [String] = []
    @Flag(help: "Do not keep cookies between connections.") var noCookies = false
    @Flag(help: "Do not verify the server certificate (wss://).") var insecure = false
    @Option(help: "PEM bundle of CAs to trust (wss://).") var caFile: String?

    func run() throws {
        Process.ignoreBrokenPipe()
        let target: WebSocketURL
        do { target = try WebSocketURL(url) } catch { throw CLIError(exitCode: .usageError, message: "\(error)") }
        var addresses: [SocketAddress] = []
        for spec in sources {
            do {
                for ip in try SourceSpec(parsing: spec).expand() { if let a = SocketAddress(ip: ip, port: 0) { addresses.append(a) } }
            } catch { throw CLIError(exitCode: .usageError, message: "--source \(spec): \(error)") }
        }
        let out = LineWriter.standardOutput
        let session = try InteractiveSession(url: target, sources: addresses, cookies: !noCookies,
                                             tls: TLSClientConfiguration(verifyPeer: !insecure, caFile: caFile)) { out.write($0) }
        let interactive = isatty(STDIN_FILENO) == 1
        if interactive { print("wsload shell — \(Redaction.redactURL(url)). Type help.") }
        while true {
            if interactive { FileHandle.standardOutput.write(Data("wsload> ".utf8)) }
            guard let line = readLine() else { break }
            let words = line.split(separator: " ", maxSplits: 1).map(String.init)
            guard let cmd = words.first?.lowercased() else { continue }
            let arg = words.count > 1 ? words[1] : ""
            switch cmd {
            case "connect": session.connect(Int(arg) ?? 1)
            case "close": session.close(Int(arg) ?? 1)
            case "send": print("sent on \(session.send(arg)) connections")
            case "status": print(session.status())
            case "pods":
                let pods = session.pods()
                if pods.isEmpty { print("no open connections") }
                for (pod, n) in pods.sorted(by: { $0.key < $1.key }) { print("\(pod.padding(toLength: 20, withPad: " ", startingAt: 0)) \(n)") }
            case "wait", "sleep": Thread.sleep(forTimeInterval: Double(arg) ?? 1)
            case "help", "?": print("connect N | close N | send TEXT | status | pods | wait SECONDS | quit")
            case "quit", "exit": session.shutdown(); return
            default: print("unknown command \(cmd); type help")
            }
        }
        session.shutdown()
    }
}
