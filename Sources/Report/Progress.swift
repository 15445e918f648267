import Foundation

/// Progress of long work on stderr. On a terminal, a bar redrawn in place after the first
/// second; otherwise (a pipe, a log file) one line every few seconds, so a long run in a
/// pipeline still shows it is alive. Short runs print nothing either way.
public final class ProgressBar: @unchecked Sendable {
    /// How progress is shown.
    public enum Mode: Sendable, Equatable {
        /// A bar redrawn in place (stderr is a terminal).
        case terminal
        /// One line every `seconds`, the first after `seconds` (stderr is not a terminal).
        case lines(every: Double)
        case off
    }

    /// Seconds between lines when stderr is not a terminal.
    public static let lineInterval = 5.0

    /// Terminal when stderr is one, lines otherwise.
    public static var automaticMode: Mode { isatty(2) != 0 ? .terminal : .lines(every: lineInterval) }

    let label: String
    let total: Int
    let cost: ((Int) -> Double)?
    let mode: Mode
    let write: @Sendable (String) -> Void
    let start = Date()
    var lastDraw = Date.distantPast
    var drawn = false
    let lock = NSLock()

    /// `cost(j)` is the work of the first j steps (any unit), for work whose steps cost unequal
    /// amounts: the fraction done and the estimate are cost(done)/cost(total), not done/total.
    public init(_ label: String, total: Int, cost: ((Int) -> Double)? = nil, mode: Mode = ProgressBar.automaticMode,
                write: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.label = label
        self.total = max(total, 1)
        self.cost = cost
        self.mode = mode
        self.write = write
    }

    /// `enabled: false` is silent; `true` chooses the mode from stderr.
    public convenience init(_ label: String, total: Int, enabled: Bool) {
        self.init(label, total: total, mode: enabled ? ProgressBar.automaticMode : .off)
    }

    /// The fraction of the work done after `done` steps.
    public func fraction(_ done: Int) -> Double {
        let steps = min(max(done, 0), total)
        guard let cost else { return Double(steps) / Double(total) }
        let whole = cost(total)
        return whole > 0 ? min(1, cost(steps) / whole) : Double(steps) / Double(total)
    }

    /// Reports `done` of `total` steps, with an optional note (a running loss, say).
    public func update(_ done: Int, note: String = "") {
        guard mode != .off else { return }
        lock.lock(); defer { lock.unlock() }
        let now = Date()
        let elapsed = now.timeIntervalSince(start)
        let fraction = self.fraction(done)
        let eta = fraction > 0 ? String(format: "%.1fs", elapsed / fraction - elapsed) : "?"
        let figures = "\(done)/\(total) \(String(format: "%.0f%%", fraction * 100)) "
            + "\(String(format: "%.1fs", elapsed)) eta \(eta)" + (note.isEmpty ? "" : " " + note)
        switch mode {
        case .off: return
        case .terminal:
            guard elapsed > 1, now.timeIntervalSince(lastDraw) > 0.1 || done >= total else { return }
            let width = 30, filled = Int(fraction * Double(width))
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            write("\r\(label) [\(bar)] \(figures)\u{1B}[K")
        case .lines(let every):
            guard elapsed >= every, now.timeIntervalSince(lastDraw) >= every else { return }
            write("\(label): \(figures)\n")
        }
        lastDraw = now
        drawn = true
    }

    /// Clears the bar's line, if one was drawn on a terminal.
    public func finish() {
        lock.lock(); defer { lock.unlock() }
        if mode == .terminal && drawn { write("\r\u{1B}[K") }
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
