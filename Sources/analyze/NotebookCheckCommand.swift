import ArgumentParser
import Foundation
import Notebook
import OutputFiles

/// `analyze notebook check FILE…`: runs every command and compares with the committed output.
struct NotebookCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Run the notebooks' commands and fail, with a diff, where the committed output differs.",
        discussion: """
        Nothing is written next to the notebook: files the commands write (--plot, --out, -o …, as each \
        command declares them, and defaults such as compare's SVG) go to a temporary directory, where later \
        cells read them; it is removed on any exit, SIGINT and SIGTERM included, and ones a killed check \
        left are removed by the next. Lines are compared after masking the cell's vary patterns (within \
        --vary-budget seconds of matching per notebook) and dropping trailing spaces. Prints the diff of the \
        first differing block, lists the others, and exits 1; plots the commands name must exist beside the \
        notebook.
        """
    )

    @OptionGroup var options: NotebookOptions

    @Option(name: .customLong("vary-budget"), help: ArgumentHelp("Seconds the vary patterns of one notebook may spend matching.", valueName: "seconds"))
    var varyBudget = 2.0

    @Argument(help: "Markdown notebooks.")
    var files: [String]

    func validate() throws {
        guard varyBudget > 0, varyBudget.isFinite else {
            throw ValidationError("--vary-budget must be a positive number of seconds (got \(varyBudget))")
        }
    }

    /// The prefix of scratch directories in the temporary directory, followed by the process id.
    static let scratchPrefix = "analyze-notebook-"

    func run() throws {
        Cleanup.shared.installSignalHandlers()
        let temporary = FileManager.default.temporaryDirectory
        Cleanup.removeStale(in: temporary, prefix: NotebookCheckCommand.scratchPrefix)
        let inputs = files.map { URL(fileURLWithPath: $0) }
        var failing: [String] = []
        for path in files {
            let file = try NotebookFile(path: path)
            let scratch = temporary.appendingPathComponent("\(NotebookCheckCommand.scratchPrefix)\(getpid())-\(UUID().uuidString)")
            Cleanup.shared.remember(scratch.path)
            defer {
                try? FileManager.default.removeItem(at: scratch)
                Cleanup.shared.forget(scratch.path)
            }
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            var executor = NotebookExecutor(directory: file.directory, inputs: inputs, scratchDirectory: scratch,
                                            limits: options.limits)
            let outputs = try file.outputs(&executor, progressEvery: options.progressEvery)
            let problems = try NotebookCheckCommand.problems(file, outputs: outputs, written: executor.written,
                                                             budget: MatchBudget(seconds: varyBudget))
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
    static func problems(_ file: NotebookFile, outputs: [[String]], written: [[String]],
                         budget: MatchBudget) throws -> [String] {
        var problems: [String] = []
        var shownDiff = false
        for (i, (cell, fresh)) in zip(file.notebook.cells, outputs).enumerated() {
            let at = "\(file.path):\(cell.line): `\(cell.commandLine)`"
            for plot in (i < written.count ? written[i] : []) where plot.hasSuffix(".svg")
            && !FileManager.default.fileExists(atPath: file.directory.appendingPathComponent(plot).path) {
                problems.append("\(at) writes \(plot), which is missing beside the notebook")
            }
            guard let block = cell.output else {
                problems.append("\(at) has no output block")
                continue
            }
            let difference: OutputDiff?
            do {
                difference = try OutputDiff.compare(committed: block.content, fresh: fresh, vary: cell.vary, budget: budget)
            } catch {
                throw UsageError("\(file.path):\(error.line): \(error.message)")
            }
            guard let diff = difference else { continue }
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
