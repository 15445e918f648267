import LinearAlgebra

/// Linear experts from a safetensors file: tensors `experts.0.weight` … `experts.{N−1}.weight`,
/// each [d, d] of F32, F64, F16 or BF16 (what `analyze rank --experts` reads).
public enum LinearExpertsFile {
    /// The tensor name of expert `e`.
    public static func name(_ e: Int) -> String { "experts.\(e).weight" }

    /// The e of "experts.{e}.weight", if `tensor` is such a name.
    static func index(of tensor: String) -> Int? {
        guard tensor.hasPrefix("experts."), tensor.hasSuffix(".weight") else { return nil }
        return Int(tensor.dropFirst("experts.".count).dropLast(".weight".count))
    }

    /// Reads the experts of the file at `path`, one tensor at a time.
    ///
    /// N is the first missing index; a higher-numbered expert after a gap is an error, as is a
    /// non-square or mismatched shape, another dtype, or a NaN or infinity (named by tensor and
    /// index). N·d² is checked against `maxValues` from the header, before any value is read.
    public static func load(path: String, maxValues: Int = ProductStack.maxEntries) throws(CheckpointError) -> LinearExperts {
        let file = try SafeTensorsFile(path: path)
        var count = 0
        while file.contains(name(count)) { count += 1 }
        guard count > 0 else {
            throw .invalidLinearExperts(path: path, reason: "holds no tensor \(name(0)) (linear experts are tensors experts.{e}.weight of shape [d, d])")
        }
        if let stray = file.names.first(where: { index(of: $0).map { $0 >= count } ?? false }) {
            throw .invalidLinearExperts(path: path, reason: "holds \(stray) but not \(name(count)): expert indices must run 0…N−1 without gaps")
        }
        var infos: [TensorInfo] = []
        for e in 0..<count {
            let info = try file.info(name(e))
            guard info.dtype.isWeightFloat else { throw .unsupportedWeightDType(tensor: info.name, dtype: info.dtype.rawValue) }
            if e == 0, !(info.shape.count == 2 && info.shape[0] == info.shape[1] && info.shape[0] >= 1) {
                throw .invalidLinearExperts(path: path, reason: "tensor '\(info.name)' has shape \(info.shape); linear experts must be square, [d, d] with d ≥ 1")
            }
            guard info.shape == infos.first?.shape ?? info.shape else {
                throw .wrongShape(tensor: info.name, shape: info.shape, expected: infos[0].shape)
            }
            infos.append(info)
        }
        let perExpert = infos[0].count
        guard perExpert <= maxValues / count else {
            let d = infos[0].shape[0]
            let values = count.multipliedReportingOverflow(by: perExpert)
            throw .overBudget(what: "\(path): \(count) experts of [\(d), \(d)] in Float64",
                              bytes: values.overflow || values.partialValue > Int.max / 8 ? Int.max : values.partialValue * 8,
                              budget: maxValues * 8,
                              fits: maxValues / perExpert > 0 ? "the first \(maxValues / perExpert) experts would fit"
                                  : "not even one expert fits; d ≤ \(Int(Double(maxValues).squareRoot())) would")
        }
        var matrices: [Matrix<Double>] = []
        for info in infos {
            let values = try file.doubles(info.name)
            if let i = values.firstIndex(where: { !$0.isFinite }) {
                throw .nonFinite(tensor: info.name, index: i, value: values[i])
            }
            matrices.append(Matrix(rows: info.shape[0], cols: info.shape[1], data: values))
        }
        do { return try LinearExperts(matrices, names: infos.map(\.name)) } catch {
            throw .invalidLinearExperts(path: path, reason: "\(error)")
        }
    }
}
