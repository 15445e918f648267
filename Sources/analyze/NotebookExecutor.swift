import Foundation
import Notebook

/// Runs a notebook's cells as subprocesses of this very executable, in the notebook's
/// directory, so relative paths in commands mean what they mean to a reader of the notebook.
///
/// With a `scratchDirectory` (used by `check`), the files commands write — relative `.svg`
/// arguments and the values of ``outputOptions`` — go there instead, and so does every later
/// argument naming one of them (a checkpoint written by one cell and read by the next), so
/// checking leaves the committed files alone. The scratch prefix is removed from the output
/// again, so the output reads as in `run`.
final class NotebookExecutor {
    /// The notebook's directory: the commands' working directory.
    let directory: URL
    /// Where written files go instead of `directory`, or nil to write them in place.
    let scratchDirectory: URL?
    /// The executable to run, this process's own.
    let executable = NotebookExecutor.currentExecutable()
    /// Relative paths sent to the scratch directory so far.
    var redirected: Set<String> = []

    init(directory: URL, scratchDirectory: URL?) {
        self.directory = directory
        self.scratchDirectory = scratchDirectory
    }

    /// Options whose value is a file the command writes.
    static let outputOptions: Set<String> = ["--plot", "--out", "--output", "--csv"]

    /// This process's executable (`/proc/self/exe` on Linux, the first argument otherwise).
    static func currentExecutable() -> URL {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return URL(fileURLWithPath: path)
        }
        return URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
    }

    /// Splits `--option=value` into `("--option=", "value")`, any other argument into `("", argument)`.
    static func optionValue(_ argument: String) -> (prefix: String, value: String) {
        guard argument.hasPrefix("-"), let equals = argument.firstIndex(of: "=") else { return ("", argument) }
        return (String(argument[...equals]), String(argument[argument.index(after: equals)...]))
    }

    /// The relative paths a cell writes: `.svg` arguments and the values of output options
    /// (`--out x`, `--out=x`).
    static func writtenPaths(_ cell: Cell) -> [String] {
        var paths: [String] = []
        var previous = ""
        for argument in cell.arguments {
            let (prefix, value) = optionValue(argument)
            let option = prefix.isEmpty ? previous : String(prefix.dropLast())
            if !value.isEmpty, !value.hasPrefix("/"), !value.hasPrefix("-"),
               value.hasSuffix(".svg") || outputOptions.contains(option) {
                paths.append(value)
            }
            previous = prefix.isEmpty ? argument : ""
        }
        return paths
    }

    /// The relative `.svg` paths a cell writes: its plots.
    static func plotPaths(_ cell: Cell) -> [String] {
        writtenPaths(cell).filter { $0.hasSuffix(".svg") }
    }

    /// The cell's arguments with written files (and files written by earlier cells) moved
    /// into the scratch directory; the written files' folders are created.
    func arguments(_ cell: Cell) throws -> [String] {
        let written = Set(NotebookExecutor.writtenPaths(cell))
        return try cell.arguments.map { argument in
            let (prefix, value) = NotebookExecutor.optionValue(argument)
            guard written.contains(value) || redirected.contains(value) else { return argument }
            let target = (scratchDirectory ?? directory).appendingPathComponent(value)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            guard scratchDirectory != nil else { return argument }
            redirected.insert(value)
            return prefix + target.path
        }
    }

    /// Runs `cell` and returns its output lines: stdout, or stderr for a cell marked `fails`.
    /// Throws a ``NotebookError`` at the command's line when it fails (or, marked `fails`, succeeds).
    func output(of cell: Cell) throws -> [String] {
        let process = Process()
        process.executableURL = executable
        process.arguments = try arguments(cell)
        process.currentDirectoryURL = directory
        process.standardInput = FileHandle.nullDevice
        let stdout = Pipe()
        let stderrURL = FileManager.default.temporaryDirectory
            .appendingPathComponent("analyze-notebook-\(UUID().uuidString).stderr")
        guard FileManager.default.createFile(atPath: stderrURL.path, contents: nil) else {
            throw UsageError("cannot create \(stderrURL.path) for a command's stderr")
        }
        defer { try? FileManager.default.removeItem(at: stderrURL) }
        let stderrHandle = try FileHandle(forWritingTo: stderrURL)
        process.standardOutput = stdout
        process.standardError = stderrHandle
        try process.run()
        let outData = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try stderrHandle.close()
        let err = String(decoding: (try? Data(contentsOf: stderrURL)) ?? Data(), as: UTF8.self)
        let out = String(decoding: outData, as: UTF8.self)

        let status = process.terminationStatus
        let crashed = process.terminationReason == .uncaughtSignal
        let lastError = err.split(separator: "\n").last { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            .map { ": " + $0.trimmingCharacters(in: .whitespaces) } ?? ""
        if crashed {
            throw NotebookError(line: cell.line, "`\(cell.commandLine)` was killed by signal \(status)\(lastError)")
        }
        if cell.expectsFailure {
            guard status != 0 else {
                throw NotebookError(line: cell.line, "`\(cell.commandLine)` is marked `fails` but exited 0")
            }
            return lines(err)
        }
        guard status == 0 else {
            throw NotebookError(line: cell.line, "`\(cell.commandLine)` failed with exit status \(status)\(lastError)")
        }
        return lines(out)
    }

    /// `text` as lines, without the empty line after a final newline, with the scratch
    /// directory's prefix removed.
    func lines(_ text: String) -> [String] {
        var text = text
        if let scratchDirectory { text = text.replacingOccurrences(of: scratchDirectory.path + "/", with: "") }
        var lines = text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        return lines
    }
}
