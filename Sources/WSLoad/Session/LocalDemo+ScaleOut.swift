import Dispatch
import Foundation

extension LocalDemo {
    /// The two runs of `wsload demo --scenario scale-out`.
    public struct ScaleOutOutcome: Sendable {
        /// Long-lived connections, no `clients.lifetime`.
        public var withoutChurn: RunOutcome
        /// The same run with `clients.lifetime`.
        public var withChurn: RunOutcome

        /// The new pods' share of the held connections at the end of each run (nil: not measured).
        public var shares: (withoutChurn: Double?, withChurn: Double?) {
            (withoutChurn.report.scaleOut?.newPodSharePercent, withChurn.report.scaleOut?.newPodSharePercent)
        }

        /// Whether the demo showed the difference: without churn the new pods stay below 10 %, with churn they reach
        /// at least three quarters of their fair share (2 of 5 pods: 40 %), and neither run lost or failed a connection.
        public var demonstrated: Bool {
            guard let without = shares.withoutChurn, let with = shares.withChurn,
                let fair = withChurn.report.scaleOut?.fairSharePercent
            else { return false }
            let clean = [withoutChurn, withChurn].allSatisfy { $0.report.totals.failed == 0 && $0.report.totals.dropped == 0 }
            return clean && without < 10 && with >= fair * 0.75 && withChurn.report.totals.recycled > 0
        }
    }

    /// The pods in rotation at the start of the scale-out demo, and the ones its event adds.
    static let scaleOutPods = (initial: ["ws-0", "ws-1", "ws-2"], added: ["ws-3", "ws-4"])

    /// `wsload demo --scenario scale-out`: five local pods of which three are behind a round-robin front at the start;
    /// 2 s into each run a timed event (`events:`, the argv `touch TRIGGER`) makes the front add the other two. The
    /// same profile runs twice, without and with `clients.lifetime`, and each report's scale-out section tells what
    /// the new pods got.
    ///
    /// Why a trigger file: the event stays a real `events:` entry — run by the session at its time, recorded in the
    /// report like a `kubectl scale` — while the front, in this process, needs no admin protocol: it polls for the
    /// file every 20 ms and adds the parked pods when it appears (that lag is the only difference from an instant add).
    public func runScaleOut(makeFeed: (_ logDirectory: String) throws -> (any ServerLogFeed)?) throws -> ScaleOutOutcome {
        let fm = FileManager.default
        let dir = options.logDirectory ?? (NSTemporaryDirectory() as NSString).appendingPathComponent("wsload-demo-scale-\(getpid())")
        try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { if options.logDirectory == nil { try? fm.removeItem(atPath: dir) } }
        let names = Self.scaleOutPods.initial + Self.scaleOutPods.added
        let started = try startPods(names: names, dir: dir)
        defer { started.stop() }
        let front = AffinityFront(backends: started.backends, policy: .none)
        let frontAddress = try front.start(on: SocketAddress(ip: "127.0.0.1", port: 0)!)
        defer { front.stop() }
        let known = Dictionary(uniqueKeysWithValues: names.map { ($0, 1.0) })

        func run(_ label: String, lifetime: String?) throws -> RunOutcome {
            let trigger = (dir as NSString).appendingPathComponent("scale-out-\(label)")
            try? fm.removeItem(atPath: trigger)
            front.park(Self.scaleOutPods.added)
            let watcher = DispatchSource.makeTimerSource(queue: .global())
            watcher.schedule(deadline: .now(), repeating: .milliseconds(20))
            watcher.setEventHandler {
                if fm.fileExists(atPath: trigger) { front.unpark(Self.scaleOutPods.added) }
            }
            watcher.resume()
            defer { watcher.cancel() }
            let profile = try ProfileLoader.parse(
                yaml: Self.scaleOutProfile(port: frontAddress.port, trigger: trigger, hold: options.hold ?? 7, lifetime: lifetime, label: label),
                file: "builtin:demo-scale-out")
            logger.info("demo: \(names.count) pods, \(Self.scaleOutPods.initial.count) in rotation behind a round-robin front on \(frontAddress)")
            return try runOnce(profile, known: known, dir: dir, makeFeed: makeFeed)
        }
        let without = try run("without-churn", lifetime: nil)
        Thread.sleep(forTimeInterval: 0.3)  // let the pods log the closes before the second run takes its baseline
        let with = try run("with-churn", lifetime: "age: 1.5s\n    jitter: 0.3")
        return ScaleOutOutcome(withoutChurn: without, withChurn: with)
    }

    /// The scale-out demo's profile: 30 connections from 30 source addresses without cookies through the front,
    /// an event at 2 s that adds two pods, a hold of `hold` seconds, and the `min_new_pod_share` gate.
    static func scaleOutProfile(port: UInt16, trigger: String, hold: Double, lifetime: String?, label: String) -> String {
        let quoted = "\"" + trigger.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        return """
            name: "demo scale-out (\(label))"
            target:
              url: ws://127.0.0.1:\(port)/ws
            clients:
              connections: 30
              sources: 127.0.0.2-127.0.0.31
              cookies: none
            \(lifetime.map { "  lifetime:\n    \($0)\n" } ?? "")ramp:
              rate: 300
            hold: \(hold)
            timeline:
              interval: 0.25
            pods:
              static: [{name: ws-0}, {name: ws-1}, {name: ws-2}, {name: ws-3}, {name: ws-4}]
            events:
              - at: 2s
                name: scale-out 3 to 5
                command: [touch, \(quoted)]
            gate:
              min_new_pod_share: 30
            """
    }
}
