/// A problem in a notebook, tied to the 1-based line where it starts.
///
/// `description` reads `line 12: unterminated ``` block (no closing fence)`; callers put the
/// file name in front (`notebook.md:12: …`).
public struct NotebookError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The 1-based line number in the notebook.
    public let line: Int
    /// One sentence naming the problem.
    public let message: String

    public init(line: Int, _ message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { "line \(line): \(message)" }
}
