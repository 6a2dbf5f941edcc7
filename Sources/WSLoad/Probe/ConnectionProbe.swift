import Dispatch
import Foundation
import WSProtocol

/// What one probed connection showed: handshake, negotiated extensions, identity and timings.
public struct ProbeResult: Sendable {
    /// The 101 response (nil when the upgrade failed).
    public var response: ResponseHead?
    /// The negotiated subprotocol.
    public var subprotocol: String?
    /// The negotiated permessage-deflate parameters.
    public var deflate: DeflateParameters?
    /// Pod identity learned from headers or cookies.
    public var pod: String?
    /// Local and remote addresses.
    public var local: String?, remote: String?
    /// Phase timings in milliseconds.
    public var tcpConnectMs: Double?, tlsMs: Double?, upgradeMs: Double?
    /// Ping round trip in milliseconds.
    public var pingRTTMs: Double?
    /// Messages received while the probe was open (text shown as text, binary as a size).
    public var messages: [String]
    /// Failure, if any.
    public var failure: ConnectionFailure?
    /// What the server's certificate was checked against (`nil` without TLS or with verification off).
    public var tlsIdentity: TLSPeerIdentity?
    /// The SNI sent (`nil` without TLS, or for an IP address).
    public var tlsSNI: String?
    /// How the connection ended.
    public var closeCode: UInt16?
}

/// Opens one connection, reports everything about it, and closes it.
public final class ConnectionProbe: WSConnectionDelegate, @unchecked Sendable {
    private let io = IOQueue(label: "wsload.probe")
    private let done = DispatchSemaphore(value: 0)
    private var result = ProbeResult(messages: [])
    private var connection: WSConnection?
    private let sendText: String?
    private let wait: Double
    private let attributor: PodAttributor

    private init(sendText: String?, wait: Double, attribution: AttributionRules) throws {
        self.sendText = sendText
        self.wait = wait
        self.attributor = try PodAttributor(rules: attribution)
    }

    /// Probes `url`: connect (optionally from `source`), upgrade, ping, optionally send `sendText` and
    /// wait `wait` seconds for messages, then close.
    ///
    /// `resolve` connects to that address instead of resolving the URL's host; over TLS the certificate is still
    /// checked against the URL's host, or `serverName` when set (``TLSPeerIdentity``).
    public static func run(
        url: WebSocketURL, source: SocketAddress? = nil, headers: [(String, String)] = [], cookieHeader: String? = nil,
        deflate: Bool = true, tls: TLSClientConfiguration? = nil, serverName: String? = nil, resolve: String? = nil,
        timeout: Double = 10, sendText: String? = nil,
        wait: Double = 0.5, attribution: AttributionRules = AttributionRules()
    ) throws -> ProbeResult {
        let probe = try ConnectionProbe(sendText: sendText, wait: wait, attribution: attribution)
        let identity = TLSPeerIdentity(url: url, serverName: serverName)
        let dialer = try Dialer(
            url: url, connectTo: resolve, sources: source.map { [$0] } ?? [], tls: tls, tlsIdentity: identity,
            options: DialOptions(
                deflate: deflate ? PerMessageDeflateOffer() : nil, connectTimeout: timeout,
                tlsTimeout: timeout, upgradeTimeout: timeout, closeTimeout: 3, pongTimeout: timeout))
        if url.isTLS {
            let verify = tls?.verifyPeer ?? true
            probe.result.tlsIdentity = verify ? identity : nil
            probe.result.tlsSNI = identity?.sni
        }
        let request = dialer.request(cookieHeader: cookieHeader, headers: HTTPHeaders(headers))
        let c = dialer.connection(id: 0, io: probe.io, delegate: probe)
        probe.io.queue.async {
            probe.connection = c
            dialer.start(c, request: request, from: source)
        }
        probe.done.wait()
        return probe.io.queue.sync { probe.result }
    }

    /// Records the handshake, pings, sends the optional message and schedules the close.
    public func connectionDidOpen(_ connection: WSConnection, handshake: HandshakeResult) {
        result.response = handshake.head
        result.subprotocol = handshake.subprotocol
        result.deflate = handshake.deflate
        result.pod = attributor.fromHandshake(handshake.head.headers, cookieSent: nil)?.pod
        result.local = connection.localAddress?.description
        result.remote = connection.peerAddress?.description
        let t = connection.timeline
        result.tcpConnectMs = t.tcpConnectSeconds.map { $0 * 1000 }
        result.tlsMs = t.tlsSeconds.map { $0 * 1000 }
        result.upgradeMs = t.upgradeSeconds.map { $0 * 1000 }
        connection.sendPing(Array("wsload".utf8))
        if let sendText { connection.send(.text(sendText)) }
    }

    /// Keeps the RTT, then lets messages arrive for `wait` seconds before closing.
    public func connection(_ connection: WSConnection, didReceivePong payload: [UInt8], rttSeconds: Double?) {
        guard result.pingRTTMs == nil else { return }
        result.pingRTTMs = rttSeconds.map { $0 * 1000 }
        io.queue.asyncAfter(deadline: .now() + wait) { connection.close(code: .normalClosure, reason: "probe done") }
    }

    /// Collects messages.
    public func connection(_ connection: WSConnection, didReceive message: Message) {
        if message.opcode == .text {
            result.messages.append(message.text)
            if result.pod == nil, attributor.rules.usesFirstMessage { result.pod = attributor.fromFirstMessage(message.text) }
        } else {
            result.messages.append("<binary \(message.payload.count) bytes>")
        }
    }

    /// Records the ending and wakes the caller. A connection that failed before its upgrade still reports the
    /// phases it completed (TCP connect and TLS times, the addresses), so `connect` shows where it got to.
    public func connectionDidEnd(_ connection: WSConnection, outcome: ConnectionOutcome) {
        if result.response == nil {
            let t = connection.timeline
            result.tcpConnectMs = t.tcpConnectSeconds.map { $0 * 1000 }
            result.tlsMs = t.tlsSeconds.map { $0 * 1000 }
            result.local = result.local ?? connection.localAddress?.description
            result.remote = result.remote ?? connection.peerAddress?.description
        }
        switch outcome {
        case .failed(let f): result.failure = f
        case .closed(let code, _, _): result.closeCode = code?.rawValue
        }
        done.signal()
    }
}
