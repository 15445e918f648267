import Foundation

/// A file a command will write: the option naming it, the path given, and the extension the
/// command writes (nil: any).
public struct PlannedOutput: Sendable, Equatable {
    public let option: String
    public let path: String
    public let fileExtension: String?

    public init(option: String, path: String, fileExtension: String?) {
        self.option = option
        self.path = path
        self.fileExtension = fileExtension
    }
}

/// Every file a command writes, checked before the command does any work, then written
/// atomically.
///
/// The checks: the path names a file (not a folder, a FIFO or a device) in a folder that exists
/// and is writable, ends in the extension written, is none of the command's inputs (same device
/// and inode, so symbolic and hard links count) and no other output of the same command. Each
/// output is locked (``FileLock``) until it is written, so a second command writing the same
/// file fails at once. A write goes to a temporary file in the same folder (removed on SIGINT
/// and SIGTERM, and by the next run when a killed one left it; ``FileWriting``), is synced
/// and renamed over the target; replacing a previous output is allowed, and a symbolic link
/// is written through.
public final class OutputPlan: @unchecked Sendable {
    /// The planned outputs with the real paths they are written to.
    public let outputs: [(output: PlannedOutput, target: String)]
    private var locks: [String: FileLock] = [:]

    /// Checks `outputs` against each other and against `inputs` (files, or folders whose files
    /// are all inputs) and locks them; installs the SIGINT/SIGTERM cleanup.
    public init(_ outputs: [PlannedOutput], inputs: [String]) throws(OutputFileError) {
        var checked: [(output: PlannedOutput, target: String)] = []
        let inputFiles = OutputPlan.identities(of: inputs)
        for output in outputs {
            let target = try OutputPlan.check(output)
            if let id = FileIdentity(path: target), let input = inputFiles.first(where: { $0.identity == id }) {
                throw .input(option: output.option, path: output.path, input: input.path)
            }
            if let earlier = checked.first(where: { $0.target == target || OutputPlan.sameFile($0.target, target) }) {
                throw .sameFile(option: earlier.output.option, other: output.option, path: output.path)
            }
            checked.append((output, target))
        }
        self.outputs = checked
        guard !checked.isEmpty else { return }
        Cleanup.shared.installSignalHandlers()
        do throws(OutputFileError) {
            for (_, target) in checked {
                Cleanup.removeStale(in: URL(fileURLWithPath: FileWriting.folder(of: target)), prefix: FileWriting.temporaryPrefix)
                locks[target] = try FileLock(for: target)
            }
        } catch {
            for lock in locks.values { lock.release() }
            locks = [:]
            throw error
        }
    }

    deinit {
        for lock in locks.values { lock.release() }
    }

    /// Writes `data` as the output of `option` (as planned), atomically, and releases its lock.
    public func write(_ data: Data, for option: String) throws(OutputFileError) {
        guard let target = outputs.first(where: { $0.output.option == option })?.target else {
            preconditionFailure("\(option) was not planned")
        }
        try FileWriting.replace(target, with: data)
        locks.removeValue(forKey: target)?.release()
    }

    /// The real path `output` is written to, or why it may not be.
    static func check(_ output: PlannedOutput) throws(OutputFileError) -> String {
        let option = output.option, path = output.path
        guard !path.isEmpty else { throw .empty(option: option) }
        let name = OutputPlan.name(of: path)
        guard !name.isEmpty, name != ".", name != ".." else { throw .directory(option: option, path: path) }
        var target = OutputPlan.resolvedFolder(FileWriting.folder(of: path)).map { $0 + "/" + name }
        var info = stat()
        if let t = target, lstat(t, &info) == 0, info.st_mode & S_IFMT == S_IFLNK {
            guard let real = realpath(t, nil) else { throw .danglingLink(option: option, path: path, errno: errno) }
            target = String(cString: real)
            free(real)
        }
        if let t = target, stat(t, &info) == 0 {
            let kind = info.st_mode & S_IFMT
            if kind == S_IFDIR { throw .directory(option: option, path: path) }
            if kind != S_IFREG { throw .notRegular(option: option, path: path, kind: OutputPlan.kindName(kind)) }
        }
        if let ext = output.fileExtension, !name.lowercased().hasSuffix("." + ext.lowercased()) {
            throw .wrongExtension(option: option, path: path, expected: ext)
        }
        guard let target else { throw .noFolder(option: option, path: path, folder: FileWriting.folder(of: path)) }
        let folder = FileWriting.folder(of: target)
        guard access(folder, W_OK | X_OK) == 0 else { throw .notWritable(option: option, path: path, folder: folder) }
        return target
    }

    /// The last part of `path` (empty when it ends in `/`).
    static func name(of path: String) -> String {
        let bytes = Array(path.utf8)
        guard let slash = bytes.lastIndex(of: UInt8(ascii: "/")) else { return path }
        return String(decoding: bytes[(slash + 1)...], as: UTF8.self)
    }

    /// The real path of the folder `folder`, or nil when it is not an existing folder.
    static func resolvedFolder(_ folder: String) -> String? {
        guard let real = realpath(folder, nil) else { return nil }
        defer { free(real) }
        var info = stat()
        guard stat(real, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { return nil }
        let text = String(cString: real)
        return text == "/" ? "" : text
    }

    /// Whether `a` and `b` exist and are the same file.
    static func sameFile(_ a: String, _ b: String) -> Bool {
        guard let x = FileIdentity(path: a), let y = FileIdentity(path: b) else { return false }
        return x == y
    }

    /// The files of `inputs` with their identities; a folder stands for the files in it.
    static func identities(of inputs: [String]) -> [(path: String, identity: FileIdentity)] {
        var result: [(path: String, identity: FileIdentity)] = []
        for input in inputs {
            var info = stat()
            guard stat(input, &info) == 0 else { continue }
            if info.st_mode & S_IFMT == S_IFDIR {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: input)) ?? []
                for name in names {
                    let path = input + "/" + name
                    if let id = FileIdentity(path: path) { result.append((path, id)) }
                }
            } else if let id = FileIdentity(path: input) {
                result.append((input, id))
            }
        }
        return result
    }

    static func kindName(_ kind: mode_t) -> String {
        switch kind {
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        default: return "a special file"
        }
    }
}

/// A file's device and inode.
struct FileIdentity: Equatable {
    let device: UInt64
    let inode: UInt64

    /// The identity of the file at `path` (after symbolic links), or nil when there is none.
    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }
}
