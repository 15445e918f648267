import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Random access to the bytes of a file, as the lazy safetensors reader needs it:
/// the size, then exactly the byte ranges asked for. Tests wrap a source to count or
/// refuse reads.
public protocol ByteSource: Sendable {
    /// A name for error messages (the path, for a file).
    var name: String { get }
    /// Total size in bytes.
    var size: Int { get }
    /// Exactly the bytes of `range`, which lies inside `0..<size`.
    func read(_ range: Range<Int>) throws(CheckpointError) -> [UInt8]
}

/// A file read with `pread`: no whole-file load, no shared file position, so
/// concurrent reads are safe. The descriptor closes when the last reference goes.
public final class FileByteSource: ByteSource, @unchecked Sendable {
    public let name: String
    public let size: Int
    private let descriptor: Int32

    /// Opens `path` for reading.
    public init(path: String) throws(CheckpointError) {
        name = path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
        var status = stat()
        guard fstat(fd, &status) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw .unreadable(path: path, reason: reason)
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw .unreadable(path: path, reason: "not a regular file")
        }
        descriptor = fd
        size = Int(status.st_size)
    }

    deinit { close(descriptor) }

    public func read(_ range: Range<Int>) throws(CheckpointError) -> [UInt8] {
        guard range.lowerBound >= 0, range.upperBound <= size else {
            throw .unreadable(path: name, reason: "byte range \(range) outside the \(size)-byte file")
        }
        var bytes = [UInt8](repeating: 0, count: range.count)
        var done = 0
        while done < range.count {
            let n = bytes.withUnsafeMutableBytes { buffer in
                pread(descriptor, buffer.baseAddress! + done, range.count - done, off_t(range.lowerBound + done))
            }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let reason = n == 0 ? "file ended at byte \(range.lowerBound + done) (truncated while open?)"
                    : String(cString: strerror(errno))
                throw .unreadable(path: name, reason: reason)
            }
            done += n
        }
        return bytes
    }
}
