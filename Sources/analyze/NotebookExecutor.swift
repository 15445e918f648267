import Foundation
import Notebook

/// Runs a notebook's cells as subprocesses of this very executable, in the notebook's
/// directory, so relative paths in commands mean what they mean to a reader of the notebook.
/// The files cells write are confined to that directory, or sent to a scratch directory by
/// `check` (see ``OutputRedirect``).
struct NotebookExecutor {
    /// The notebook's directory: the commands' working directory.
    let directory: URL
    let confinement: OutputConfinement
    var redirect: OutputRedirect
    let limits: CellLimits
    /// The executable to run, this process's own.
    let executable = NotebookExecutor.currentExecutable()
    /// The files each cell run so far writes, relative to `directory`.
    private(set) var written: [[String]] = []

    init(directory: URL, inputs: [URL], scratchDirectory: URL?, limits: CellLimits) {
        self.directory = directory
        confinement = OutputConfinement(folder: directory, inputs: inputs)
        redirect = OutputRedirect(scratch: scratchDirectory)
        self.limits = limits
    }

    /// This process's executable (`/proc/self/exe` on Linux, the first argument otherwise).
    static func currentExecutable() -> URL {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return URL(fileURLWithPath: path)
        }
        return URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
    }

    /// Runs `cell` and returns its output lines: stdout, or stderr for a cell marked `fails`.
    /// Throws a ``NotebookError`` at the command's line when a written path is refused, a
    /// limit is passed, or the command fails (or, marked `fails`, succeeds).
    mutating func output(of cell: Cell) throws(NotebookError) -> [String] {
        let subcommand = cell.arguments.first ?? ""
        let outputs = NotebookOutputs.outputs(of: subcommand)
        let at = "`\(cell.commandLine)`"
        let result: CellResult
        do {
            let plan = try redirect.plan(cell.arguments, outputs: outputs,
                                         defaults: NotebookOutputs.defaults(cell.arguments, outputs: outputs),
                                         confinement: confinement)
            written.append(plan.written)
            for folder in plan.folders {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            }
            result = try CellProcess.run(executable: executable, arguments: plan.arguments, directory: directory, limits: limits)
        } catch let error as OutputPathError {
            throw NotebookError(line: cell.line, "\(at): \(error)")
        } catch let stop as CellStop {
            throw NotebookError(line: cell.line, "\(at) \(stop)")
        } catch {
            throw NotebookError(line: cell.line, "\(at) could not be started: \(error.localizedDescription)")
        }
        let lastError = result.stderr.split(separator: "\n").last { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            .map { ": " + redirect.unscratched($0.trimmingCharacters(in: .whitespaces)) } ?? ""
        if result.signaled {
            throw NotebookError(line: cell.line, "\(at) was killed by signal \(result.status)\(lastError)")
        }
        if cell.expectsFailure {
            guard result.status != 0 else {
                throw NotebookError(line: cell.line, "\(at) is marked `fails` but exited 0")
            }
            return lines(result.stderr)
        }
        guard result.status == 0 else {
            throw NotebookError(line: cell.line, "\(at) failed with exit status \(result.status)\(lastError)")
        }
        return lines(result.stdout)
    }

    /// `text` as lines, without the empty line after a final newline, with the scratch
    /// directory's prefix removed.
    func lines(_ text: String) -> [String] {
        var lines = redirect.unscratched(text).components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        return lines
    }
}
