import Foundation
import OutputFiles

/// Why a notebook could not be rewritten.
public enum NotebookWriteError: Error, Equatable, Sendable, CustomStringConvertible {
    case changed(String)
    case system(path: String, call: String, errno: Int32)

    public var description: String {
        switch self {
        case .changed(let path):
            return "\(path) changed while its commands ran; not overwriting the edits (run it again)"
        case .system(let path, let call, let code):
            return "\(call) \(path): \(String(cString: strerror(code)))"
        }
    }
}

/// Rewrites a notebook safely: only when the file still holds what was read, through a symbolic
/// link to its target, keeping the target's permissions.
///
/// A file with one link is replaced atomically (a complete temporary copy beside it, renamed
/// over it). A file with several hard links is written in place, after the new text is
/// complete, so every link sees the new text; an interruption during that write can leave it
/// truncated.
public enum NotebookWriter {
    /// The prefix of temporary files beside a notebook, followed by the writer's process id.
    public static let temporaryPrefix = ".analyze-notebook-tmp-"

    /// Replaces the contents of the file at `path` with `data` if it still holds `original`.
    public static func replace(_ path: String, with data: Data, original: Data) throws(NotebookWriteError) {
        let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        guard FileManager.default.contents(atPath: target) == original else { throw .changed(path) }
        var info = stat()
        guard stat(target, &info) == 0 else { throw .system(path: target, call: "stat", errno: errno) }
        let mode = info.st_mode & 0o7777
        if info.st_nlink > 1 {
            try write(data, to: target, flags: O_WRONLY | O_TRUNC, mode: mode)
            return
        }
        let folder = (target as NSString).deletingLastPathComponent
        let temporary = folder + "/" + temporaryPrefix + "\(getpid())-\(UUID().uuidString)"
        Cleanup.shared.remember(temporary)
        defer { Cleanup.shared.forget(temporary) }
        do throws(NotebookWriteError) {
            try write(data, to: temporary, flags: O_WRONLY | O_CREAT | O_EXCL, mode: mode)
            guard rename(temporary, target) == 0 else { throw .system(path: target, call: "rename", errno: errno) }
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Writes all of `data` to `path` opened with `flags`, sets `mode` and syncs.
    static func write(_ data: Data, to path: String, flags: Int32, mode: mode_t) throws(NotebookWriteError) {
        let fd = open(path, flags, mode)
        guard fd >= 0 else { throw .system(path: path, call: "open", errno: errno) }
        defer { close(fd) }
        guard fchmod(fd, mode) == 0 else { throw .system(path: path, call: "chmod", errno: errno) }
        var offset = 0
        let failure: Int32? = data.withUnsafeBytes { buffer in
            while offset < buffer.count {
                let n = Foundation.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 { if errno == EINTR { continue }; return errno }
                offset += n
            }
            return nil
        }
        if let failure { throw .system(path: path, call: "write", errno: failure) }
        guard fsync(fd) == 0 else { throw .system(path: path, call: "fsync", errno: errno) }
    }
}
