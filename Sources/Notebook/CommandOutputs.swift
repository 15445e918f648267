/// An option whose value is a file the command writes (`--plot FILE.svg`, `-o FILE`).
public struct OutputOption: Sendable, Equatable, Hashable {
    /// Every spelling of the option: `--output`, `-o`.
    public let names: [String]
    /// The extension of the file written (`svg`), nil when the command writes whatever it is given.
    public let fileExtension: String?

    public init(names: [String], fileExtension: String?) {
        self.names = names
        self.fileExtension = fileExtension
    }
}

/// How one subcommand's arguments name the files it writes, taken from its option definitions.
public struct CommandOutputs: Sendable, Equatable {
    /// The options whose values are written files.
    public let outputs: [OutputOption]
    /// Every spelling of every option that takes a value (the output options included), so that
    /// an option's value is never mistaken for an option.
    public let valueOptions: Set<String>

    public init(outputs: [OutputOption], valueOptions: Set<String>) {
        self.outputs = outputs
        self.valueOptions = valueOptions.union(outputs.flatMap(\.names))
    }

    /// The output option spelled `name`, if any.
    func output(named name: String) -> OutputOption? {
        outputs.first { $0.names.contains(name) }
    }

    /// The files `arguments` (the words after the subcommand's name) write, read as
    /// ArgumentParser reads them: `--out FILE`, `--out=FILE`, `-o FILE`, `-o=FILE`; everything
    /// after `--` is positional. A group of short flags that holds an output option
    /// (`-vo FILE`) is refused, since which word is the file depends on the parser.
    public func writtenPaths(_ arguments: [String]) throws(OutputPathError) -> [WrittenPath] {
        var paths: [WrittenPath] = []
        var i = 0
        while i < arguments.count {
            let word = arguments[i]
            if word == "--" { break }
            let scalars = word.unicodeScalars
            guard scalars.first == "-", scalars.count > 1 else { i += 1; continue }
            let split = optionAndValue(word)
            let name = split?.name ?? word, inline = split?.value
            let nameScalars = Array(name.unicodeScalars)
            if nameScalars.count > 2, nameScalars[1] != "-",
               nameScalars.dropFirst().contains(where: { output(named: "-" + String($0)) != nil }) {
                throw .groupedShortOption(word)
            }
            guard valueOptions.contains(name) else { i += 1; continue }
            let option = output(named: name)
            if let inline {
                if let option { paths.append(WrittenPath(index: i, prefix: name + "=", path: inline, option: option)) }
                i += 1
            } else {
                if let option {
                    guard i + 1 < arguments.count else { throw .missingValue(name) }
                    paths.append(WrittenPath(index: i + 1, prefix: "", path: arguments[i + 1], option: option))
                }
                i += 2
            }
        }
        return paths
    }
}

/// A file a command's arguments write: `arguments[index]` is `prefix + path`.
public struct WrittenPath: Sendable, Equatable {
    /// The index of the word holding the path.
    public let index: Int
    /// What comes before the path in that word (`--out=`), empty when the path is the whole word.
    public let prefix: String
    /// The path as written.
    public let path: String
    /// The option that writes it.
    public let option: OutputOption
}

/// `--option=value` split at its first `=` scalar into `("--option", "value")`; nil for a word
/// that is no option or has no `=`. Scalars, not `Character`s: a combining mark after `=`
/// must not hide it.
func optionAndValue(_ word: String) -> (name: String, value: String)? {
    let scalars = word.unicodeScalars
    guard scalars.first == "-", let equals = scalars.firstIndex(of: "=") else { return nil }
    return (String(scalars[..<equals]), String(scalars[scalars.index(after: equals)...]))
}
