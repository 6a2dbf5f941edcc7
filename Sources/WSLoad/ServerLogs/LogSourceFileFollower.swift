import Foundation

/// Follows one growing log file by polling: reads from offset 0 (so the existing content, the baseline, is
/// seen), then whatever is appended.
///
/// Truncation (`copytruncate`: the size drops below the read offset) restarts at offset 0 and drops a
/// partial line; rotation (the path now names another inode) drains the old file, then opens the new one.
/// A truncation followed by regrowth past the old offset within one poll interval cannot be detected.
/// Confinement: used only on the collector's poll queue.
final class LogSourceFileFollower {
    /// The pod whose log this is.
    let pod: String
    /// The followed path.
    let path: String
    /// Lines read so far (1-based numbering for samples), across truncations and rotations.
    private(set) var lineNumber = 0
    /// Truncations and rotations seen.
    private(set) var reopenCount = 0

    private var fd: Int32 = -1
    private var device: UInt64 = 0
    private var inode: UInt64 = 0
    private var offset: off_t = 0
    private var lines = LineBuffer()
    private var chunk = [UInt8](repeating: 0, count: 64 * 1024)

    /// What a poll found.
    enum Outcome: Equatable {
        /// The file is open and was read to its end.
        case ok
        /// The file cannot be opened (errno text).
        case unavailable(String)
    }

    init(pod: String, path: String) {
        self.pod = pod
        self.path = path
    }

    deinit { closeFile() }

    /// Reads everything new; `emit(line, lineNumber)` per complete line.
    func poll(_ emit: (String, Int) -> Void) -> Outcome {
        if fd < 0 {
            if let failure = openFile() { return .unavailable(failure) }
        } else {
            var st = stat()
            if stat(path, &st) == 0, UInt64(st.st_dev) != device || UInt64(st.st_ino) != inode {
                // Rotated: finish the old file, then switch.
                readToEnd(emit)
                lines.flush { emitLine($0, emit) }
                closeFile()
                reopenCount += 1
                if let failure = openFile() { return .unavailable(failure) }
            }
        }
        var st = stat()
        if fstat(fd, &st) == 0, st.st_size < offset {
            offset = 0
            lines.reset()
            reopenCount += 1
        }
        readToEnd(emit)
        return .ok
    }

    /// Emits a last line that has no newline (at stop).
    func flush(_ emit: (String, Int) -> Void) {
        lines.flush { emitLine($0, emit) }
    }

    func closeFile() {
        if fd >= 0 { close(fd) }
        fd = -1
    }

    private func openFile() -> String? {
        let f = open(path, O_RDONLY | O_CLOEXEC)
        guard f >= 0 else { return String(cString: strerror(errno)) }
        var st = stat()
        guard fstat(f, &st) == 0 else {
            let reason = String(cString: strerror(errno))
            close(f)
            return reason
        }
        guard (st.st_mode & S_IFMT) != S_IFDIR else {
            close(f)
            return "is a directory"
        }
        fd = f
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
        offset = 0
        lines.reset()
        return nil
    }

    private func readToEnd(_ emit: (String, Int) -> Void) {
        guard fd >= 0 else { return }
        while true {
            let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, offset) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return }
            offset += off_t(n)
            chunk.withUnsafeBytes { raw in
                lines.append(UnsafeRawBufferPointer(rebasing: raw[..<n])) { emitLine($0, emit) }
            }
        }
    }

    private func emitLine(_ line: String, _ emit: (String, Int) -> Void) {
        lineNumber += 1
        emit(line, lineNumber)
    }
}
