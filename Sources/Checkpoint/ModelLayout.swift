import Foundation
import LinearAlgebra
import MoE

/// A Hugging Face MoE model directory read as a stack of the spec's layers (L = 0):
/// `config.json` plus `model.safetensors` or shards with `model.safetensors.index.json`.
///
/// Opening reads `config.json` and the index (or the single file's header); a shard's
/// header is read the first time one of its tensors is needed, and a layer's weights are
/// read tensor by tensor (slice by slice for merged experts), so reading one layer of a
/// many-GB model touches only that layer's bytes. docs/model-layouts.md lists the
/// layouts and how each maps onto the spec.
///
/// ```swift
/// let model = try ModelLayout(directory: "Mixtral-8x7B-v0.1")
/// model.config.moeLayers                                     // [0, 1, …, 31]
/// let p: Parameters<Double> = try model.parameters(layer: 3)  // spec names, L = 0
/// let layer = try DAGMoELayer(parameters: p)                  // y = x + the model's MoE block(x)
/// ```
public struct ModelLayout: Sendable {
    public let directory: String
    public let config: ModelMoEConfig
    let tensors: ModelTensorDirectory

    /// Opens regular files only, without blocking (``FileByteSource``).
    public static let openFile: ByteSourceOpener = { path throws(CheckpointError) in try FileByteSource(path: path) }

    /// Opens the model in `directory`; `open` supplies each file's bytes, `config.json` and the
    /// index included (tests count the reads; the fuzzer serves files from memory).
    public init(directory: String, open: @escaping ByteSourceOpener = ModelLayout.openFile) throws(ModelLayoutError) {
        self.directory = directory
        config = try ModelMoEConfig(path: ModelTensorDirectory.path(directory, "config.json"), open: open)
        tensors = try ModelTensorDirectory(directory: directory, open: open)
    }

    /// The weight files, sorted (one for an unsharded model).
    public var shards: [String] { Set(tensors.shardOf.values).sorted() }

    /// The index file, or nil for an unsharded model.
    public var indexPath: String? { tensors.indexPath }

    /// A tensor's header entry and the path of the shard holding it (headers only).
    public func tensorInfo(_ name: String) throws(ModelLayoutError) -> (info: TensorInfo, shard: String) {
        let info = try tensors.info(name)
        return (info, try tensors.shard(of: name).path)
    }

    /// The weights of MoE layer `layer` under the spec's names, for the configuration
    /// `config.layerConfig(dagLayers:dG:)`.
    ///
    /// With `dagLayers` > 0 a fresh DAG module is added on top: its weights are drawn as
    /// `Parameters(initializing:seed:)` draws them for the same d, d_g, L and norm, with
    /// `up` = 0, so the layer still computes the model's block exactly. Values widen
    /// exactly from F16/BF16/F32; W2 carries the routed scaling factor (one rounding in
    /// Float). Throws `nonFinite` naming the first tensor holding NaN or ±∞, `overflow` where a
    /// finite value (times the scaling factor) is past `Scalar`'s range, and `overBudget`
    /// (from the headers, before anything is allocated) when the weights as `Scalar` would
    /// take more than `budget` bytes.
    public func parameters<Scalar: BLASScalar>(layer: Int, dagLayers: Int = 0, dG: Int = 1, seed: UInt64 = 0,
                                               budget: Int = ModelLayout.defaultBudget,
                                               _: Scalar.Type = Scalar.self) throws(ModelLayoutError) -> Parameters<Scalar> {
        let plan = try layout(layer: layer)
        try checkBudget(plan, scalarSize: MemoryLayout<Scalar>.size, scalar: "\(Scalar.self)", budget: budget)
        let layerConfig = config.layerConfig(dagLayers: dagLayers, dG: dG)
        var tensors: [String: Tensor<Scalar>] = [:]
        let shapes = Dictionary(uniqueKeysWithValues: layerConfig.parameterShapes.map { ($0.name, $0.shape) })
        for source in plan.sources {
            tensors[source.spec] = Tensor(shape: shapes[source.spec]!, data: try values(source, Scalar.self))
        }
        if dagLayers > 0, config.native == nil {
            let dagOnly = LayerConfig(dModel: config.hiddenSize, nExperts: 1, topK: 1, dFF: 1, dG: dG,
                                      dagLayers: dagLayers, norm: .rmsnorm, normEps: config.normEps)
            for (name, tensor) in Parameters<Scalar>(initializing: dagOnly, seed: seed).tensors where name.hasPrefix("dag.") {
                tensors[name] = tensor
            }
        }
        return Parameters(config: layerConfig, tensors: tensors)
    }
}

