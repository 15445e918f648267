import Foundation

/// A progress bar on stderr for long work. It stays silent for the first second and
/// when stderr is not a terminal, so short runs and pipelines see nothing.
public final class ProgressBar: @unchecked Sendable {
    let label: String
    let total: Int
    let start = Date()
    var lastDraw = Date.distantPast
    var drawn = false
    let enabled: Bool
    let lock = NSLock()

    public init(_ label: String, total: Int, enabled: Bool = isatty(2) != 0) {
        self.label = label
        self.total = max(total, 1)
        self.enabled = enabled
    }

    /// Reports `done` of `total` steps, with an optional note (a running loss, say).
    public func update(_ done: Int, note: String = "") {
        guard enabled else { return }
        lock.lock(); defer { lock.unlock() }
        let now = Date()
        guard now.timeIntervalSince(start) > 1, now.timeIntervalSince(lastDraw) > 0.1 || done >= total else { return }
        lastDraw = now
        drawn = true
        let fraction = min(1, Double(done) / Double(total))
        let width = 30, filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let elapsed = now.timeIntervalSince(start)
        let eta = fraction > 0 ? elapsed / fraction - elapsed : 0
        let line = "\r\(label) [\(bar)] \(done)/\(total) \(String(format: "%.0f%%", fraction * 100)) "
            + "\(String(format: "%.1fs", elapsed)) eta \(String(format: "%.1fs", eta)) \(note)"
        FileHandle.standardError.write(Data((line + "\u{1B}[K").utf8))
    }

    /// Clears the bar's line, if one was drawn.
    public func finish() {
        guard enabled else { return }
        lock.lock(); defer { lock.unlock() }
        if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}

/// Progress as lines on stderr, for long work made of stages (reading, routing, probing):
/// silent for the first `quiet` seconds, so short runs print nothing; then each line with
/// the elapsed time, at most one every `interval` seconds (0.5 s on a terminal, 3 s off one,
/// so a log file or a batch job's output still shows a line every few seconds).
public final class ProgressLog: @unchecked Sendable {
    let start = Date()
    let quiet: TimeInterval
    let interval: TimeInterval
    var last = Date.distantPast
    let lock = NSLock()
    let write: @Sendable (String) -> Void

    public init(quiet: TimeInterval = 2, interval: TimeInterval? = nil,
                write: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.quiet = quiet
        self.interval = interval ?? (isatty(2) != 0 ? 0.5 : 3)
        self.write = write
    }

    /// Reports `line` if the quiet time is over and the last line is `interval` old.
    public func line(_ line: String) {
        lock.lock(); defer { lock.unlock() }
        let now = Date(), elapsed = now.timeIntervalSince(start)
        guard elapsed >= quiet, now.timeIntervalSince(last) >= interval else { return }
        last = now
        write(String(format: "[%.1fs] ", elapsed) + line + "\n")
    }
}
