import Dispatch
import Foundation
import Logging
import WSProtocol

/// Runs the Autobahn|Testsuite client loop (getCaseCount, runCase with echo, updateReports)
/// through the same ``WSConnection`` driver the load engine uses.
public final class AutobahnClient: WSConnectionDelegate, @unchecked Sendable {
    private let io: IOQueue
    private let options: DialOptions
    private let base: WebSocketURL
    private let agent: String
    private let logger: Logger
    private let done = DispatchSemaphore(value: 0)
    // Confined to io.queue while a connection runs, read after `done` is signalled.
    private var lastText: String?
    private var lastOutcome: ConnectionOutcome?
    private var echo = false

    /// Creates a client for the fuzzing server at `baseURL` (e.g. `ws://127.0.0.1:9001`).
    public init(baseURL: WebSocketURL, agent: String, deflate: Bool = true, logger: Logger) {
        self.base = baseURL
        self.agent = agent
        self.logger = logger
        self.io = IOQueue(label: "wsload.autobahn")
        // Autobahn 9.x sends 16 MiB messages; 1.x–9.x need no more than that.
        self.options = DialOptions(
            limits: ProtocolLimits(maxFrameSize: 64 << 20, maxMessageSize: 64 << 20, maxFragments: 1 << 22),
            deflate: deflate ? PerMessageDeflateOffer(clientMaxWindowBits: 0) : nil,
            connectTimeout: 10, upgradeTimeout: 30, closeTimeout: 10)
    }

    /// Runs every case (or only `cases`), then asks the server to write its report; returns the number of cases run.
    public func run(cases: [Int]? = nil) throws -> Int {
        let count = try caseCount()
        let selected = cases ?? Array(1...max(count, 1))
        logger.info("autobahn: \(count) cases on the server, running \(selected.count)")
        for i in selected where i <= count {
            let outcome = try connect(target: "/runCase?case=\(i)&agent=\(percentEncode(agent))", echo: true)
            if case .failed(let f) = outcome, f.phase != .open {
                logger.warning("case \(i): \(f)")
            }
        }
        _ = try connect(target: "/updateReports?agent=\(percentEncode(agent))", echo: false)
        return selected.count
    }

    private func caseCount() throws -> Int {
        _ = try connect(target: "/getCaseCount", echo: false)
        guard let text = lastText, let n = Int(text.trimmingCharacters(in: .whitespaces)) else {
            throw ConnectionFailure(
                phase: .open, kind: .protocolViolation, message: "getCaseCount did not return a number (got \(lastText ?? "nothing"))")
        }
        return n
    }

    private func connect(target: String, echo: Bool) throws -> ConnectionOutcome {
        let url = base.with(target: target)
        let dialer = try Dialer(url: url, tlsIdentity: TLSPeerIdentity(url: url), options: options)
        let request = dialer.request()
        let connection = dialer.connection(id: 0, io: io, delegate: self)
        io.queue.async { [self] in
            lastText = nil
            lastOutcome = nil
            self.echo = echo
            dialer.start(connection, request: request)
        }
        done.wait()
        return io.queue.sync { lastOutcome! }
    }

    private func percentEncode(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? s
    }

    /// Echoes every message with its own opcode.
    public func connection(_ connection: WSConnection, didReceive message: Message) {
        if echo { connection.send(message) } else if message.opcode == .text { lastText = message.text }
    }

    /// Records the outcome and wakes the runner.
    public func connectionDidEnd(_ connection: WSConnection, outcome: ConnectionOutcome) {
        lastOutcome = outcome
        done.signal()
    }
}
