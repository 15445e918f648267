import Foundation

/// Keeps the files a notebook's cells write inside the notebook's folder: no absolute paths,
/// no `..`, no symbolic links on the way, the extension the option writes, and never an input
/// of the run (the notebook itself).
public struct OutputConfinement: Sendable {
    /// The notebook's folder.
    public let folder: URL
    /// Real paths of the files no cell may write.
    let inputs: Set<String>

    /// Confines writes to `folder`, protecting `inputs` (the notebooks of the run).
    public init(folder: URL, inputs: [URL]) {
        self.folder = folder.standardizedFileURL
        self.inputs = Set(inputs.map { $0.standardizedFileURL.resolvingSymlinksInPath().path })
    }

    /// `path` as a relative path of plain names (`./a//b.svg` → `a/b.svg`), or the reason it
    /// could leave the folder. Purely lexical, and on bytes as the file system reads them: a
    /// combining mark after `/` joins it into one `Character`, which must not hide a separator.
    public static func normalized(_ path: String, option: String) throws(OutputPathError) -> String {
        let bytes = Array(path.utf8)
        let slash = UInt8(ascii: "/"), dot = UInt8(ascii: ".")
        guard !bytes.isEmpty else { throw .empty(option: option) }
        guard bytes[0] != slash, bytes[0] != UInt8(ascii: "~") else { throw .absolute(path) }
        guard !bytes.contains(0) else { throw .directory(path) }
        let parts = bytes.split(separator: slash, omittingEmptySubsequences: true).filter { !$0.elementsEqual([dot]) }
        guard !parts.contains(where: { $0.elementsEqual([dot, dot]) }) else { throw .parent(path) }
        guard !parts.isEmpty, bytes.last != slash, !bytes.reversed().starts(with: [dot, slash]) else { throw .directory(path) }
        return parts.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "/")
    }

    /// Checks `written` against the folder on disk and returns its normalized relative path.
    public func check(_ written: WrittenPath) throws(OutputPathError) -> String {
        let option = written.option.names.first ?? "output"
        let relative = try OutputConfinement.normalized(written.path, option: option)
        if let ext = written.option.fileExtension, !relative.lowercased().utf8.reversed().starts(with: ("." + ext.lowercased()).utf8.reversed()) {
            throw .wrongExtension(path: written.path, option: option, expected: ext)
        }
        var current = folder.path
        for part in relative.utf8.split(separator: UInt8(ascii: "/")).map({ String(decoding: $0, as: UTF8.self) }) {
            current += "/" + part
            var info = stat()
            guard lstat(current, &info) == 0 else { break }
            if info.st_mode & S_IFMT == S_IFLNK { throw .symlink(path: written.path, component: String(part)) }
        }
        let target = folder.appendingPathComponent(relative)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: target.path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw .directory(written.path)
        }
        if inputs.contains(target.resolvingSymlinksInPath().path) || isHardLinkToInput(target.path) {
            throw .input(written.path)
        }
        return relative
    }

    /// Whether `path` exists and is the same file (device and inode) as an input.
    func isHardLinkToInput(_ path: String) -> Bool {
        var candidate = stat()
        guard stat(path, &candidate) == 0 else { return false }
        return inputs.contains { input in
            var info = stat()
            return stat(input, &info) == 0 && info.st_dev == candidate.st_dev && info.st_ino == candidate.st_ino
        }
    }
}