extension ModelLayout {
    /// One source's values as `Scalar`. F32, F16 and BF16 weights read as Float go straight into
    /// Float (exact, no Float64 copy); the rest widen to Double exactly, take the scaling factor
    /// and round once. Throws `nonFinite` for NaN or ±∞ in the file, `overflow` for a finite
    /// value past `Scalar`'s range.
    func values<Scalar: BLASScalar>(_ source: WeightSource, _: Scalar.Type) throws(ModelLayoutError) -> [Scalar] {
        let read: [Scalar] = try storedValues(source)
        return source.transpose.map { $0.apply(read) } ?? read
    }

    /// One source's values as stored (before a transposition).
    private func storedValues<Scalar: BLASScalar>(_ source: WeightSource) throws(ModelLayoutError) -> [Scalar] {
        let info = try tensors.info(source.tensor)
        if info.dtype == .f8e4m3 { return try dequantizedFP8(source, shape: info.shape) }
        if let rows = source.mxfp4 {
            let (values, overflow) = rows.decode(blocks: try tensors.bytes(source.tensor, elements: source.elements!),
                                                 scales: try tensors.bytes(rows.scales, elements: rows.scaleElements),
                                                 factor: source.scale, as: Scalar.self)
            if let (i, v) = overflow {
                throw .overflow(tensor: source.tensor, index: i, value: v, scale: source.scale, scalar: "\(Scalar.self)")
            }
            return values
        }
        let first = source.elements?.lowerBound ?? 0
        if Scalar.self == Float.self, source.scale == 1, try tensors.info(source.tensor).dtype != .f64 {
            let floats = try tensors.floats(source.tensor, elements: source.elements)
            if let i = floats.firstIndex(where: { !$0.isFinite }) {
                throw .nonFinite(tensor: source.tensor, index: first + i, value: Double(floats[i]))
            }
            if let same = floats as? [Scalar] { return same }
        }
        let values = try tensors.doubles(source.tensor, elements: source.elements)
        if let i = values.firstIndex(where: { !$0.isFinite }) {
            throw .nonFinite(tensor: source.tensor, index: first + i, value: values[i])
        }
        let data = source.scale == 1 ? values.map { Scalar($0) } : values.map { Scalar($0 * source.scale) }
        if let i = data.firstIndex(where: { !$0.isFinite }) {
            throw .overflow(tensor: source.tensor, index: first + i, value: values[i], scale: source.scale, scalar: "\(Scalar.self)")
        }
        return data
    }

    /// A block-wise FP8 weight kept quantized: q as Float (every F8_E4M3 value is exact there) and
    /// its `weight_scale_inv` blocks, for a ``StoredExpert`` to apply in Float64; nil for any other
    /// weight (or a transposed or sliced one). The shapes are checked by ``checkFP8(_:)``.
    func quantizedFP8(_ source: WeightSource) throws(ModelLayoutError) -> (q: [Float], scales: BlockScales)? {
        guard try tensors.info(source.tensor).dtype == .f8e4m3, source.transpose == nil, source.elements == nil,
              let block = config.fp8Block else { return nil }
        try checkFP8(source)
        let q = try tensors.doubles(source.tensor), s = try tensors.doubles(source.tensor + "_scale_inv")
        if let i = q.firstIndex(where: { !$0.isFinite }) { throw .nonFinite(tensor: source.tensor, index: i, value: q[i]) }
        if let i = s.firstIndex(where: { !$0.isFinite }) {
            throw .nonFinite(tensor: source.tensor + "_scale_inv", index: i, value: s[i])
        }
        return (q.map { Float($0) }, BlockScales(values: s, rowBlock: block[0], colBlock: block[1]))
    }

