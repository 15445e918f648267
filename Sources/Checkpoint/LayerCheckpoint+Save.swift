import LinearAlgebra
import MoE

extension LayerCheckpoint {
    /// A writer holding a layer in the spec's layout: the configuration's metadata
    /// (plus `extraMetadata`, which may not override it), every weight in `dtype`,
    /// and the reference tensors when given (F32, `ref.topk` I64).
    public static func writer<Scalar: BLASScalar>(
        _ parameters: Parameters<Scalar>, dtype: SafeTensorsWriter.FloatDType = .f32,
        reference: LayerReference<Scalar>? = nil, extraMetadata: [String: String] = [:]
    ) throws(CheckpointError) -> SafeTensorsWriter {
        let config = parameters.config
        var w = SafeTensorsWriter(metadata: extraMetadata.merging(config.metadata) { _, spec in spec })
        for (name, shape) in config.parameterShapes {
            try w.add(name, shape: shape, doubles: parameters[name].data.map { Double($0) }, as: dtype)
        }
        guard let reference else { return w }
        func add(_ name: String, _ tensor: Tensor<Scalar>?) throws(CheckpointError) {
            guard let tensor else { return }
            try w.add(name, shape: tensor.shape, doubles: tensor.data.map { Double($0) }, as: .f32)
        }
        func addScalar(_ name: String, _ value: Scalar?) throws(CheckpointError) {
            guard let value else { return }
            try w.add(name, shape: [], doubles: [Double(value)], as: .f32)
        }
        try add(ReferenceName.x, reference.x)
        try add(ReferenceName.y, reference.y)
        if let topk = reference.topk {
            try w.add(ReferenceName.topk, shape: [reference.tokens, config.topK], int64s: topk)
        }
        try add(ReferenceName.gates, reference.gates)
        for l in reference.edgeGates.keys.sorted() { try add(ReferenceName.edgeGates(l), reference.edgeGates[l]) }
        try addScalar(ReferenceName.lbLoss, reference.lbLoss)
        try addScalar(ReferenceName.zLoss, reference.zLoss)
        try add(ReferenceName.gradY, reference.gradY)
        try add(ReferenceName.gradX, reference.gradX)
        for (name, _) in config.parameterShapes { try add(ReferenceName.grad(name), reference.grad[name]) }
        return w
    }

    /// Writes a layer (and optional references) to `path`; see ``writer(_:dtype:reference:extraMetadata:)``.
    public static func save<Scalar: BLASScalar>(
        _ parameters: Parameters<Scalar>, to path: String, dtype: SafeTensorsWriter.FloatDType = .f32,
        reference: LayerReference<Scalar>? = nil, extraMetadata: [String: String] = [:]
    ) throws(CheckpointError) {
        try writer(parameters, dtype: dtype, reference: reference, extraMetadata: extraMetadata).write(to: path)
    }
}
