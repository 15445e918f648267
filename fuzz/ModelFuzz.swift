import Foundation
import LinearAlgebra
import MoE

/// libFuzzer entry point for model directories: one input is a whole directory, its files
/// separated by the line `@@FILE@@` in the order of ``ModelFuzzFiles/names`` (an empty part
/// is an absent file), served from memory through ``ModelLayout``'s opener.
///
/// Compiled into one module with Checkpoint's sources by `fuzz/build.sh` (MoE and LinearAlgebra
/// as static libraries). Beyond "no trap", it checks: every error's text is one line with no
/// control characters; a layout's sources are the router, three weights per expert and the
/// shared expert's; loaded weights have the configuration's shapes, are finite, and stay within
/// the budget of 2^22 bytes handed to `parameters`.
@_cdecl("LLVMFuzzerTestOneInput")
public func modelFuzz(_ start: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let files = ModelFuzzFiles.split(Array(UnsafeBufferPointer(start: start, count: size)))
    let open: ByteSourceOpener = { path throws(CheckpointError) in
        let name = String(path.split(separator: "/").last ?? "")
        guard let bytes = files[name] else { throw .notFound(path: path) }
        return MemoryByteSource(name: path, bytes: bytes)
    }
    let model: ModelLayout
    do { model = try ModelLayout(directory: ModelFuzzFiles.directory, open: open) } catch {
        checkText(error.description)
        return 0
    }
    for layer in (0..<min(model.config.layers, 4)) where model.config.denseReason(layer: layer) == nil {
        do {
            let layout = try model.layout(layer: layer)
            let c = model.config
            let expected = 1 + 3 * c.experts + (c.sharedFF > 0 ? 3 : 0) + (c.sharedGate ? 1 : 0)
            precondition(layout.sources.count == expected, "layer \(layer): \(layout.sources.count) sources, expected \(expected)")
            let budget = 1 << 22
            let p: Parameters<Float> = try model.parameters(layer: layer, budget: budget)
            var bytes = 0
            for (name, shape) in p.config.parameterShapes {
                precondition(p[name].shape == shape, "'\(name)' has shape \(p[name].shape), expected \(shape)")
                precondition(p[name].data.allSatisfy(\.isFinite), "'\(name)' holds a non-finite value")
                bytes += p[name].data.count * MemoryLayout<Float>.size
            }
            precondition(bytes <= budget, "loaded \(bytes) bytes past the budget of \(budget)")
        } catch {
            checkText(error.description)
        }
    }
    return 0
}

/// An error message: not empty, one line, no control characters.
private func checkText(_ text: String) {
    precondition(!text.isEmpty, "empty error message")
    precondition(!text.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) },
                 "control character in: \(text.debugDescription)")
}

/// The files of a fuzz input.
enum ModelFuzzFiles {
    static let directory = "/fuzz-model"
    static let names = ["config.json", "model.safetensors.index.json", "model.safetensors",
                        "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"]
    static let separator = Array("\n@@FILE@@\n".utf8)

    /// The input cut at each separator; part i is file `names[i]`, absent when empty.
    static func split(_ bytes: [UInt8]) -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:], part: [UInt8] = [], index = 0, i = 0
        func finish() {
            if !part.isEmpty && index < names.count { files[names[index]] = part }
            part = []
            index += 1
        }
        while i < bytes.count {
            if bytes[i] == separator[0], bytes.count - i >= separator.count, Array(bytes[i..<(i + separator.count)]) == separator {
                finish()
                i += separator.count
            } else {
                part.append(bytes[i])
                i += 1
            }
        }
        finish()
        return files
    }
}
