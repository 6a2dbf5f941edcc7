import Foundation
import Testing

@testable import WSLoadCLI

/// Lines printed to a reader that has gone — a worker's killed parent, `wsload … | head` — are dropped; the process
/// goes on (the non-throwing `FileHandle.write(_:)` trapped there: SIGILL, seen in every killed-parent worker).
@Suite struct LineWriterTests {
    @Test func writingToAPipeWhoseReaderIsGoneDoesNotEndTheProcess() throws {
        signal(SIGPIPE, SIG_IGN)  // as wsload does at start: EPIPE instead of a fatal signal
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        close(fds[0])  // the reader is gone
        let handle = FileHandle(fileDescriptor: fds[1], closeOnDealloc: true)
        let writer = LineWriter(handle)
        writer.write("WSLOAD-PROGRESS {}")
        writer.writeRaw("\u{1B}[2K")
        #expect(!handle.writeIfPossible(Data("lost\n".utf8)), "EPIPE: not written, and said so")
    }

    @Test func linesReachAReader() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let writer = LineWriter(FileHandle(fileDescriptor: fds[1], closeOnDealloc: true))
        writer.write("one")
        writer.writeRaw("two")
        var buffer = [UInt8](repeating: 0, count: 64)
        let n = read(fds[0], &buffer, buffer.count)
        close(fds[0])
        #expect(String(decoding: buffer.prefix(max(0, n)), as: UTF8.self) == "one\ntwo")
    }
}
