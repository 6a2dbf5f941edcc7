import Dispatch
import Foundation
import WSProtocol

/// The engine behind `wsload shell`: open and close connections on demand and see where they landed.
///
/// Thread-safety: public methods may be called from any thread; connection state lives on one I/O queue.
public final class InteractiveSession: WSConnectionDelegate, @unchecked Sendable {
    private struct Entry { var connection: WSConnection; var pod: String?; var open: Bool; var received: Int; var closing = false }
    private let io = IOQueue(label: "wsload.shell")
    private let url: WebSocketURL
    private let dialer: Dialer
    private let attributor: PodAttributor
    private let sources: [SocketAddress]
    private let jar = CookieJar()
    private let useCookies: Bool
    private var entries: [Int: Entry] = [:]
    private var nextID = 1
    private var failures: [String] = []
    private let output: @Sendable (String) -> Void

    /// Prepares a session against `url`.
    public init(
        url: WebSocketURL, sources: [SocketAddress] = [], cookies: Bool = true, deflate: Bool = false,
        tls: TLSClientConfiguration? = nil, attribution: AttributionRules = AttributionRules(),
        output: @escaping @Sendable (String) -> Void
    ) throws {
        self.url = url
        self.sources = sources
        self.useCookies = cookies
        self.output = output
        dialer = try Dialer(
            url: url, sources: sources, tls: tls, tlsIdentity: TLSPeerIdentity(url: url),
            options: DialOptions(deflate: deflate ? PerMessageDeflateOffer() : nil))
        attributor = try PodAttributor(rules: attribution)
    }

    /// Opens `count` connections (sources used round-robin, cookies shared through one jar when enabled).
    public func connect(_ count: Int) {
        io.queue.sync {
            for _ in 0..<max(0, count) {
                let id = nextID
                nextID += 1
                let c = dialer.connection(id: id, io: io, delegate: self)
                entries[id] = Entry(connection: c, pod: nil, open: false, received: 0)
                let cookie = useCookies ? jar.header(host: url.host, path: url.target, secure: url.isTLS) : nil
                let source = sources.isEmpty ? nil : sources[(id - 1) % sources.count]
                dialer.start(c, request: dialer.request(cookieHeader: cookie), from: source)
            }
        }
    }

    /// Closes up to `count` open connections (newest first; every one when `count` is nil); returns how many it closed.
    @discardableResult
    public func close(_ count: Int?) -> Int {
        io.queue.sync {
            // Connections already asked to close are not chosen again (their close handshake may still run).
            let chosen = entries.filter({ $0.value.open && !$0.value.closing }).sorted(by: { $0.key > $1.key }).prefix(max(0, count ?? Int.max))
            for (id, e) in chosen {
                entries[id]?.closing = true
                e.connection.close(code: .normalClosure, reason: "closed from wsload shell")
            }
            return chosen.count
        }
    }

    /// Sends a text message on every open connection; returns how many sent it.
    @discardableResult
    public func send(_ text: String) -> Int {
        io.queue.sync { entries.values.filter(\.open).reduce(0) { $0 + ($1.connection.send(.text(text)) ? 1 : 0) } }
    }

    /// One line per connection state plus failures so far.
    public func status() -> String {
        io.queue.sync {
            let open = entries.values.filter(\.open).count
            let pending = entries.values.filter { !$0.open && !$0.connection.isFinished }.count
            var s = "open \(open), connecting \(pending), failed \(failures.count)"
            for f in failures.suffix(5) { s += "\n  \(f)" }
            return s
        }
    }

    /// Open connections per pod.
    public func pods() -> [String: Int] {
        io.queue.sync {
            var out: [String: Int] = [:]
            for e in entries.values where e.open { out[e.pod ?? "?", default: 0] += 1 }
            return out
        }
    }

    /// Closes everything and waits briefly.
    public func shutdown() {
        close(Int.max)
        let deadline = Date().addingTimeInterval(3)
        while Date() < deadline && io.queue.sync(execute: { entries.values.contains { !$0.connection.isFinished } }) { usleep(20_000) }
    }

    public func connectionDidOpen(_ connection: WSConnection, handshake: HandshakeResult) {
        let headers = handshake.head.headers
        if useCookies { jar.store(setCookieHeaders: headers.values("Set-Cookie"), host: url.host, requestPath: url.target) }
        entries[connection.id]?.open = true
        entries[connection.id]?.pod = attributor.fromHandshake(headers, cookieSent: nil)?.pod
        output("#\(connection.id) open → \(entries[connection.id]?.pod ?? "?") from \(connection.localAddress?.description ?? "?")")
    }

    public func connection(_ connection: WSConnection, didReceive message: Message) {
        entries[connection.id]?.received += 1
        if entries[connection.id]?.pod == nil, attributor.rules.usesFirstMessage, message.opcode == .text {
            entries[connection.id]?.pod = attributor.fromFirstMessage(message.text)
        }
        output("#\(connection.id) ← \(message.opcode == .text ? message.text : "<\(message.payload.count) bytes>")")
    }

    public func connectionDidEnd(_ connection: WSConnection, outcome: ConnectionOutcome) {
        let wasOpen = entries[connection.id]?.open ?? false
        entries[connection.id]?.open = false
        switch outcome {
        case .failed(let f):
            failures.append("#\(connection.id): \(f)")
            output("#\(connection.id) \(wasOpen ? "dropped" : "failed"): \(f)")
        case .closed(let code, _, let byPeer):
            output("#\(connection.id) closed (\(code.map { "\($0)" } ?? "no code")\(byPeer ? ", by the server" : ""))")
        }
    }
}
