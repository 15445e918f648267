import Foundation

/// libFuzzer entry point for the notebook runner's path handling: any command line (split as a
/// notebook cell is) either has its written files refused or confined. Every accepted written
/// path is a relative path of plain names inside the notebook's folder, and in `check` mode
/// every rewritten argument points inside the scratch folder.
///
/// Compiled into one module with the `Notebook` sources by `fuzz/build.sh`.
@_cdecl("LLVMFuzzerTestOneInput")
public func notebookPathsFuzz(_ start: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: start, count: size), as: UTF8.self)
    guard let words = try? commandWords(text), !words.isEmpty else { return 0 }
    let outputs = CommandOutputs(outputs: [OutputOption(names: ["--plot"], fileExtension: "svg"),
                                           OutputOption(names: ["--output", "-o"], fileExtension: "safetensors"),
                                           OutputOption(names: ["--csv"], fileExtension: nil)],
                                 valueOptions: ["--n", "--target", "--experts", "-k"])
    let folder = URL(fileURLWithPath: "/nonexistent-fuzz/notebooks")
    let scratch = URL(fileURLWithPath: "/nonexistent-fuzz/scratch")
    let confinement = OutputConfinement(folder: folder, inputs: [folder.appendingPathComponent("nb.md")])
    let defaults = words.count % 2 == 0 ? [DefaultOutput(option: outputs.outputs[0], path: words[words.count / 2])] : []
    guard let written = try? outputs.writtenPaths(Array(words.dropFirst())) else { return 0 }
    for path in written {
        precondition(words[path.index + 1] == path.prefix + path.path, "written path is not where it was found")
        guard let relative = try? OutputConfinement.normalized(path.path, option: "--plot") else { continue }
        inside(relative, folder)
    }
    var place = OutputRedirect(scratch: nil)
    if let plan = try? place.plan(words, outputs: outputs, defaults: defaults, confinement: confinement) {
        precondition(plan.arguments == words, "run mode changed the arguments")
        for relative in plan.written { inside(relative, folder) }
        for made in plan.folders { precondition(made.path.utf8.starts(with: (folder.path + "/").utf8), "folder \(made.path) outside") }
    }
    var redirect = OutputRedirect(scratch: scratch)
    for _ in 0..<2 {
        guard let plan = try? redirect.plan(words, outputs: outputs, defaults: defaults, confinement: confinement) else { break }
        for relative in plan.written { inside(relative, folder) }
        for made in plan.folders { precondition(made.path.utf8.starts(with: (scratch.path + "/").utf8), "folder \(made.path) outside the scratch") }
        for (old, new) in zip(words, plan.arguments) where old != new {
            let value = optionAndValue(new)?.value ?? new
            precondition(value.utf8.starts(with: (scratch.path + "/").utf8), "rewritten argument \(new) is outside the scratch folder")
            inside(String(decoding: value.utf8.dropFirst(scratch.path.utf8.count + 1), as: UTF8.self), scratch)
        }
    }
    return 0
}

/// Fails unless `relative` is a relative path of plain names that stays inside `folder`, judged
/// on bytes as the file system reads them.
func inside(_ relative: String, _ folder: URL) {
    let parts = relative.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
    precondition(relative.utf8.first != UInt8(ascii: "/") && !parts.contains { $0.elementsEqual("..".utf8) }
                 && !parts.contains { $0.elementsEqual(".".utf8) } && !parts.contains { $0.isEmpty },
                 "path \(relative) is not plain")
    let resolved = folder.appendingPathComponent(relative).standardizedFileURL.path
    precondition(resolved.utf8.starts(with: (folder.path + "/").utf8), "path \(relative) leaves \(folder.path)")
}
