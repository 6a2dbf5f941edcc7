import ArgumentParser
import Foundation
import WSLoad

/// `wsload autobahn-client`: the Autobahn|Testsuite client loop through the load engine's driver.
struct AutobahnClientCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "autobahn-client",
        abstract: "Run the Autobahn|Testsuite client cases against a fuzzing server.",
        discussion: """
            Reads WS_FUZZ_URL (default ws://127.0.0.1:9001) and WS_FUZZ_AGENT (default wsload) as the \
            harness in ../shared/autobahn sets them, runs every case with an echo handler and asks the \
            server to write its report.

            Example:
              ../shared/autobahn/run-fuzzingserver -- .build/debug/wsload autobahn-client
            """
    )

    @Option(help: "Fuzzing server URL (overrides WS_FUZZ_URL).")
    var url: String?

    @Option(help: "Agent name (overrides WS_FUZZ_AGENT).")
    var agent: String?

    @Flag(name: .customLong("no-deflate"), help: "Do not offer permessage-deflate.")
    var noDeflate = false

    @Option(help: "Run only these case numbers (comma-separated).")
    var cases: String?

    func run() throws {
        Process.ignoreBrokenPipe()
        let env = ProcessInfo.processInfo.environment
        let urlString = url ?? env["WS_FUZZ_URL"] ?? "ws://127.0.0.1:9001"
        let base: WebSocketURL
        do { base = try WebSocketURL(urlString) } catch { throw ValidationError(error.description) }
        let client = AutobahnClient(
            baseURL: base, agent: agent ?? env["WS_FUZZ_AGENT"] ?? "wsload", deflate: !noDeflate,
            logger: .lines { line in
                FileHandle.standardError.writeIfPossible(Data((line + "\n").utf8))
            })
        let selected = cases.map { $0.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }
        let n = try client.run(cases: selected)
        print("autobahn-client: ran \(n) cases")
    }
}
