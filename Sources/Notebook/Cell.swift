/// One `analyze` command in a notebook and the output block under it.
///
/// Line numbers are 1-based notebook lines; indices into ``Notebook/lines`` are 0-based.
public struct Cell: Sendable, Equatable {
    /// The command's words, starting with `analyze` (for example `["analyze", "count", "--n", "8"]`).
    public let words: [String]
    /// The command as written (continuation lines joined), for messages.
    public let commandLine: String
    /// The 1-based line of the command block's opening fence.
    public let line: Int
    /// Whether the block is marked `fails`: the command must exit non-zero and its stderr is
    /// the output.
    public let expectsFailure: Bool
    /// Patterns whose matches may differ between runs.
    public let vary: [VaryPattern]
    /// The output block under the command, nil when there is none yet.
    public let output: OutputBlock?
    /// Index of the command block's closing fence line (an output block is inserted after it).
    let commandCloseIndex: Int

    /// The command's arguments after `analyze`.
    public var arguments: [String] { Array(words.dropFirst()) }

    /// The committed output lines (empty when there is no output block).
    public var committedOutput: [String] { output?.content ?? [] }
}

/// A fenced block marked `output` that holds a command's result.
public struct OutputBlock: Sendable, Equatable {
    /// Index of the opening fence line.
    let openIndex: Int
    /// Index of the closing fence line.
    let closeIndex: Int
    let fence: Fence
    /// The block's lines, without the fence's indentation.
    public let content: [String]

    /// The 1-based line of the first content line (the line after the opening fence).
    public var firstContentLine: Int { openIndex + 2 }
}
