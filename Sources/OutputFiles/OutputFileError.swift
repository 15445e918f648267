import Foundation

/// Why a file a command would write is refused, or could not be written.
public enum OutputFileError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty(option: String)
    case wrongExtension(option: String, path: String, expected: String)
    case directory(option: String, path: String)
    case notRegular(option: String, path: String, kind: String)
    case danglingLink(option: String, path: String, errno: Int32)
    case noFolder(option: String, path: String, folder: String)
    case notWritable(option: String, path: String, folder: String)
    case input(option: String, path: String, input: String)
    case sameFile(option: String, other: String, path: String)
    case busy(path: String, lock: String, pid: Int32)
    case system(path: String, call: String, errno: Int32)

    public var description: String {
        switch self {
        case .empty(let option): return "\(option) names an empty path"
        case .wrongExtension(let option, let path, let expected):
            return "\(option) \(path): \(option) writes .\(expected) only; name the file *.\(expected)"
        case .directory(let option, let path): return "\(option) \(path) is a folder; give a file name"
        case .notRegular(let option, let path, let kind):
            return "\(option) \(path) is \(kind), not a regular file; refusing to replace it"
        case .danglingLink(let option, let path, let code):
            return "\(option) \(path) is a symbolic link that does not lead to a file (\(String(cString: strerror(code))))"
        case .noFolder(let option, let path, let folder):
            return "\(option) \(path): the folder \(folder) does not exist"
        case .notWritable(let option, let path, let folder):
            return "\(option) \(path): the folder \(folder) is not writable"
        case .input(let option, let path, let input):
            return "\(option) \(path) is the same file as the input \(input); refusing to overwrite it"
        case .sameFile(let option, let other, let path):
            return "\(option) and \(other) both name \(path); give each output its own file"
        case .busy(let path, let lock, let pid):
            return "\(path) is being written by process \(pid) (lock file \(lock)); wait for it, or remove the lock if that process is gone"
        case .system(let path, let call, let code):
            return "\(call) \(path): \(String(cString: strerror(code)))"
        }
    }
}
