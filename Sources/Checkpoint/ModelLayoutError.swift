/// Everything that can be wrong with a model directory, its `config.json`, its shard
/// index or one layer's tensors. Each message names the file, key, layer or tensor, and
/// lists what was found where something expected is missing. The description is
/// ``TerminalText/escaped(_:)``: text from the files cannot reach the terminal as control codes.
public enum ModelLayoutError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The directory could not be read.
    case unreadable(path: String, reason: String)
    /// A file of the directory could not be read: missing, not a regular file, too large, unreadable.
    case file(CheckpointError)
    /// `config.json` is not a JSON object.
    case invalidConfig(path: String, reason: String)
    /// `model_type` is absent or not one of the supported layouts.
    case unknownModelType(path: String, found: String?, supported: [String], hint: String?)
    /// A key the layout needs is absent; `found` lists the keys present.
    case missingConfigKey(path: String, key: String, modelType: String, found: [String])
    /// A key's value has the wrong type or range.
    case malformedConfigKey(path: String, key: String, value: String, expected: String)
    /// A setting the toolkit does not implement (rather than mapping it wrongly).
    case unsupportedSetting(path: String, key: String, value: String, reason: String)
    /// Neither `model.safetensors.index.json` nor `model.safetensors` in the directory.
    case noWeights(directory: String, found: [String])
    /// The shard index is not `{"weight_map": {tensor: file}}` or names a bad file.
    case invalidIndex(path: String, reason: String)
    /// The index puts a tensor in a shard whose header does not hold it.
    case indexMismatch(tensor: String, shard: String)
    /// `--layer` outside 0..<num_hidden_layers.
    case layerOutOfRange(layer: Int, layers: Int)
    /// The layer is a dense MLP in this model, not an MoE block.
    case notMoELayer(layer: Int, reason: String, moeLayers: [Int])
    /// A tensor the layout needs is absent; `found` lists the layer's tensors present
    /// (layer −1: a tensor asked for by name, outside any layer).
    case missingTensor(name: String, layer: Int, found: [String])
    /// A source tensor's shape disagrees with the configuration.
    case wrongShape(tensor: String, shape: [Int], expected: [Int])
    /// A source tensor's dtype is not F32, F64, F16 or BF16 (quantized weights, say).
    case unsupportedDType(tensor: String, dtype: String)
    /// A quantized weight the reader cannot dequantize: its tensor, the format, and why.
    case unsupportedQuantization(tensor: String, format: String, reason: String)
    /// A NaN or infinity in a weight.
    case nonFinite(tensor: String, index: Int, value: Double)
    /// A finite weight times `scale` is past the range of `scalar` (F64 weights read as Float, or
    /// the routed scaling factor on a weight near the largest Float).
    case overflow(tensor: String, index: Int, value: Double, scale: Double, scalar: String)
    /// A shard file failed the safetensors reader's validation.
    case shard(path: String, CheckpointError)
    /// Layer `layer`'s weights as `scalar` would take `bytes`, past `budget`; `fits` says what would fit.
    case overBudget(layer: Int, scalar: String, bytes: Int, budget: Int, fits: String)

    public var description: String { TerminalText.escaped(text) }

    private var text: String {
        switch self {
        case let .unreadable(path, reason):
            return "cannot read \(path): \(reason)"
        case let .file(error):
            return error.description
        case let .invalidConfig(path, reason):
            return "\(path): \(reason)"
        case let .unknownModelType(path, found, supported, hint):
            let what = found.map { "model_type '\($0)' is not a supported MoE layout" } ?? "no model_type key"
            return "\(path): \(what)\(hint.map { " (\($0))" } ?? ""); supported: \(supported.joined(separator: ", "))"
        case let .missingConfigKey(path, key, modelType, found):
            return "\(path): key '\(key)' (needed for \(modelType)) is missing; found keys: \(found.joined(separator: ", "))"
        case let .malformedConfigKey(path, key, value, expected):
            return "\(path): key '\(key)' = \(value) is not \(expected)"
        case let .unsupportedSetting(path, key, value, reason):
            return "\(path): \(key) = \(value) is not supported: \(reason)"
        case let .noWeights(directory, found):
            let listed = found.isEmpty ? "the directory is empty" : "found: \(found.joined(separator: ", "))"
            return "\(directory): neither model.safetensors.index.json nor model.safetensors; \(listed)"
        case let .invalidIndex(path, reason):
            return "\(path): \(reason)"
        case let .indexMismatch(tensor, shard):
            return "the shard index puts '\(tensor)' in \(shard), whose header has no such tensor"
        case let .layerOutOfRange(layer, layers):
            return "layer \(layer) is outside the model's \(layers) layers (0…\(layers - 1))"
        case let .notMoELayer(layer, reason, moeLayers):
            return "layer \(layer) is not an MoE layer: \(reason); MoE layers: \(ModelLayoutError.ranges(moeLayers))"
        case let .missingTensor(name, layer, found):
            guard layer >= 0 else { return "tensor '\(name)' is not in the model" }
            let listed = found.isEmpty ? "the layer has no tensors" : "found for layer \(layer): \(found.joined(separator: ", "))"
            return "tensor '\(name)' is missing; \(listed)"
        case let .wrongShape(tensor, shape, expected):
            return "tensor '\(tensor)' has shape \(shape), expected \(expected) from config.json"
        case let .unsupportedDType(tensor, dtype):
            return "tensor '\(tensor)' has dtype \(dtype); weights must be F32, F64, F16 or BF16, or F8_E4M3 with block-wise weight_scale_inv (other quantized formats are not read)"
        case let .unsupportedQuantization(tensor, format, reason):
            return "tensor '\(tensor)' is \(format): \(reason)"
        case let .nonFinite(tensor, index, value):
            return "tensor '\(tensor)' holds \(value) at flat index \(index)"
        case let .overflow(tensor, index, value, scale, scalar):
            let scaled = scale == 1 ? "\(value)" : "\(value) × \(scale) (the routed scaling factor)"
            return "tensor '\(tensor)' holds \(scaled) at flat index \(index), past the range of \(scalar)"
        case let .shard(path, error):
            return "\(path): \(error)"
        case let .overBudget(layer, scalar, bytes, budget, fits):
            return "layer \(layer)'s weights as \(scalar) need \(bytes) bytes of memory, past the budget of \(budget) bytes; \(fits)"
        }
    }

    /// "1…3, 5, 7…9" for a sorted list of layer indices ("none" when empty).
    static func ranges(_ layers: [Int]) -> String {
        guard !layers.isEmpty else { return "none" }
        var parts: [String] = [], start = layers[0], last = layers[0]
        for l in layers.dropFirst() + [Int.min] {
            if l == last + 1 { last = l; continue }
            parts.append(start == last ? "\(start)" : "\(start)…\(last)")
            start = l
            last = l
        }
        return parts.joined(separator: ", ")
    }
}
