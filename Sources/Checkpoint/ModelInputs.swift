import LinearAlgebra

/// An `--inputs` file for a model's layers: a safetensors file with `layers.{i}.x` for
/// layer i, else `x` for every layer ([T, d] or [..., d]), and optionally the block's
/// reference output `layers.{i}.moe_out` ([T, d], without the residual) and selection
/// `layers.{i}.topk` (I64 [T, K]). Opening reads the header only; ``layer(_:d:k:maxTokens:)``
/// reads one layer's tensors.
public struct ModelInputsFile: Sendable {
    public let path: String
    private let file: SafeTensorsFile

    /// One layer's inputs, as stored.
    public struct Layer: Sendable {
        /// [T, d].
        public let x: Matrix<Double>
        /// The tensor the tokens came from (`layers.{i}.x` or `x`).
        public let tensor: String
        public let moeOut: [Double]?
        public let topk: [Int64]?
    }

    /// Opens `path`, reading its header.
    public init(path: String) throws(CheckpointError) {
        self.path = path
        file = try SafeTensorsFile(path: path)
    }

    /// Layer `layer`'s inputs, d wide, K selected; at most `maxTokens` tokens (checked from
    /// the header before anything is read). Throws for a missing tensor, a wrong shape or a
    /// non-finite input.
    public func layer(_ layer: Int, d: Int, k: Int, maxTokens: Int) throws(CheckpointError) -> Layer {
        let perLayer = "layers.\(layer).x"
        let name = file.contains(perLayer) ? perLayer : "x"
        guard file.contains(name) else {
            throw .invalidEntry(tensor: perLayer, reason: "no tensor '\(perLayer)' or 'x' (found: "
                                + file.names.prefix(8).joined(separator: ", ") + ")")
        }
        func values(_ tensor: String) throws(CheckpointError) -> [Double] {
            let info = try file.info(tensor)
            guard let last = info.shape.last, last == d, info.count > 0 else {
                throw .invalidEntry(tensor: tensor, reason: "has shape \(info.shape), expected [T, \(d)]")
            }
            guard info.count / d <= maxTokens else {
                throw .invalidEntry(tensor: tensor, reason: "holds \(info.count / d) tokens, more than the limit of \(maxTokens)")
            }
            let v = try file.doubles(tensor)
            if let i = v.firstIndex(where: { !$0.isFinite }) { throw .nonFinite(tensor: tensor, index: i, value: v[i]) }
            return v
        }
        let x = try values(name)
        let t = x.count / d
        var moeOut: [Double]?, topk: [Int64]?
        let outName = "layers.\(layer).moe_out", topkName = "layers.\(layer).topk"
        if file.contains(outName) {
            let out = try values(outName)
            guard out.count == x.count else { throw .invalidEntry(tensor: outName, reason: "does not have \(t) tokens") }
            moeOut = out
        }
        if file.contains(topkName) {
            let info = try file.info(topkName)
            guard info.shape == [t, k], info.dtype == .i64 else {
                throw .invalidEntry(tensor: topkName, reason: "is \(info.dtype.rawValue) \(info.shape), expected I64 [\(t), \(k)]")
            }
            topk = try file.int64s(topkName)
        }
        return Layer(x: Matrix(rows: t, cols: d, data: x), tensor: name, moeOut: moeOut, topk: topk)
    }
}
