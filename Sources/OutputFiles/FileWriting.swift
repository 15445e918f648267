import Foundation

/// Writing a file's bytes: in place, or atomically through a temporary file beside it.
public enum FileWriting {
    /// The prefix of temporary files, followed by the writer's process id (so
    /// ``Cleanup/removeStale(in:prefix:)`` finds those of killed processes).
    public static let temporaryPrefix = ".analyze-tmp-"

    /// Writes `data` to a temporary file beside `target` (registered with ``Cleanup`` until
    /// renamed), with `target`'s permissions when it exists, syncs it and renames it over
    /// `target`.
    public static func replace(_ target: String, with data: Data) throws(OutputFileError) {
        let temporary = folder(of: target) + "/" + temporaryPrefix + "\(getpid())-\(UUID().uuidString)"
        var info = stat()
        let mode: mode_t? = stat(target, &info) == 0 ? info.st_mode & 0o7777 : nil
        Cleanup.shared.remember(temporary)
        defer { Cleanup.shared.forget(temporary) }
        do throws(OutputFileError) {
            try write(data, to: temporary, flags: O_WRONLY | O_CREAT | O_EXCL, mode: mode)
            guard rename(temporary, target) == 0 else { throw .system(path: target, call: "rename", errno: errno) }
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Writes all of `data` to `path` opened with `flags` (new files 0666 less the umask),
    /// sets `mode` when given and syncs.
    public static func write(_ data: Data, to path: String, flags: Int32, mode: mode_t?) throws(OutputFileError) {
        let fd = open(path, flags, 0o666)
        guard fd >= 0 else { throw .system(path: path, call: "open", errno: errno) }
        defer { close(fd) }
        if let mode, fchmod(fd, mode) != 0 { throw .system(path: path, call: "chmod", errno: errno) }
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

    /// The folder part of `path` (`.` for a bare name), split on bytes.
    public static func folder(of path: String) -> String {
        let bytes = Array(path.utf8)
        guard let slash = bytes.lastIndex(of: UInt8(ascii: "/")) else { return "." }
        return slash == 0 ? "/" : String(decoding: bytes[..<slash], as: UTF8.self)
    }
}
