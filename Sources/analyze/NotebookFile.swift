import Foundation
import Notebook
import Report

/// A notebook file: its path, text and parsed cells, with errors reported as `PATH:LINE: message`.
struct NotebookFile {
    let path: String
    let text: String
    let notebook: Notebook

    /// The subcommands a notebook may run: every `analyze` subcommand but `notebook` itself.
    static var subcommands: Set<String> {
        Set(Analyze.configuration.subcommands.compactMap { $0.configuration.commandName })
            .subtracting(["notebook"])
    }

    /// Reads and parses the notebook at `path`.
    init(path: String) throws {
        self.path = path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw UsageError("cannot read \(path)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw UsageError("\(path) is not UTF-8 text")
        }
        self.text = text
        do {
            notebook = try Notebook(parsing: text, subcommands: NotebookFile.subcommands)
        } catch {
            throw UsageError("\(path):\(error.line): \(error.message)")
        }
    }

    /// The notebook's directory, where its commands run.
    var directory: URL { URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent() }

    /// Runs every cell with `executor`, in order, and returns the outputs; reports each cell on
    /// stderr when stderr is a terminal.
    func outputs(_ executor: NotebookExecutor) throws -> [[String]] {
        let verbose = isatty(2) != 0
        return try notebook.cells.enumerated().map { index, cell in
            let start = Date()
            if verbose {
                FileHandle.standardError.write(Data("\(path):\(cell.line) [\(index + 1)/\(notebook.cells.count)] \(cell.commandLine)".utf8))
            }
            do {
                let output = try executor.output(of: cell)
                if verbose {
                    FileHandle.standardError.write(Data(" (\(String(format: "%.1f", Date().timeIntervalSince(start))) s)\n".utf8))
                }
                return output
            } catch let error as NotebookError {
                if verbose { FileHandle.standardError.write(Data("\n".utf8)) }
                throw UsageError("\(path):\(error.line): \(error.message)")
            }
        }
    }
}
