import Foundation

/// Reports which cell of a notebook runs: on a terminal, each command as it starts and its time
/// when it ends; otherwise a line every `interval` seconds while a cell runs
/// (`notebook FILE: cell 3/7 (line 42) running for 10 s: analyze …`), so logs show long work.
final class NotebookProgress: @unchecked Sendable {
    let path: String
    let total: Int
    let interval: Double
    let terminal = isatty(2) != 0
    private var timer: DispatchSourceTimer?
    private var start = Date()

    init(path: String, total: Int, interval: Double) {
        self.path = path
        self.total = total
        self.interval = interval
    }

    /// Cell `index` (0-based) at notebook line `line` starts.
    func begin(_ index: Int, line: Int, command: String) {
        start = Date()
        if terminal {
            write("\(path):\(line) [\(index + 1)/\(total)] \(command)")
            return
        }
        let timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now() + interval, repeating: interval)
        timer.setEventHandler { [path, total, start] in
            let elapsed = Int(Date().timeIntervalSince(start))
            FileHandle.standardError.write(Data("notebook \(path): cell \(index + 1)/\(total) (line \(line)) running for \(elapsed) s: \(command)\n".utf8))
        }
        timer.resume()
        self.timer = timer
    }

    /// The running cell ended (`succeeded` false when it failed).
    func end(succeeded: Bool) {
        timer?.cancel()
        timer = nil
        if terminal {
            write(succeeded ? " (\(String(format: "%.1f", Date().timeIntervalSince(start))) s)\n" : "\n")
        }
    }

    func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