    /// A block-wise FP8 weight as transformers' `_dequantize_fp8_weight` computes it:
    /// w[r, c] = q[r, c] · s[r / b0, c / b1] with s = `<tensor>_scale_inv` (ragged edge blocks
    /// included), the product exact in Double and rounded once to Scalar (after the routed
    /// scaling factor). The shapes were checked by ``checkFP8(_:)``.
    private func dequantizedFP8<Scalar: BLASScalar>(_ source: WeightSource, shape: [Int]) throws(ModelLayoutError) -> [Scalar] {
        try checkFP8(source)
        let block = config.fp8Block!, cols = shape[1]
        let q = try tensors.doubles(source.tensor), s = try tensors.doubles(source.tensor + "_scale_inv")
        let scaleCols = (cols + block[1] - 1) / block[1]
        var out = [Scalar](repeating: 0, count: q.count)
        for i in q.indices {
            let r = i / cols, c = i % cols
            guard q[i].isFinite else { throw .nonFinite(tensor: source.tensor, index: i, value: q[i]) }
            let scale = s[(r / block[0]) * scaleCols + c / block[1]]
            guard scale.isFinite else { throw .nonFinite(tensor: source.tensor + "_scale_inv", index: (r / block[0]) * scaleCols + c / block[1], value: scale) }
            out[i] = Scalar(q[i] * scale * source.scale)
            guard out[i].isFinite else {
                throw .overflow(tensor: source.tensor, index: i, value: q[i] * scale, scale: source.scale, scalar: "\(Scalar.self)")
            }
        }
        return out
    }

    /// Throws `overBudget` (from the headers) when layer `layer`'s weights as `Scalar` would pass
    /// `budget`, as ``parameters(layer:dagLayers:dG:seed:budget:_:)`` does before reading.
    public func checkBudget<Scalar: BLASScalar>(layer: Int, _: Scalar.Type, budget: Int = ModelLayout.defaultBudget) throws(ModelLayoutError) {
        try checkBudget(try layout(layer: layer), scalarSize: MemoryLayout<Scalar>.size, scalar: "\(Scalar.self)", budget: budget)
    }

    /// Half the machine's memory: the default bound on the bytes one layer's weights may take.
    public static let defaultBudget = Int(clamping: ProcessInfo.processInfo.physicalMemory / 2)

    /// Throws `overBudget` when `plan`'s weights as `scalarSize`-byte values, plus the largest
    /// tensor once more as Float64 while it is converted, pass `budget`; the message says how
    /// many experts would fit.
    func checkBudget(_ plan: ModelLayerLayout, scalarSize: Int, scalar: String, budget: Int) throws(ModelLayoutError) {
        var total = 0, expert0 = 0, largest = 0
        for source in plan.sources {
            var count = source.elements?.count ?? 0
            if source.elements == nil { count = try tensors.info(source.tensor).count }
            if let rows = source.mxfp4 { count = rows.count * rows.cols }
            let (bytes, o1) = count.multipliedReportingOverflow(by: scalarSize)
            let (sum, o2) = total.addingReportingOverflow(bytes)
            total = o1 || o2 ? Int.max : sum
            if source.spec.hasPrefix("experts.0.") { expert0 += bytes }
            largest = max(largest, count.multipliedReportingOverflow(by: 8).overflow ? Int.max : count * 8)
        }
        let (needed, overflow) = total.addingReportingOverflow(largest)
        guard overflow || needed > budget else { return }
        let n = config.experts, allExperts = expert0.multipliedReportingOverflow(by: n)
        let fixed = overflow || allExperts.overflow ? 0 : needed - allExperts.partialValue
        let fitting = expert0 > 0 && budget > fixed ? min(n, (budget - fixed) / expert0) : 0
        var fits = "\(fitting) of its \(n) experts (\(expert0) bytes each) would fit with the router\(config.sharedFF > 0 ? " and the shared expert" : "")"
        if scalarSize > 4 { fits += "; as Float32 it needs about half" }
        throw .overBudget(layer: plan.layer, scalar: scalar, bytes: overflow ? Int.max : needed, budget: budget, fits: fits)
    }
}
