import Foundation

/// A lock file beside a file being written (`.NAME.analyze-lock`, created with `O_EXCL` and
/// holding the writer's process id), so a second writer of the same file fails instead of
/// racing. A lock whose process is gone is taken over; SIGINT and SIGTERM remove it
/// (``Cleanup``).
public final class FileLock: @unchecked Sendable {
    /// The lock file.
    public let path: String

    /// Takes the lock for the file at `target` (after symbolic links).
    public init(for target: String) throws(OutputFileError) {
        let real = URL(fileURLWithPath: target).resolvingSymlinksInPath()
        path = real.deletingLastPathComponent().appendingPathComponent("." + real.lastPathComponent + ".analyze-lock").path
        for _ in 0..<2 {
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
            if fd >= 0 {
                let text = Array("\(getpid())\n".utf8)
                _ = Foundation.write(fd, text, text.count)
                close(fd)
                Cleanup.shared.remember(path)
                return
            }
            guard errno == EEXIST else { throw .system(path: path, call: "open", errno: errno) }
            let owner = FileLock.owner(of: path)
            if Cleanup.isAlive(owner) { throw .busy(path: target, lock: path, pid: owner) }
            unlink(path)
        }
        throw .busy(path: target, lock: path, pid: 0)
    }

    /// Gives the lock back.
    public func release() {
        unlink(path)
        Cleanup.shared.forget(path)
    }

    /// The process id written in the lock file at `path` (0 when unreadable).
    static func owner(of path: String) -> Int32 {
        let fd = open(path, O_RDONLY | O_NONBLOCK)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 32)
        let n = read(fd, &bytes, bytes.count)
        guard n > 0 else { return 0 }
        return Int32(String(decoding: bytes[..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }
}
