import Testing

@testable import WSLoad

/// Lines that arrive while the prompt waits are drawn above it: the row is cleared, the line printed, the prompt redrawn.
@Suite struct ShellPromptTests {
    @Test func asyncLineAboveAShowingPrompt() {
        var p = ShellPrompt()
        #expect(p.asyncLine("#1 open → ws-0") == "#1 open → ws-0\n", "no prompt yet: the line alone")
        #expect(p.show() == "wsload> ")
        #expect(p.isShowing)
        #expect(p.asyncLine("#1 open → ws-0") == "\r\u{1B}[2K#1 open → ws-0\nwsload> ")
        p.inputRead()
        #expect(!p.isShowing)
        #expect(p.asyncLine("#1 closed (1000 normal closure)") == "#1 closed (1000 normal closure)\n", "after Enter the cursor is on a fresh row")
    }
}
