/// A markdown notebook: prose, `analyze` command blocks and the output block under each.
///
/// The format, by example:
///
/// ````markdown
/// <!-- vary: [0-9.]+ ms -->
/// ```sh analyze
/// analyze count --n 8 --k 2
/// ```
///
/// ```text output
/// …what the command printed…
/// ```
/// ````
///
/// - A command block is a fenced block whose info string has the word `analyze` after the
///   language (or as the language). It holds one command line starting with `analyze`; a line
///   ending in `\` continues on the next. The word `fails` marks a command that must fail;
///   its stderr becomes the output.
/// - The output block is the next fenced block whose info string has the word `output`,
///   separated from the command block by blank lines only. When missing, ``rendered(outputs:)``
///   inserts one.
/// - `<!-- vary: REGEX -->` lines before a command block mark what may differ in its output.
/// - Other fenced blocks (of any length, backticks or tildes) are prose: nothing inside them
///   is interpreted, so a notebook can show the format itself in a longer fence.
///
/// Parsing is a pure function of the text; any input either parses or throws a
/// ``NotebookError`` naming a line.
public struct Notebook: Sendable, Equatable {
    /// The notebook's lines, split at `\n` only (a `\r` stays on its line).
    public let lines: [String]
    /// The commands in order.
    public let cells: [Cell]

    /// Parses `text`; `subcommands` are the names a command may use after `analyze`.
    public init(parsing text: String, subcommands: Set<String>) throws(NotebookError) {
        lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
        cells = try NotebookParser(lines: lines, subcommands: subcommands).cells()
    }

    /// The notebook with each cell's output block holding `outputs[i]` (cells past the end of
    /// `outputs` are left as they are). Rendering the committed outputs gives back the original text.
    public func rendered(outputs: [[String]]) -> String {
        var result: [String] = []
        var next = 0
        for (i, cell) in cells.enumerated() where i < outputs.count {
            let fresh = outputs[i]
            if let block = cell.output {
                result += lines[next..<block.openIndex]
                result += OutputWriter.block(fresh, replacing: block, original: lines)
                next = block.closeIndex + 1
            } else {
                result += lines[next...cell.commandCloseIndex]
                result += [""] + OutputWriter.newBlock(fresh)
                next = cell.commandCloseIndex + 1
            }
        }
        result += lines[next...]
        return result.joined(separator: "\n")
    }
}
