import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Finds the processes of a process group through `/proc` (Linux), so a forward's helpers — `socat … fork`
/// children, a wrapper script's children — can be stopped too, not only the process wsload started.
public enum ProcessGroupScan {
    /// One process of a group.
    public struct Member: Sendable, Equatable {
        /// Process id.
        public var pid: pid_t
        /// The `/proc/PID/stat` state letter (`R`, `S`, `Z`, …).
        public var state: Character
        /// True for a zombie (exited, not yet reaped): it runs no code and holds no sockets.
        public var isZombie: Bool { state == "Z" || state == "X" }
    }

    /// Processes whose process group is `pgid`, zombies included; empty where `/proc` is unavailable.
    public static func members(of pgid: pid_t) -> [Member] {
        guard pgid > 0, let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        var result: [Member] = []
        for entry in entries {
            guard let pid = pid_t(entry), let stat = readStat(pid) else { continue }
            if stat.pgrp == pgid { result.append(Member(pid: pid, state: stat.state)) }
        }
        return result.sorted { $0.pid < $1.pid }
    }

    /// Members of `pgid` that are still running code (not zombies).
    public static func liveMembers(of pgid: pid_t) -> [pid_t] {
        members(of: pgid).filter { !$0.isZombie }.map(\.pid)
    }

    /// True when `pid` exists and is not a zombie.
    public static func isAlive(_ pid: pid_t) -> Bool {
        guard pid > 0, kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard let stat = readStat(pid) else { return true }
        return stat.state != "Z" && stat.state != "X"
    }

    /// State and process group from `/proc/PID/stat` (`pid (comm) state ppid pgrp …`; comm may contain spaces).
    static func readStat(_ pid: pid_t) -> (state: Character, pgrp: pid_t)? {
        let fd = open("/proc/\(pid)/stat", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 512)
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, 512) }
        guard n > 0 else { return nil }
        let text = String(decoding: buffer[0..<n], as: UTF8.self)
        guard let commEnd = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: commEnd)...].split(separator: " ")
        guard fields.count >= 3, let state = fields[0].first, let pgrp = pid_t(fields[2]) else { return nil }
        return (state, pgrp)
    }
}

/// One TCP connect attempt with a deadline, to tell whether a forward's local port accepts.
enum TCPProbe {
    enum Outcome: Equatable {
        case accepted
        case refused
        case timedOut
        case failed(Int32)
    }

    /// Connects to `address` and closes at once; never waits longer than `timeout` seconds.
    static func attempt(_ address: SocketAddress, timeout: Double) -> Outcome {
        let fd: Int32
        switch Socket.makeTCP(family: address.family) {
        case .success(let s): fd = s
        case .failure(let e): return .failed(e.code)
        }
        defer { close(fd) }
        if let e = Socket.startConnect(fd, to: address) { return e.code == ECONNREFUSED ? .refused : .failed(e.code) }
        var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        let ms = Int32(max(1, min(60_000, (timeout * 1000).rounded(.up))))
        let rc = poll(&pfd, 1, ms)
        if rc == 0 { return .timedOut }
        if rc < 0 { return .failed(errno) }
        if let e = Socket.pendingError(fd) { return e.code == ECONNREFUSED ? .refused : .failed(e.code) }
        return .accepted
    }

    /// A free TCP port on `ip` chosen by the kernel (bound, read back, released).
    static func freePort(ip: String = "127.0.0.1") -> UInt16? {
        guard let any = SocketAddress(ip: ip, port: 0) else { return nil }
        let fd: Int32
        switch Socket.makeTCP(family: any.family) {
        case .success(let s): fd = s
        case .failure: return nil
        }
        defer { close(fd) }
        guard any.withSockAddr({ bind(fd, $0, $1) }) == 0 else { return nil }
        return Socket.localAddress(fd)?.port
    }
}
