import Foundation

/// Helpers for the Kubernetes / log-source tests: temp directories, fake executables, waiting.
enum KubeTestSupport {
    /// `Tests/WSLoadTests/Fixtures/kubectl`.
    static let fixtures = TestPaths.fixtures.appendingPathComponent("kubectl")

    /// A fresh temporary directory.
    static func makeTempDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("wsload-k8s-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes an executable `/bin/sh` script and returns its path.
    static func writeScript(_ body: String, named name: String = "kubectl", in directory: URL) throws -> String {
        let url = directory.appendingPathComponent(name)
        try ("#!/bin/sh\n" + body + "\n").write(to: url, atomically: true, encoding: .utf8)
        chmod(url.path, 0o755)
        return url.path
    }

    /// Appends text to a file (creating it).
    static func append(_ text: String, to path: String) {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        precondition(fd >= 0, "open \(path)")
        _ = text.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count - 1) }
        close(fd)
    }

    /// Polls `condition` every 20 ms until it holds or `timeout` passes; returns whether it held.
    static func waitUntil(timeout: TimeInterval = 5, _ condition: () -> Bool) -> Bool {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }

    /// True when no process `pid` exists any more (`kill(pid, 0)` fails with ESRCH).
    static func isGone(_ pid: pid_t) -> Bool {
        kill(pid, 0) == -1 && errno == ESRCH
    }
}
