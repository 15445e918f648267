import Foundation

/// A file a command writes when its output option is left out (`compare` writes
/// `compare-TASK.svg` without `--plot`).
public struct DefaultOutput: Sendable, Equatable {
    public let option: OutputOption
    public let path: String

    public init(option: OutputOption, path: String) {
        self.option = option
        self.path = path
    }
}

/// A cell's arguments ready to run, and the folders its files go to.
public struct CellPlan: Sendable, Equatable {
    /// The arguments after `analyze`, written files placed.
    public let arguments: [String]
    /// The written files, relative to the notebook's folder.
    public let written: [String]
    /// Folders to create before the command runs (inside the notebook's or the scratch folder).
    public let folders: [URL]
}

/// Decides where the files a notebook's cells write go: beside the notebook (`run`) or into a
/// scratch folder (`check`), where later cells that read them find them too.
public struct OutputRedirect: Sendable {
    /// The scratch folder, nil to write in place.
    public let scratch: URL?
    /// Relative paths sent to the scratch folder so far.
    var redirected: Set<String> = []

    public init(scratch: URL?) {
        self.scratch = scratch?.standardizedFileURL
    }

    /// Checks every file `arguments` (after the subcommand's name is `arguments[1]`) would
    /// write, explicit or `defaults`, and places them: in place, or in the scratch folder
    /// with defaults made explicit, together with later mentions of files sent there before.
    public mutating func plan(_ arguments: [String], outputs: CommandOutputs, defaults: [DefaultOutput],
                              confinement: OutputConfinement) throws(OutputPathError) -> CellPlan {
        let explicit = try outputs.writtenPaths(Array(arguments.dropFirst()))
        var words = arguments
        var written: [String] = []
        for path in explicit {
            let relative = try confinement.check(path)
            written.append(relative)
            if let scratch {
                words[path.index + 1] = path.prefix + scratch.appendingPathComponent(relative).path
            }
        }
        for fallback in defaults {
            let path = WrittenPath(index: words.count, prefix: "", path: fallback.path, option: fallback.option)
            let relative = try confinement.check(path)
            written.append(relative)
            if let scratch, let name = fallback.option.names.first {
                words += [name, scratch.appendingPathComponent(relative).path]
            }
        }
        let rewritten = Set(explicit.map { $0.index + 1 })
        if let scratch {
            for i in words.indices.dropFirst() where !rewritten.contains(i) {
                words[i] = readPath(words[i], scratch: scratch)
            }
            redirected.formUnion(written)
        }
        let base = scratch ?? confinement.folder
        // Not NSString.deletingLastPathComponent: swift-corelibs-foundation traps on a
        // one-character path (found by fuzz/NotebookPathsFuzz.swift).
        let folders = Set(written.compactMap { relative -> String? in
            let parts = relative.utf8.split(separator: UInt8(ascii: "/"))
            return parts.count > 1 ? parts.dropLast().map { String(decoding: $0, as: UTF8.self) }.joined(separator: "/") : nil
        }).sorted().map { base.appendingPathComponent($0) }
        return CellPlan(arguments: words, written: written, folders: folders)
    }

    /// `word` pointing into the scratch folder when it names (or `--option=` names) a file an
    /// earlier cell sent there.
    func readPath(_ word: String, scratch: URL) -> String {
        let (prefix, value) = optionAndValue(word).map { ($0.name + "=", $0.value) } ?? ("", word)
        guard let relative = try? OutputConfinement.normalized(value, option: ""), redirected.contains(relative) else {
            return word
        }
        return prefix + scratch.appendingPathComponent(relative).path
    }

    /// `text` with the scratch folder's prefix removed, so output reads as it does in place.
    public func unscratched(_ text: String) -> String {
        guard let scratch else { return text }
        return text.replacingOccurrences(of: scratch.path + "/", with: "")
    }
}
