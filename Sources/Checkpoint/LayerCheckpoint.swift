import Foundation
import LinearAlgebra
import MoE

/// A DAG-MoE layer checkpoint in the spec's layout: configuration from
/// `__metadata__`, weights under PyTorch `state_dict` names, optional `ref.*`
/// tensors (docs/checkpoint-format.md).
///
/// Opening validates the configuration and every weight's presence, shape and
/// dtype (F32, F64, F16 or BF16); values are read, and checked finite, by
/// ``parameters(_:)`` and ``reference(_:)``. Tensors outside the layout are ignored
/// and listed in ``notes``.
public struct LayerCheckpoint: Sendable {
    public let file: SafeTensorsFile
    public let config: LayerConfig
    /// One sentence per thing ignored (unknown tensors, references without `ref.x`).
    public let notes: [String]

    /// Opens and validates the checkpoint at `path`.
    public init(path: String) throws(CheckpointError) {
        try self.init(file: SafeTensorsFile(path: path))
    }

    /// Validates an opened safetensors file as a layer checkpoint.
    public init(file: SafeTensorsFile) throws(CheckpointError) {
        self.file = file
        config = try LayerConfig(metadata: file.metadata)
        for (name, shape) in config.parameterShapes {
            guard file.contains(name) else { throw .missingWeight(name) }
            let info = try file.info(name)
            guard info.dtype.isWeightFloat else { throw .unsupportedWeightDType(tensor: name, dtype: info.dtype.rawValue) }
            guard info.shape == shape else { throw .wrongShape(tensor: name, shape: info.shape, expected: shape) }
        }
        notes = LayerCheckpoint.notes(file: file, config: config)
    }

    private static func notes(file: SafeTensorsFile, config: LayerConfig) -> [String] {
        let weights = Set(config.parameterShapes.map(\.name))
        let references = ReferenceName.all(config)
        var notes = file.names.filter { !weights.contains($0) && !references.contains($0) }
            .map { "ignored tensor '\($0)': not part of the spec's layout for this configuration" }
        let present = file.names.filter { references.contains($0) }
        if !file.contains(ReferenceName.x) && !present.isEmpty {
            notes.append("ignored \(present.count) ref.* tensor(s): the file has no ref.x to run them from")
        }
        return notes
    }

    /// Iterations of a chain checkpoint (`chain.{c}.*` tensors beside iteration 0's spec
    /// weights): 1 + the largest c, or 1 for a plain layer. Only iteration 0 is analysed.
    public var chainIterations: Int {
        let cs = file.names.compactMap { name -> Int? in
            let parts = name.split(separator: ".")
            return parts.count > 2 && parts[0] == "chain" ? Int(parts[1]) : nil
        }
        return (cs.max() ?? 0) + 1
    }

    /// The dtypes the weights are stored in, in a stable order.
    public var weightDTypes: [SafeTensorsDType] {
        let used = Set(config.parameterShapes.compactMap { try? file.info($0.name).dtype })
        return SafeTensorsDType.allCases.filter(used.contains)
    }

    /// The weights, widened exactly (F16/BF16/F32 to Float or Double) or rounded
    /// (F64 to Float). Throws `nonFinite` naming the first tensor holding NaN or ±∞.
    public func parameters<Scalar: BLASScalar>(_: Scalar.Type = Scalar.self) throws(CheckpointError) -> Parameters<Scalar> {
        var tensors: [String: Tensor<Scalar>] = [:]
        for (name, shape) in config.parameterShapes {
            tensors[name] = try tensor(name, shape: shape, finite: true)
        }
        return Parameters(config: config, tensors: tensors)
    }

    /// The tokens in `ref.x`, from the header alone (nothing decoded), or nil when the file
    /// has no `ref.x`. Throws `wrongShape` when `ref.x` is not [T, d] with T ≥ 1.
    public func referenceTokens() throws(CheckpointError) -> Int? {
        guard file.contains(ReferenceName.x) else { return nil }
        let x = try file.info(ReferenceName.x)
        guard x.shape.count == 2, x.shape[1] == config.dModel, x.shape[0] >= 1 else {
            throw .wrongShape(tensor: ReferenceName.x, shape: x.shape, expected: [max(x.shape.first ?? 1, 1), config.dModel])
        }
        return x.shape[0]
    }

    /// The `ref.*` tensors, or nil when the file has no `ref.x`. Throws
    /// `wrongShape` naming a reference tensor whose shape disagrees with the
    /// spec's table, and `nonFinite` for NaN or ±∞ in the inputs `ref.x` and `ref.grad_y`.
    public func reference<Scalar: BLASScalar>(_: Scalar.Type = Scalar.self) throws(CheckpointError) -> LayerReference<Scalar>? {
        guard let t = try referenceTokens() else { return nil }
        let d = config.dModel, k = config.topK
        func optional(_ name: String, _ shape: [Int], finite: Bool = false) throws(CheckpointError) -> Tensor<Scalar>? {
            file.contains(name) ? try tensor(name, shape: shape, finite: finite) : nil
        }
        var ref = LayerReference<Scalar>(x: try tensor(ReferenceName.x, shape: [t, d], finite: true))
        ref.y = try optional(ReferenceName.y, [t, d])
        ref.gates = try optional(ReferenceName.gates, [t, k])
        ref.lbLoss = try optional(ReferenceName.lbLoss, [])?.data[0]
        ref.zLoss = try optional(ReferenceName.zLoss, [])?.data[0]
        ref.gradY = try optional(ReferenceName.gradY, [t, d], finite: true)
        ref.gradX = try optional(ReferenceName.gradX, [t, d])
        if file.contains(ReferenceName.topk) {
            let info = try file.info(ReferenceName.topk)
            guard info.shape == [t, k] else { throw .wrongShape(tensor: ReferenceName.topk, shape: info.shape, expected: [t, k]) }
            ref.topk = try file.int64s(ReferenceName.topk)
        }
        for l in 0..<config.dagLayers {
            ref.edgeGates[l] = try optional(ReferenceName.edgeGates(l), [t, k, k])
        }
        for (weight, shape) in config.parameterShapes {
            ref.grad[weight] = try optional(ReferenceName.grad(weight), shape)
        }
        return ref
    }

    /// Reads a float tensor, checking its shape and (when asked) that every value is finite.
    private func tensor<Scalar: BLASScalar>(_ name: String, shape: [Int], finite: Bool) throws(CheckpointError) -> Tensor<Scalar> {
        let info = try file.info(name)
        guard info.shape == shape else { throw .wrongShape(tensor: name, shape: info.shape, expected: shape) }
        let values = try file.doubles(name)
        if finite, let i = values.firstIndex(where: { !$0.isFinite }) {
            throw .nonFinite(tensor: name, index: i, value: values[i])
        }
        return Tensor(shape: shape, data: values.map { Scalar($0) })
    }
}
