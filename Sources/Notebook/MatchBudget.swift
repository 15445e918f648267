import Foundation

/// The time vary patterns may spend matching, shared by every comparison of one notebook, so a
/// pattern that backtracks catastrophically fails in bounded time instead of hanging a check.
public final class MatchBudget: @unchecked Sendable {
    /// The total budget in seconds.
    public let seconds: Double
    private var spent = 0.0
    private let lock = NSLock()

    public init(seconds: Double) {
        self.seconds = seconds
    }

    /// Seconds left.
    public var remaining: Double {
        lock.lock(); defer { lock.unlock() }
        return seconds - spent
    }

    /// Charges `time` seconds.
    func spend(_ time: Double) {
        lock.lock(); defer { lock.unlock() }
        spent += time
    }
}
