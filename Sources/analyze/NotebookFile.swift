import ArgumentParser
import Checkpoint
import Foundation
import Notebook

/// A notebook file: its path, bytes, text and parsed cells, with errors reported as `PATH:LINE: message`.
struct NotebookFile {
    let path: String
    /// The bytes read, to detect edits made while the commands run.
    let data: Data
    /// The text and the encoding details a rewrite keeps.
    let encoding: NotebookText
    let notebook: Notebook

    /// The subcommands a notebook may run: every `analyze` subcommand but `notebook` itself.
    static var subcommands: Set<String> {
        Set(Analyze.configuration.subcommands.compactMap { $0.configuration.commandName })
            .subtracting(["notebook"])
    }

    /// The largest notebook read.
    static let maxBytes = 64 << 20

    /// Reads and parses the notebook at `path` (a regular file, opened without blocking).
    init(path: String) throws {
        self.path = path
        let data: Data
        do { data = Data(try FileByteSource(path: path).readAll(limit: NotebookFile.maxBytes)) } catch {
            throw UsageError("\(error)")
        }
        guard let encoding = NotebookText(data) else {
            throw UsageError("\(path) is not UTF-8 text")
        }
        self.data = data
        self.encoding = encoding
        do {
            notebook = try Notebook(parsing: encoding.text, subcommands: NotebookFile.subcommands)
        } catch {
            throw UsageError("\(path):\(error.line): \(error.message)")
        }
    }

    /// The notebook's text (without a byte order mark, with `\n` line endings).
    var text: String { encoding.text }

    /// The notebook's directory, where its commands run.
    var directory: URL { URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent() }

    /// Runs every cell with `executor`, in order, and returns the outputs, reporting progress
    /// on stderr every `progressEvery` seconds.
    func outputs(_ executor: inout NotebookExecutor, progressEvery: Double) throws -> [[String]] {
        let progress = NotebookProgress(path: path, total: notebook.cells.count, interval: progressEvery)
        var outputs: [[String]] = []
        for (index, cell) in notebook.cells.enumerated() {
            progress.begin(index, line: cell.line, command: cell.commandLine)
            do {
                outputs.append(try executor.output(of: cell))
                progress.end(succeeded: true)
            } catch {
                progress.end(succeeded: false)
                throw UsageError("\(path):\(error.line): \(error.message)")
            }
        }
        return outputs
    }
}
