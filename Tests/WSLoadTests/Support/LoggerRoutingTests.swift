import Foundation
import Logging
import Synchronization
import Testing

@testable import WSLoad

/// The library takes a swift-log `Logger`: an embedding program's own handler gets wsload's messages, with levels.
@Suite struct LoggerRoutingTests {
    final class Recorder: Sendable {
        let entries = Mutex<[(Logger.Level, String)]>([])
        var all: [(Logger.Level, String)] { entries.withLock { $0 } }
    }

    struct RecordingHandler: LogHandler {
        let recorder: Recorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            recorder.entries.withLock { $0.append((event.level, event.message.description)) }
        }
    }

    @Test func theServerAndTheEngineLogThroughTheGivenLogger() throws {
        let serverLog = Recorder(), engineLog = Recorder()
        let server = try PodServer(
            PodServerConfiguration(listen: SocketAddress(ip: "127.0.0.1", port: 0)!, podName: "ws-7", ioQueues: 1),
            logger: Logger(label: "test.server") { _ in RecordingHandler(recorder: serverLog) })
        let address = try server.start()
        defer { server.drain(timeout: 1) }
        var plan = RunPlan(url: try WebSocketURL("ws://127.0.0.1:\(address.port)/"), clients: 2, connectionsPerClient: 1)
        plan.hold = 0.2
        let result = try LoadEngine(plan: plan, logger: Logger(label: "test.engine") { _ in RecordingHandler(recorder: engineLog) }).run()
        #expect(result.held == 2)
        #expect(engineLog.all.contains { $0.0 == .info && $0.1.hasPrefix("ramp complete: 2 established, 0 failed") }, "\(engineLog.all)")
        #expect(serverLog.all.contains { $0.0 == .info && $0.1.contains("pod=ws-7 Active connections: 2") }, "\(serverLog.all)")
    }

    @Test func lineLoggerHonoursItsLevel() {
        let lines = Mutex<[String]>([])
        let logger = Logger.lines(level: .warning) { line in lines.withLock { $0.append(line) } }
        logger.info("dropped")
        logger.warning("kept")
        #expect(lines.withLock { $0 } == ["kept"])
    }
}
