import ArgumentParser
import Foundation
import Notebook
import OutputFiles

/// `analyze notebook run FILE…`: runs every command and rewrites its output block in place.
struct NotebookRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run every analyze command in the notebooks and rewrite their output blocks.",
        discussion: """
        Files the commands write (--plot, --out, -o …, as each command declares them) land inside the \
        notebook's folder: absolute paths, `..`, symbolic links on the way, a wrong extension and the \
        notebooks themselves are refused. A notebook is rewritten only when all its commands succeed and \
        it did not change meanwhile; the rewrite keeps its permissions, byte order mark and line endings, \
        writes through a symbolic link, and writes in place when the file has several hard links. A lock \
        file (.NAME.analyze-lock) keeps a second run off the same notebook.
        """
    )

    @OptionGroup var options: NotebookOptions

    @Argument(help: "Markdown notebooks.")
    var files: [String]

    func run() throws {
        Cleanup.shared.installSignalHandlers()
        let inputs = files.map { URL(fileURLWithPath: $0) }
        for path in files {
            let file = try NotebookFile(path: path)
            let lock: FileLock
            do { lock = try FileLock(for: path) } catch { throw UsageError(error.description) }
            defer { lock.release() }
            Cleanup.removeStale(in: URL(fileURLWithPath: path).resolvingSymlinksInPath().deletingLastPathComponent(),
                                prefix: FileWriting.temporaryPrefix)
            var executor = NotebookExecutor(directory: file.directory, inputs: inputs, scratchDirectory: nil,
                                            limits: options.limits)
            let outputs = try file.outputs(&executor, progressEvery: options.progressEvery)
            let rendered = file.notebook.rendered(outputs: outputs)
            let changed = zip(file.notebook.cells, outputs).filter { $0.0.output?.content != $0.1 }.count
            if rendered != file.text {
                do {
                    try NotebookWriter.replace(path, with: file.encoding.encoded(rendered), original: file.data)
                } catch {
                    throw UsageError(error.description)
                }
            }
            print("\(path): \(outputs.count) commands run, \(changed) output blocks changed")
        }
    }
}
