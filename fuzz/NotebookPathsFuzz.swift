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
        for made in plan.folders { precondition(made.path.hasPrefix(folder.path + "/"), "folder \(made.path) outside") }
    }
    var redirect = OutputRedirect(scratch: scratch)
    for _ in 0..<2 {
        guard let plan = try? redirect.plan(words, outputs: outputs, defaults: defaults, confinement: confinement) else { break }
        for relative in plan.written { inside(relative, folder) }
        for made in plan.folders { precondition(made.path.hasPrefix(scratch.path + "/"), "folder \(made.path) outside the scratch") }
        for (old, new) in zip(words, plan.arguments) where old != new {
            let value = new.hasPrefix("-") && new.contains("=") ? String(new[new.index(after: new.firstIndex(of: "=")!)...]) : new
            precondition(value.hasPrefix(scratch.path + "/"), "rewritten argument \(new) is outside the scratch folder")
            inside(String(value.dropFirst(scratch.path.count + 1)), scratch)
        }
    }
    return 0
}

/// Fails unless `relative` is a relative path of plain names that stays inside `folder`.
func inside(_ relative: String, _ folder: URL) {
    let parts = relative.split(separator: "/", omittingEmptySubsequences: false)
    precondition(!relative.hasPrefix("/") && !parts.contains("..") && !parts.contains(".") && !parts.contains(""),
                 "path \(relative) is not plain")
    let resolved = folder.appendingPathComponent(relative).standardizedFileURL.path
    precondition(resolved.hasPrefix(folder.path + "/"), "path \(relative) leaves \(folder.path)")
}
