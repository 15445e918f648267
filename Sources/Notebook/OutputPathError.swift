/// Why a file a notebook cell would write is refused.
public enum OutputPathError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty(option: String)
    case absolute(String)
    case parent(String)
    case directory(String)
    case symlink(path: String, component: String)
    case wrongExtension(path: String, option: String, expected: String)
    case input(String)
    case missingValue(String)
    case groupedShortOption(String)

    public var description: String {
        switch self {
        case .empty(let option): return "\(option) names an empty path"
        case .absolute(let path):
            return "output path \(path) is absolute; a notebook writes only inside its own folder (use a relative path)"
        case .parent(let path):
            return "output path \(path) uses `..`; a notebook writes only inside its own folder"
        case .directory(let path): return "output path \(path) names a folder, not a file"
        case .symlink(let path, let component):
            return "output path \(path) goes through the symbolic link \(component); a notebook writes only inside its own folder"
        case .wrongExtension(let path, let option, let expected):
            return "output path \(path) does not end in .\(expected), which \(option) writes"
        case .input(let path): return "output path \(path) is an input of this run (a notebook); refusing to overwrite it"
        case .missingValue(let option): return "\(option) is the last word: it needs a file"
        case .groupedShortOption(let word):
            return "\(word) groups short options with an output option; write the output option as its own word"
        }
    }
}
