import Testing

@testable import WSLoad

/// `wsload shell`'s input language: every command, its default, and the lines that are errors (never guesses).
@Suite struct ShellInputTests {
    @Test(arguments: [
        ("connect", ShellInput.connect(1)), ("connect 20", .connect(20)), ("CONNECT 3", .connect(3)),
        ("close", .close(1)), ("close 5", .close(5)), ("close all", .close(nil)),
        ("send hello world", .send("hello world")), ("status", .status), ("pods", .pods),
        ("wait", .wait(1)), ("wait 0.5", .wait(0.5)), ("sleep 2", .wait(2)),
        ("help", .help), ("?", .help), ("quit", .quit), ("exit", .quit), ("", .empty), ("   ", .empty),
    ])
    func understood(line: String, expected: ShellInput) {
        #expect(ShellInput.parse(line) == .success(expected))
    }

    @Test(arguments: [
        ("connect abc", #"connect: expected a number of connections from 1 to 100000, got "abc""#),
        ("connect 0", #"connect: expected a number of connections from 1 to 100000, got "0""#),
        ("connect -2", #"connect: expected a number of connections from 1 to 100000, got "-2""#),
        ("connect 100001", #"connect: expected a number of connections from 1 to 100000, got "100001""#),
        ("close x", #"close: expected a number of connections (1 or more) or `all`, got "x""#),
        ("wait soon", #"wait: expected seconds from 0 to 3600 (e.g. `wait 2` or `wait 0.5`), got "soon""#),
        ("wait -1", #"wait: expected seconds from 0 to 3600 (e.g. `wait 2` or `wait 0.5`), got "-1""#),
        ("send", "send: give the text to send, e.g. `send hello`"),
        ("status now", #"status takes no argument, got "now""#),
        (
            "frobnicate 3",
            #"unknown command "frobnicate"; the commands are: connect N | close N|all | send TEXT | status | pods | wait SECONDS | help | quit"#
        ),
    ])
    func errors(line: String, message: String) {
        #expect(ShellInput.parse(line) == .failure(ShellInput.ParseError(description: message)))
    }
}
