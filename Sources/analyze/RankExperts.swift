import Checkpoint
import Foundation
import LinearAlgebra

/// Where `analyze rank` gets its linear experts: a seeded generator or a safetensors file.
enum RankExperts {
    /// Parses "N,D" or "N,D,SEED" (seed 0 when left out).
    static func parseRandom(_ text: String) throws -> (count: Int, dimension: Int, seed: UInt64) {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        guard (2...3).contains(parts.count), let n = Int(parts[0]), let d = Int(parts[1]) else {
            throw UsageError("--random '\(text)' is not of the form N,D or N,D,SEED")
        }
        var seed: UInt64 = 0
        if parts.count == 3 {
            guard let s = UInt64(parts[2]) else {
                throw UsageError("--random '\(text)': the seed '\(parts[2])' is not an integer in 0…\(UInt64.max)")
            }
            seed = s
        }
        return (n, d, seed)
    }

    /// Reads tensors experts.0.weight … experts.{N−1}.weight, each [d, d] of F32, F64, F16 or BF16.
    ///
    /// N is the first missing index; a higher-numbered expert tensor after a gap is an error, as is a
    /// non-square or mismatched shape, another dtype, or a NaN or infinity (named by tensor and index).
    static func load(path: String) throws -> LinearExperts {
        let file = try SafeTensorsFile(path: path)
        var count = 0
        while file.contains(name(count)) { count += 1 }
        guard count > 0 else {
            throw UsageError("\(path) holds no tensor \(name(0)) (linear experts are tensors experts.{e}.weight of shape [d, d])")
        }
        if let stray = file.names.first(where: { index(of: $0).map { $0 >= count } ?? false }) {
            throw UsageError("\(path) holds \(stray) but not \(name(count)): expert indices must run 0…N−1 without gaps")
        }
        var matrices: [Matrix<Double>] = []
        var d = 0
        for e in 0..<count {
            let info = try file.info(name(e))
            guard info.dtype.isWeightFloat else {
                throw CheckpointError.unsupportedWeightDType(tensor: info.name, dtype: info.dtype.rawValue)
            }
            if e == 0 {
                guard info.shape.count == 2, info.shape[0] == info.shape[1], info.shape[0] >= 1 else {
                    throw UsageError("tensor '\(info.name)' has shape \(info.shape); linear experts must be square, [d, d] with d ≥ 1")
                }
                d = info.shape[0]
            }
            guard info.shape == [d, d] else {
                throw CheckpointError.wrongShape(tensor: info.name, shape: info.shape, expected: [d, d])
            }
            let values = try file.doubles(info.name)
            if let i = values.firstIndex(where: { !$0.isFinite }) {
                throw CheckpointError.nonFinite(tensor: info.name, index: i, value: values[i])
            }
            matrices.append(Matrix(rows: d, cols: d, data: values))
        }
        return try LinearExperts(matrices, names: (0..<count).map(name))
    }

    static func name(_ e: Int) -> String { "experts.\(e).weight" }

    /// The e of "experts.{e}.weight", if `tensor` is such a name.
    static func index(of tensor: String) -> Int? {
        guard tensor.hasPrefix("experts."), tensor.hasSuffix(".weight") else { return nil }
        return Int(tensor.dropFirst("experts.".count).dropLast(".weight".count))
    }
}
