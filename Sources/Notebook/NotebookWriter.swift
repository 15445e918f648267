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
    /// Replaces the contents of the file at `path` with `data` if it still holds `original`.
    public static func replace(_ path: String, with data: Data, original: Data) throws(NotebookWriteError) {
        let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        guard FileManager.default.contents(atPath: target) == original else { throw .changed(path) }
        var info = stat()
        guard stat(target, &info) == 0 else { throw .system(path: target, call: "stat", errno: errno) }
        do throws(OutputFileError) {
            if info.st_nlink > 1 {
                try FileWriting.write(data, to: target, flags: O_WRONLY | O_TRUNC, mode: info.st_mode & 0o7777)
            } else {
                try FileWriting.replace(target, with: data)
            }
        } catch {
            guard case .system(let file, let call, let code) = error else { throw .system(path: target, call: "write", errno: EIO) }
            throw .system(path: file, call: call, errno: code)
        }
    }
}
