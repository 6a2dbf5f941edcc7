/// What `wsload shell` writes on a terminal so that lines arriving on their own (a connection opened or closed)
/// never overwrite the prompt: such a line clears the prompt's row, prints itself, and draws the prompt again.
/// Pure text in, text out; the caller writes it and serialises the calls.
public struct ShellPrompt: Sendable, Equatable {
    /// The prompt, e.g. `wsload> `.
    public let prompt: String
    /// Whether the prompt is on the screen waiting for input.
    public private(set) var isShowing = false

    /// Creates the prompt state; nothing is shown yet.
    public init(prompt: String = "wsload> ") { self.prompt = prompt }

    /// The prompt, before reading a line of input.
    public mutating func show() -> String {
        isShowing = true
        return prompt
    }

    /// A line of input was read (Enter moved the cursor to a fresh row).
    public mutating func inputRead() { isShowing = false }

    /// The text for a line that arrives on its own: above a showing prompt (carriage return, erase the row, the
    /// line, the prompt again), else just the line.
    public func asyncLine(_ line: String) -> String {
        isShowing ? "\r\u{1B}[2K" + line + "\n" + prompt : line + "\n"
    }
}
