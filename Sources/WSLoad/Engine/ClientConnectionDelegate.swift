import Foundation
import WSProtocol

/// Glue between the ``WSConnection``s of one I/O queue and the engine (on the control queue).
///
/// One per I/O queue rather than one per connection: a connection's index is its `id`, its jar is
/// looked up from immutable engine state, and the only mutable state lives here, confined to the queue.
final class ClientConnectionDelegate: WSConnectionDelegate, @unchecked Sendable {
    unowned let engine: LoadEngine
    /// I/O-queue confined: when each connection's pending traffic message was sent (only with traffic).
    private var trafficSentAt: [Int: UInt64] = [:]
    /// I/O-queue confined: what this queue's connections reported since the last hand-off to the control queue.
    private var pending: [@Sendable () -> Void] = []

    /// Runs `body` on the control queue, after what was handed over before it, in one hop with whatever else this
    /// I/O queue reports before it next runs: a burst of opens or ends (a close batch of 256) costs one
    /// `dispatch_async` and one wake-up of the control queue instead of one each. Order per connection holds —
    /// both queues are serial and a batch keeps its order.
    private func hop(on queue: DispatchQueue, _ body: @escaping @Sendable () -> Void) {
        pending.append(body)
        guard pending.count == 1 else { return }
        queue.async { [self] in
            let batch = pending
            pending = []
            engine.hop { for body in batch { body() } }
        }
    }

    init(engine: LoadEngine) { self.engine = engine }

    func connectionDidOpen(_ connection: WSConnection, handshake: HandshakeResult) {
        let headers = handshake.head.headers
        let setCookies = headers.values("Set-Cookie")
        if let jar = engine.jars.jar(forIndex: connection.id), !setCookies.isEmpty {
            jar.store(setCookieHeaders: setCookies, host: engine.url.host, requestPath: engine.url.target)
        }
        // The cookie this connection sent is known on the control queue (its record); `opened` falls back to it.
        let pod = engine.attributor.fromHandshake(headers, cookieSent: nil)
        let names = setCookies.compactMap { $0.split(separator: "=", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces) } }
        let deflate = handshake.deflate != nil, resumed = connection.tlsSessionReused
        let timeline = connection.timeline, local = connection.localAddress
        let index = connection.id
        let engine = self.engine
        hop(on: connection.io.queue) {
            engine.opened(index, pod: pod, receivedCookies: names, deflate: deflate, tlsResumed: resumed, timeline: timeline, local: local)
        }
    }

    func connection(_ connection: WSConnection, didReceive message: Message) {
        let now = MonotonicClock.now()
        if connection.timeline.firstMessage == 0 {  // stamped by the connection after this call
            let pod = engine.attributor.rules.usesFirstMessage && message.opcode == .text ? engine.attributor.fromFirstMessage(message.text) : nil
            let seconds = ConnectionTimeline.seconds(from: connection.timeline.upgraded, to: now)
            let index = connection.id, engine = self.engine
            hop(on: connection.io.queue) { engine.firstMessage(index, pod: pod, seconds: seconds) }
        }
        if !trafficSentAt.isEmpty, let sent = trafficSentAt.removeValue(forKey: connection.id) {
            let rtt = Double(now - sent) / 1e9
            let engine = self.engine
            hop(on: connection.io.queue) { engine.rtt("echo-rtt", seconds: rtt) }
        }
    }

    func connection(_ connection: WSConnection, didReceivePong payload: [UInt8], rttSeconds: Double?) {
        guard let rttSeconds else { return }
        let engine = self.engine
        hop(on: connection.io.queue) { engine.rtt("ping-rtt", seconds: rttSeconds) }
    }

    func connectionDidEnd(_ connection: WSConnection, outcome: ConnectionOutcome) {
        if !trafficSentAt.isEmpty { trafficSentAt.removeValue(forKey: connection.id) }
        let timeline = connection.timeline, local = connection.localAddress, index = connection.id, engine = self.engine
        let expired = connection.expiredByLifetime
        hop(on: connection.io.queue) { engine.ended(index, outcome: outcome, timeline: timeline, local: local, lifetimeEnded: expired) }
    }

    func sendTraffic(_ text: String, on c: WSConnection) {
        guard c.isOpen else { return }
        if c.send(.text(text)) { trafficSentAt[c.id] = MonotonicClock.now() }
    }
}
