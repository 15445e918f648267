import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Random access to the bytes of a file, as the safetensors reader needs it: the size,
/// then exactly the byte ranges asked for. Tests wrap a source to count or refuse reads.
public protocol ByteSource: Sendable {
    /// A name for error messages (the path, for a file).
    var name: String { get }
    /// Total size in bytes.
    var size: Int { get }
    /// Exactly the bytes of `range`, which lies inside `0..<size`.
    func read(_ range: Range<Int>) throws(CheckpointError) -> [UInt8]
}

/// A regular file read with `pread`: no whole-file load, no shared file position, so
/// concurrent reads are safe. The descriptor closes when the last reference goes.
///
/// Opening never blocks: the file is opened with `O_NONBLOCK` (a FIFO with no writer would
/// otherwise wait forever) and then checked with `fstat`, so a FIFO, a device, a socket or
/// a directory is refused by name before any byte is read.
public final class FileByteSource: ByteSource, @unchecked Sendable {
    public let name: String
    public let size: Int
    private let descriptor: Int32

    /// Opens `path` for reading; only regular files (or symbolic links to one) are accepted.
    public init(path: String) throws(CheckpointError) {
        name = path
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT { throw .notFound(path: path) }
            throw .unreadable(path: path, reason: String(cString: strerror(code)))
        }
        var status = stat()
        guard fstat(fd, &status) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw .unreadable(path: path, reason: reason)
        }
        let kind = status.st_mode & S_IFMT
        guard kind == S_IFREG else {
            close(fd)
            throw .notRegularFile(path: path, kind: FileByteSource.kindName(kind))
        }
        descriptor = fd
        size = Int(status.st_size)
    }

    deinit { close(descriptor) }

    /// The file kind of an `st_mode & S_IFMT` value, in words.
    static func kindName(_ kind: mode_t) -> String {
        switch kind {
        case S_IFDIR: return "a directory"
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        default: return "not a regular file"
        }
    }

    public func read(_ range: Range<Int>) throws(CheckpointError) -> [UInt8] {
        guard range.lowerBound >= 0, range.upperBound <= size else {
            throw .unreadable(path: name, reason: "byte range \(range) outside the \(size)-byte file")
        }
        // Uninitialised storage: pread fills every byte or the read fails (no 100 MB memset per tensor).
        var failure: CheckpointError?
        let bytes = [UInt8](unsafeUninitializedCapacity: range.count) { buffer, count in
            var done = 0
            while done < range.count {
                let n = pread(descriptor, buffer.baseAddress! + done, range.count - done, off_t(range.lowerBound + done))
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else {
                    let reason = n == 0 ? "file ended at byte \(range.lowerBound + done) (truncated while open?)"
                        : String(cString: strerror(errno))
                    failure = .unreadable(path: name, reason: reason)
                    break
                }
                done += n
            }
            count = failure == nil ? range.count : 0
        }
        if let failure { throw failure }
        return bytes
    }
}

extension ByteSource {
    /// All the bytes, refused before reading when ``size`` (from `fstat`, for a file) is more
    /// than `limit`.
    public func readAll(limit: Int) throws(CheckpointError) -> [UInt8] {
        guard size <= limit else { throw .fileTooLarge(path: name, size: size, limit: limit) }
        return try read(0..<size)
    }
}

/// Bytes already in memory as a ``ByteSource`` (``SafeTensorsFile/init(data:)``, tests, fuzzing).
public struct MemoryByteSource: ByteSource {
    public let name: String
    public let bytes: [UInt8]
    public var size: Int { bytes.count }

    public init(name: String = "in-memory data", bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
    }

    public func read(_ range: Range<Int>) throws(CheckpointError) -> [UInt8] {
        guard range.lowerBound >= 0, range.upperBound <= bytes.count else {
            throw .unreadable(path: name, reason: "byte range \(range) outside the \(bytes.count) bytes")
        }
        return Array(bytes[range])
    }
}
