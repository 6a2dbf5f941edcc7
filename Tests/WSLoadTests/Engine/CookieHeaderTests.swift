import Foundation
import Testing
import WSProtocol

@testable import WSLoad

/// RFC 6265 §5.4: a connection sends one `Cookie` header, the profile's cookies then the jar's (issue 13, case 7).
@Suite struct CookieHeaderTests {
    @Test(
        arguments: [
            (["session=abc"], "SERVERID=ws-1", "session=abc; SERVERID=ws-1"),
            // The jar's value wins on a repeated name; the profile's pair is dropped, not sent twice.
            (["SERVERID=ws-0; session=abc"], "SERVERID=ws-1", "session=abc; SERVERID=ws-1"),
            (["a=1", "b=2; a=3"], nil, "a=1; b=2"),
            ([], "x=1; y=2", "x=1; y=2"),
            ([" a=1 ;; "], nil, "a=1"),
        ] as [([String], String?, String)])
    func merge(profile: [String], jar: String?, expected: String) {
        #expect(CookieHeader.merge(profile: profile, jar: jar) == expected)
    }

    @Test func noCookiesNoHeader() {
        #expect(CookieHeader.merge(profile: [], jar: nil) == nil)
        #expect(CookieHeader.merge(profile: [" ; "], jar: "") == nil)
    }

    @Test func theRequestCarriesExactlyOneCookieHeader() throws {
        let url = try WebSocketURL("ws://127.0.0.1:9/ws")
        var headers = HTTPHeaders()
        headers.add("Cookie", "session=abc")
        headers.add("X-Other", "1")
        let request = UpgradeRequestFactory.make(url: url, settings: ConnectionSettings(), cookieHeader: "SERVERID=ws-1", headers: headers)
        let lines = String(decoding: request.serialize(), as: UTF8.self).components(separatedBy: "\r\n")
        #expect(lines.filter { $0.lowercased().hasPrefix("cookie:") } == ["Cookie: session=abc; SERVERID=ws-1"])
        #expect(lines.contains("X-Other: 1"))
    }

    @Test func theKeyComesFromTheGivenStreamInKeystreamOrder() throws {
        // RFC 6455 §4.1: Sec-WebSocket-Key is base64 of 16 random bytes. With a stream, they are its next 16 keystream
        // bytes: under the all-zero key and nonce, RFC 8439 §A.1 test vector #1's keystream begins
        // 76b8e0ad a0f13d90 405d6ae5 5386bd28 | bdd219b8 a08ded1a a836efcc 8b770dc7.
        let url = try WebSocketURL("ws://127.0.0.1:9/ws")
        let keys = KeyStream(ChaCha20Generator(key: Array(repeating: 0, count: 32)))
        let first = UpgradeRequestFactory.make(url: url, settings: ConnectionSettings(), keys: keys)
        let second = UpgradeRequestFactory.make(url: url, settings: ConnectionSettings(), keys: keys)
        #expect(first.key == "drjgraDxPZBAXWrlU4a9KA==")
        #expect(second.key == "vdIZuKCN7RqoNu/Mi3cNxw==")
        // Without a stream the system's generator is used: 16 fresh bytes each time.
        let a = UpgradeRequestFactory.make(url: url, settings: ConnectionSettings())
        let b = UpgradeRequestFactory.make(url: url, settings: ConnectionSettings())
        #expect(a.key != b.key && a.key.count == 24)
    }

