import Foundation
import Testing
import WSProtocol

@testable import WSLoad

/// Which pod a connection reached, from the 101 and the first message, in the documented order:
/// header, then the configured affinity cookie (mapped), then a recognised balancer cookie.
@Suite struct PodAttributorTests {
    func headers(_ pairs: [(String, String)]) -> HTTPHeaders { HTTPHeaders(pairs) }

    @Test func headersAreTriedInOrderCaseInsensitivelyAndTrimmed() throws {
        let a = try PodAttributor(rules: AttributionRules(headers: ["X-Backend", "X-Pod-Name"]))
        let both = a.fromHandshake(headers([("x-pod-name", "ws-1"), ("X-BACKEND", " ws-0 ")]), cookieSent: nil)
        #expect(both?.pod == "ws-0" && both?.source == .header)
        // An empty first header falls through to the next one.
        let empty = a.fromHandshake(headers([("X-Backend", "  "), ("X-Pod-Name", "ws-2")]), cookieSent: nil)
        #expect(empty?.pod == "ws-2")
        #expect(a.fromHandshake(headers([("Server", "nginx")]), cookieSent: nil) == nil)
    }

    @Test func configuredCookieIsMappedAndFallsBackToTheCookieSent() throws {
        let a = try PodAttributor(rules: AttributionRules(headers: [], cookieName: "route", cookieMap: ["abc": "ws-7"]))
        let set = a.fromHandshake(headers([("Set-Cookie", "route=abc; Path=/; HttpOnly")]), cookieSent: nil)
        #expect(set?.pod == "ws-7" && set?.source == .cookie && set?.cookie == "abc")
        // HAProxy `indirect`: no new Set-Cookie on a request that carried the cookie — the value sent names the pod.
        let sent = a.fromHandshake(headers([]), cookieSent: "xyz")
        #expect(sent?.pod == "xyz" && sent?.cookie == "xyz", "an unmapped value is the group name itself")
        // A header still wins, and the cookie value is kept beside it.
        let withHeader = try PodAttributor(rules: AttributionRules(cookieName: "route"))
            .fromHandshake(headers([("X-Pod-Name", "ws-1"), ("Set-Cookie", "route=abc")]), cookieSent: nil)
        #expect(withHeader?.pod == "ws-1" && withHeader?.source == .header && withHeader?.cookie == "abc")
    }

    @Test func aRecognisedBalancerCookieAttributesWhenNothingIsConfigured() throws {
        let a = try PodAttributor(rules: AttributionRules(headers: []))
        let r = a.fromHandshake(headers([("Set-Cookie", "theme=dark"), ("Set-Cookie", "SERVERID=s2; Path=/")]), cookieSent: nil)
        #expect(r?.pod == "s2" && r?.source == .cookie)
        #expect(a.fromHandshake(headers([("Set-Cookie", "theme=dark")]), cookieSent: nil) == nil, "an unknown cookie name is not affinity")
    }

    @Test func firstMessageByJSONPath() throws {
        let a = try PodAttributor(rules: AttributionRules(headers: [], firstMessageJSONPath: "meta.pod"))
        #expect(a.fromFirstMessage(#"{"meta":{"pod":"ws-3"}}"#) == "ws-3")
        #expect(a.fromFirstMessage(#"{"meta":{"pod":12}}"#) == "12", "a number is read as its text")
        #expect(a.fromFirstMessage(#"{"meta":{}}"#) == nil)
        #expect(a.fromFirstMessage(#"{"meta":{"pod":""}}"#) == nil, "an empty name is no name")
        #expect(a.fromFirstMessage("not json") == nil)
    }

    @Test func firstMessageByRegex() throws {
        let named = try PodAttributor(rules: AttributionRules(headers: [], firstMessageRegex: #"served by (?<pod>\S+) at"#))
        #expect(named.fromFirstMessage("hello, served by ws-4 at noon") == "ws-4")
        let group = try PodAttributor(rules: AttributionRules(headers: [], firstMessageRegex: #"pod=(\w+-\d)"#))
        #expect(group.fromFirstMessage("x pod=ws-5 y") == "ws-5")
        let whole = try PodAttributor(rules: AttributionRules(headers: [], firstMessageRegex: #"ws-\d+"#))
        #expect(whole.fromFirstMessage("on ws-6 now") == "ws-6")
        #expect(whole.fromFirstMessage("nothing here") == nil)
        #expect(throws: (any Error).self) { try PodAttributor(rules: AttributionRules(firstMessageRegex: "(unclosed")) }
    }
}
