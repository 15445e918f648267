import Checkpoint
import LinearAlgebra
import MoE

/// The tokens a model layer is analysed on, and the reference outputs to compare with:
/// from an `--inputs` safetensors file (`layers.{i}.x` for layer i, else `x`, [T, d] or
/// [..., d]; optional `layers.{i}.moe_out` [T, d] and `layers.{i}.topk` [T, K]), or
/// standard normal tokens drawn from a seed.
struct ModelInputs {
    let file: SafeTensorsFile?
    let path: String?
    let random: (count: Int, seed: UInt64)

    /// What the inputs of one layer are, with their source in words.
    struct Layer {
        let x: Matrix<Double>
        let source: String
        /// The block's reference output (without the residual), when the file has one.
        let moeOut: [Double]?
        /// The reference selection, [T, K] row-major, when the file has one.
        let topk: [Int64]?
    }

    init(path: String?, tokens: Int?, seed: UInt64) throws {
        self.path = path
        file = try path.map { p in
            do { return try SafeTensorsFile(path: p) } catch { throw UsageError("\(p): \(error)") }
        }
        random = (tokens ?? CrosscheckCommand.defaultTokens, seed)
    }

    /// Layer `layer`'s inputs, d wide, K selected.
    func inputs(layer: Int, d: Int, k: Int) throws -> Layer {
        guard let file, let path else {
            var rng = SeededRandom(seed: random.seed)
            let x = Matrix(rows: random.count, cols: d, data: (0..<(random.count * d)).map { _ in rng.nextNormal() })
            return Layer(x: x, source: "\(random.count) random N(0, 1) tokens, seed \(random.seed)", moeOut: nil, topk: nil)
        }
        let perLayer = "layers.\(layer).x"
        let name = file.contains(perLayer) ? perLayer : "x"
        guard file.contains(name) else {
            throw UsageError("\(path): no tensor '\(perLayer)' or 'x' (found: \(file.names.prefix(8).joined(separator: ", ")))")
        }
        func values(_ tensor: String, lastDimension: Int) throws -> [Double] {
            do {
                let info = try file.info(tensor)
                guard let last = info.shape.last, last == lastDimension, info.count > 0 else {
                    throw UsageError("\(path): tensor '\(tensor)' has shape \(info.shape), expected [T, \(lastDimension)]")
                }
                let v = try file.doubles(tensor)
                if let i = v.firstIndex(where: { !$0.isFinite }) {
                    throw UsageError("\(path): tensor '\(tensor)' holds \(v[i]) at flat index \(i)")
                }
                return v
            } catch let error as CheckpointError {
                throw UsageError("\(path): \(error)")
            }
        }
        let x = try values(name, lastDimension: d)
        let t = x.count / d
        guard t <= CrosscheckCommand.maxTokens else {
            throw UsageError("\(path): '\(name)' holds \(t) tokens, more than the limit of \(CrosscheckCommand.maxTokens)")
        }
        var moeOut: [Double]?, topk: [Int64]?
        if file.contains("layers.\(layer).moe_out") {
            let out = try values("layers.\(layer).moe_out", lastDimension: d)
            guard out.count == x.count else { throw UsageError("\(path): layers.\(layer).moe_out does not have \(t) tokens") }
            moeOut = out
        }
        if file.contains("layers.\(layer).topk") {
            do {
                let info = try file.info("layers.\(layer).topk")
                guard info.shape == [t, k], info.dtype == .i64 else {
                    throw UsageError("\(path): layers.\(layer).topk is \(info.dtype.rawValue) \(info.shape), expected I64 [\(t), \(k)]")
                }
                topk = try file.int64s("layers.\(layer).topk")
            } catch let error as CheckpointError {
                throw UsageError("\(path): \(error)")
            }
        }
        return Layer(x: Matrix(rows: t, cols: d, data: x), source: "\(t) tokens from \(name) in \(path)",
                     moeOut: moeOut, topk: topk)
    }
}
