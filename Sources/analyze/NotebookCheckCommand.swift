import ArgumentParser
import Foundation
import Notebook

/// `analyze notebook check FILE…`: runs every command and compares with the committed output.
struct NotebookCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Run the notebooks' commands and fail, with a diff, where the committed output differs.",
        discussion: """
        Nothing is written next to the notebook: files the commands write (.svg arguments, values of \
        --plot, --out, --output, --csv) go to a temporary directory, where later cells read them. Lines are compared \
        after masking the cell's vary patterns and dropping trailing spaces. Prints the diff of the first \
        differing block, lists the others, and exits 1; plots the commands name must exist beside the notebook.
        """
    )

    @Argument(help: "Markdown notebooks.")
    var files: [String]

    func run() throws {
        var failing: [String] = []
        for path in files {
            let file = try NotebookFile(path: path)
            let scratch = FileManager.default.temporaryDirectory
                .appendingPathComponent("analyze-notebook-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: scratch) }
            let outputs = try file.outputs(NotebookExecutor(directory: file.directory, scratchDirectory: scratch))
            let problems = NotebookCheckCommand.problems(file, outputs: outputs)
            if problems.isEmpty {
                print("\(path): \(outputs.count) commands, every output matches")
            } else {
                print(problems.joined(separator: "\n"))
                failing.append("\(path) (\(problems.count))")
            }
        }
        if !failing.isEmpty {
            throw UsageError("outputs differ from the committed notebooks in \(failing.joined(separator: ", ")); "
                + "`analyze notebook run FILE` rewrites them")
        }
    }

    /// One message per difference: the first with its diff, the rest one line each.
    static func problems(_ file: NotebookFile, outputs: [[String]]) -> [String] {
        var problems: [String] = []
        var shownDiff = false
        for (cell, fresh) in zip(file.notebook.cells, outputs) {
            let at = "\(file.path):\(cell.line): `\(cell.commandLine)`"
            for plot in NotebookExecutor.plotPaths(cell)
            where !FileManager.default.fileExists(atPath: file.directory.appendingPathComponent(plot).path) {
                problems.append("\(at) writes \(plot), which is missing beside the notebook")
            }
            guard let block = cell.output else {
                problems.append("\(at) has no output block")
                continue
            }
            guard let diff = OutputDiff.compare(committed: block.content, fresh: fresh, vary: cell.vary) else { continue }
            if !shownDiff {
                shownDiff = true
                problems.append("\(at): output differs (- committed, + now):\n" + diff.unified(firstLine: block.firstContentLine))
            } else {
                problems.append("\(at): output differs")
            }
        }
        return problems
    }
}
