/// libFuzzer entry point for the notebook parser: any text either parses or throws a
/// ``NotebookError`` with a line inside the notebook; a parsed notebook whose cells all have
/// output blocks renders back to itself, and rendering new outputs gives a notebook that
/// parses to the same commands with those outputs.
///
/// Compiled into one module with the `Notebook` sources by `fuzz/build.sh`.
@_cdecl("LLVMFuzzerTestOneInput")
public func notebookFuzz(_ start: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: start, count: size), as: UTF8.self)
    let subcommands: Set<String> = ["count", "dags", "rank"]
    let notebook: Notebook
    do {
        notebook = try Notebook(parsing: text, subcommands: subcommands)
    } catch {
        let lineCount = text.utf8.reduce(1) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
        precondition((1...lineCount).contains(error.line), "error line \(error.line) outside the text")
        return 0
    }
    if notebook.cells.allSatisfy({ $0.output != nil }) {
        precondition(notebook.rendered(outputs: notebook.cells.map(\.committedOutput)) == text,
                     "rendering the committed outputs changed the text")
    }
    // New outputs drawn from the notebook's own lines, fences and all.
    let fresh = notebook.cells.indices.map { i in Array(notebook.lines.dropFirst(i).prefix(4)) }
    let rewritten = notebook.rendered(outputs: fresh)
    guard let again = try? Notebook(parsing: rewritten, subcommands: subcommands) else {
        preconditionFailure("rendered notebook does not parse:\n\(rewritten)")
    }
    precondition(again.cells.map(\.words) == notebook.cells.map(\.words), "rendering changed the commands")
    precondition(again.cells.map(\.committedOutput) == fresh, "rendered outputs do not read back")
    for (cell, lines) in zip(notebook.cells, fresh) {
        _ = (try? OutputDiff.compare(committed: cell.committedOutput, fresh: lines, vary: cell.vary))??.unified(firstLine: cell.line)
    }
    return 0
}
