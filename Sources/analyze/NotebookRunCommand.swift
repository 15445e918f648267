import ArgumentParser
import Foundation

/// `analyze notebook run FILE…`: runs every command and rewrites its output block in place.
struct NotebookRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run every analyze command in the notebooks and rewrite their output blocks.",
        discussion: "Plots (--plot FILE.svg) land next to the notebook. A notebook is rewritten only when all its commands succeed."
    )

    @Argument(help: "Markdown notebooks.")
    var files: [String]

    func run() throws {
        for path in files {
            let file = try NotebookFile(path: path)
            let outputs = try file.outputs(NotebookExecutor(directory: file.directory, scratchDirectory: nil))
            let rendered = file.notebook.rendered(outputs: outputs)
            let changed = zip(file.notebook.cells, outputs).filter { $0.0.output?.content != $0.1 }.count
            if rendered != file.text { try writeFile(rendered, to: path) }
            print("\(path): \(outputs.count) commands run, \(changed) output blocks changed")
        }
    }
}
