import Foundation

/// What to undo when the process is interrupted: child processes to kill and temporary files
/// and folders to remove. SIGINT and SIGTERM (once ``installSignalHandlers()`` ran) kill the
/// children, remove the paths and end the process with status 128 + the signal.
public final class Cleanup: @unchecked Sendable {
    /// The process-wide registry.
    public static let shared = Cleanup()

    private let lock = NSLock()
    private var paths: Set<String> = []
    private var children: Set<Int32> = []
    private var sources: [DispatchSourceSignal] = []

    /// Removes `path` (file or folder) on an interrupt until ``forget(_:)``.
    public func remember(_ path: String) {
        lock.lock(); defer { lock.unlock() }
        paths.insert(path)
    }

    public func forget(_ path: String) {
        lock.lock(); defer { lock.unlock() }
        paths.remove(path)
    }

    /// Runs `start`, which starts a process and returns its id, with interrupts held off until
    /// that id is recorded (an interrupt arriving meanwhile waits, then kills the process), and
    /// kills the process on an interrupt until ``forget(child:)``.
    public func start(child start: () throws -> Int32) rethrows -> Int32 {
        lock.lock(); defer { lock.unlock() }
        let pid = try start()
        children.insert(pid)
        return pid
    }

    public func forget(child pid: Int32) {
        lock.lock(); defer { lock.unlock() }
        children.remove(pid)
    }

    /// Routes SIGINT and SIGTERM to ``interrupt(_:)`` (idempotent).
    public func installSignalHandlers() {
        lock.lock(); defer { lock.unlock() }
        guard sources.isEmpty else { return }
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [unowned self] in self.interrupt(sig) }
            source.resume()
            sources.append(source)
        }
    }

    /// Kills the children, removes the paths and exits with 128 + `sig`.
    func interrupt(_ sig: Int32) -> Never {
        lock.lock()
        for pid in children {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        for path in paths { try? FileManager.default.removeItem(atPath: path) }
        exit(128 + sig)
    }

    /// Removes the entries of `folder` named `prefix` + PID + `-…` whose process is gone: what a
    /// killed run left behind.
    public static func removeStale(in folder: URL, prefix: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return }
        for name in names where name.hasPrefix(prefix) {
            let rest = name.dropFirst(prefix.count)
            guard let pid = Int32(rest.prefix(while: \.isNumber)), !isAlive(pid) else { continue }
            try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
        }
    }

    /// Whether a process `pid` exists.
    public static func isAlive(_ pid: Int32) -> Bool {
        pid > 0 && (kill(pid, 0) == 0 || errno == EPERM)
    }
}
