import ArgumentParser
import Foundation
import WSLoad

/// `wsload shell URL`: interactive exploration.
struct ShellCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shell",
        abstract: "Interactive mode: open and close connections by hand and watch where they land.",
        discussion: """
            Commands: connect N, close N (or all), send TEXT, status, pods, wait SECONDS, help, quit. Reads them \
            from stdin, so it can be scripted; a line it does not understand is an error on stderr (and, when \
            stdin is not a terminal, makes the exit code 2).

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
        let tls = TLSClientConfiguration(verifyPeer: !insecure, caFile: caFile)
        warnIfInsecure(url: target, tls: tls)
        let interactive = isatty(STDIN_FILENO) == 1
        // On a terminal, lines that arrive on their own (opens, closes) are drawn above the prompt, never over it.
        let prompt = Locked(ShellPrompt())
        let session = try InteractiveSession(url: target, sources: addresses, cookies: !noCookies, tls: tls) { line in
            if interactive { prompt.withLock { out.writeRaw($0.asyncLine(line)) } } else { out.write(line) }
        }
        if interactive { out.write("wsload shell — \(Redaction.redactURL(url)). Type help.") }
        var misunderstood = 0
        while true {
            if interactive { prompt.withLock { out.writeRaw($0.show()) } }
            guard let line = readLine() else { break }
            if interactive { prompt.withLock { $0.inputRead() } }
            let input: ShellInput
            switch ShellInput.parse(line) {
            case .success(let parsed): input = parsed
            case .failure(let error):
                misunderstood += 1
                LineWriter.standardError.write("wsload: \(error)")
                continue
            }
            switch input {
            case .connect(let n): session.connect(n)
            case .close(let n):
                let closed = session.close(n)
                if let n, closed < n {
                    out.write(
                        closed == 0
                            ? "there are no open connections to close"
                            : "there are not \(n) open connections: closing the \(Plural.of(closed, "connection")) that \(closed == 1 ? "is" : "are") open"
                    )
                } else if n == nil, closed == 0 {
                    out.write("there are no open connections to close")
                }
            case .send(let text): out.write("sent on \(Plural.of(session.send(text), "connection"))")
            case .status: out.write(session.status())
            case .pods:
                let pods = session.pods()
                if pods.isEmpty { out.write("no open connections") }
                for (pod, n) in pods.sorted(by: { $0.key < $1.key }) { out.write("\(pod.padding(toLength: 20, withPad: " ", startingAt: 0)) \(n)") }
            case .wait(let seconds): Thread.sleep(forTimeInterval: seconds)
            case .help: out.write(ShellInput.summary)
            case .quit: session.shutdown(); try finish(misunderstood: misunderstood, interactive: interactive); return
            case .empty: continue
            }
        }
        session.shutdown()
        try finish(misunderstood: misunderstood, interactive: interactive)
    }

    /// Scripted input (stdin not a terminal) with lines that were not understood exits 2, so a script notices.
    private func finish(misunderstood: Int, interactive: Bool) throws {
        guard !interactive, misunderstood > 0 else { return }
        throw CLIError(exitCode: .usageError, message: "\(Plural.of(misunderstood, "input line")) not understood (see above)")
    }
}