    /// Through the engine: a pre-flight fills the jar, the profile sets a Cookie header; the upgrade the
    /// server receives has one Cookie line with both, the profile's first.
    @Test func theEngineSendsOneMergedCookieHeader() throws {
        let server = try RequestCapture(responses: [
            "HTTP/1.1 200 OK\r\nSet-Cookie: SERVERID=ws-1; Path=/\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        ])
        var plan = RunPlan(url: try WebSocketURL("ws://127.0.0.1:\(server.port)/ws"), clients: 1, connectionsPerClient: 1)
        plan.cookiePolicy = .perClient
        plan.preflight = (try WebSocketURL("http://127.0.0.1:\(server.port)/login"), "GET")
        plan.headers = [("Cookie", "session=abc; SERVERID=stale")]
        plan.attribution = AttributionRules(headers: ["X-Pod-Name"], cookieName: "SERVERID")
        plan.hold = 0.1
        plan.upgradeTimeout = 2
        let result = try LoadEngine(plan: plan).run()
        let heads = server.finish()
        #expect(heads.count == 2, "\(heads)")
        let upgrade = try #require(heads.last)
        let cookieLines = upgrade.components(separatedBy: "\r\n").filter { $0.lowercased().hasPrefix("cookie:") }
        #expect(cookieLines == ["Cookie: session=abc; SERVERID=ws-1"], "\(upgrade)")
        #expect(result.records.first?.affinityCookie == "ws-1")
    }
}

/// A loopback HTTP peer that answers the i-th connection with `responses[i]` and keeps each request head.
final class RequestCapture: @unchecked Sendable {
    let port: UInt16
    private let fd: Int32
    private let heads = Locked([String]())
    private let done = DispatchSemaphore(value: 0)

    init(responses: [String]) throws {
        let listener = try Socket.listen(on: SocketAddress(ip: "127.0.0.1", port: 0)!).get()
        fd = listener
        port = Socket.localAddress(listener)!.port
        let heads = self.heads, done = self.done
        Thread.detachNewThread {
            defer { done.signal() }
            let deadline = Date().addingTimeInterval(10)
            var served = 0
            while served < responses.count, Date() < deadline {
                var pfd = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
                guard poll(&pfd, 1, 100) > 0 else { continue }
                guard case .success(let client) = Socket.accept(listener) else { continue }
                var head = [UInt8]()
                var buffer = [UInt8](repeating: 0, count: 4096)
                let readDeadline = Date().addingTimeInterval(3)
                while Date() < readDeadline, !head.ends(with: Array("\r\n\r\n".utf8)) {
                    var cfd = pollfd(fd: client, events: Int16(POLLIN), revents: 0)
                    guard poll(&cfd, 1, 100) > 0 else { continue }
                    let n = read(client, &buffer, buffer.count)
                    if n <= 0 { break }
                    head += buffer[0..<n]
                }
                heads.withLock { $0.append(String(decoding: head, as: UTF8.self)) }
                let reply = Array(responses[served].utf8)
                _ = reply.withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
                close(client)
                served += 1
            }
        }
    }

    /// Waits (bounded) for the server thread and returns the request heads in arrival order.
    func finish() -> [String] {
        _ = done.wait(timeout: .now() + 12)
        close(fd)
        return heads.withLock { $0 }
    }
}

extension Array where Element == UInt8 {
    fileprivate func ends(with suffix: [UInt8]) -> Bool { count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix }
}

/// The one reader of request `Cookie` headers and of a `Set-Cookie`'s pair (RFC 6265 §4.2.1, §5.2).
@Suite struct CookiePairReadingTests {
    @Test func requestCookieValuesByName() {
        let header = "a=1;  SERVERID=ws-2 ; empty=; flag; b=x=y"
        #expect(CookieHeader.value(named: "SERVERID", in: header) == "ws-2")
        #expect(CookieHeader.value(named: "b", in: header) == "x=y")  // split at the first '='
        #expect(CookieHeader.value(named: "empty", in: header) == "")
        #expect(CookieHeader.value(named: "flag", in: header) == nil)  // no '=': not a pair
        #expect(CookieHeader.value(named: "missing", in: header) == nil)
        #expect(CookieHeader.value(named: "a", in: nil) == nil)
        #expect(CookieHeader.value(named: "a", in: "a=first; a=second") == "first")
    }

    @Test func setCookiePair() {
        #expect(Cookie.nameValue(setCookie: "SERVERID=ws-1; Path=/; HttpOnly")! == ("SERVERID", "ws-1"))
        #expect(Cookie.nameValue(setCookie: " s = \"quoted\" ;Secure")! == ("s", "\"quoted\""))  // value kept as sent
        #expect(Cookie.nameValue(setCookie: "noequals; Path=/") == nil)
        #expect(Cookie.nameValue(setCookie: "k=v=w")! == ("k", "v=w"))
    }

    /// The three users read the same way: attribution, the affinity-cookie finder and the jar.
    @Test func theReadersAgree() {
        let setCookies = ["other=1; Path=/", "SERVERID=ws-3; Path=/"]
        #expect(PodAttributor.cookieValue(named: "SERVERID", setCookies: setCookies) == "ws-3")
        #expect(AffinityCookieNames.first(inSetCookies: setCookies)! == ("SERVERID", "ws-3"))
        #expect(Cookie.parse(setCookie: setCookies[1], host: "h", requestPath: "/ws")?.value == "ws-3")
        #expect(PodAttributor.cookieValue(named: "SERVERID", cookieHeader: "x=1; SERVERID=ws-3") == "ws-3")
        #expect(AffinityCookieNames.first(inCookieHeader: "x=1; SERVERID=ws-3")! == ("SERVERID", "ws-3"))
    }
}
