/// How a layer stores its routed experts.
public enum ExpertStorage: String, Sendable {
    /// Mixtral: `experts.{e}.w1`, `w3`, `w2` (`.weight`).
    case mixtral = "experts.{e}.w1/w3/w2"
    /// Qwen, OLMoE, DeepSeek: `experts.{e}.gate_proj`, `up_proj`, `down_proj` (`.weight`).
    case projections = "experts.{e}.gate_proj/up_proj/down_proj"
    /// Newer transformers: `experts.gate_up_proj` [N, 2·I, d] (gate rows first) and
    /// `experts.down_proj` [N, d, I].
    case merged = "experts.gate_up_proj/down_proj"
    /// Granite MoE: `input_linear.weight` [N, 2·I, d] (gate rows first) and
    /// `output_linear.weight` [N, d, I].
    case granite = "input_linear/output_linear"
    /// gpt-oss as released: MXFP4 `experts.gate_up_proj_blocks` [N, 2·I, d/32, 16] with
    /// `_scales` [N, 2·I, d/32] (rows: gate and up interleaved), `experts.down_proj_blocks`
    /// [N, d, I/32, 16] with `_scales`, biases as in `transposed` (``MXFP4Rows``).
    case mxfp4 = "experts.gate_up_proj_blocks/down_proj_blocks (MXFP4)"
    /// Llama 4 and gpt-oss: `experts.gate_up_proj` [N, d, 2·I] (gate columns first; gpt-oss:
    /// gate and up interleaved) and `experts.down_proj` [N, I, d], both the transpose of the
    /// spec's orientation (gpt-oss: with `_bias` tensors [N, 2·I] and [N, d]).
    case transposed = "experts.gate_up_proj/down_proj (transposed)"
}

/// Where one of the spec's weights comes from in the model.
public struct WeightSource: Sendable, Equatable {
    /// The spec's name, for example `experts.3.w1.weight`.
    public let spec: String
    /// The model's tensor.
    public let tensor: String
    /// The flat elements of `tensor` taken (one expert's rows of a merged tensor), nil for all.
    public let elements: Range<Int>?
    /// A factor applied to the values: the routed scaling factor on W2, else 1.
    public let scale: Double
    /// When set, `tensor` is MXFP4 `*_blocks` (`elements`: the expert's bytes) decoded row by row.
    public let mxfp4: MXFP4Rows?
    /// When set, `elements` hold a row-major [rows, cols] block whose columns `take` are the
    /// spec's weight transposed ([take.count, rows]): Llama 4's experts.
    public let transpose: Transpose?

    /// Columns first, first + step, … (`count` of them) of a row-major [rows, cols] block, transposed.
    public struct Transpose: Sendable, Equatable {
        public let rows: Int, cols: Int
        public let first: Int, count: Int, step: Int

        public init(rows: Int, cols: Int, first: Int = 0, count: Int, step: Int = 1) {
            self.rows = rows
            self.cols = cols
            self.first = first
            self.count = count
            self.step = step
        }

        /// The [count, rows] transpose of the taken columns of `block`.
        func apply<T>(_ block: [T]) -> [T] {
            var out: [T] = []
            out.reserveCapacity(count * rows)
            for j in 0..<count { for r in 0..<rows { out.append(block[r * cols + first + j * step]) } }
            return out
        }
    }
}

/// One MoE layer of a model: where its block lives and where every spec weight comes from.
public struct ModelLayerLayout: Sendable {
    public let layer: Int
    /// `model.layers.{i}.block_sparse_moe` or `model.layers.{i}.mlp`.
    public let prefix: String
    /// The router's weight, for example `model.layers.{i}.mlp.gate.weight`.
    public let router: String
    public let storage: ExpertStorage
    /// In the order of the spec configuration's weights.
    public let sources: [WeightSource]
    /// Tensors under `prefix` that the mapping does not use.
    public let ignored: [String]
}

extension ModelLayout {
    /// Finds layer `layer`'s MoE block and checks every source tensor's shape and dtype
    /// against `config.json`, reading headers only.
    public func layout(layer: Int) throws(ModelLayoutError) -> ModelLayerLayout {
        guard (0..<config.layers).contains(layer) else { throw .layerOutOfRange(layer: layer, layers: config.layers) }
        if let reason = config.denseReason(layer: layer) {
            throw .notMoELayer(layer: layer, reason: reason, moeLayers: config.moeLayers)
        }
        let c = config, d = c.hiddenSize, n = c.experts, ff = c.expertFF, sff = c.sharedFF
        let base = "\(c.layerPrefix).\(layer)"
        let blocks = ["\(base).block_sparse_moe", "\(base).mlp", "\(base).feed_forward"]
        let routers = ["gate.weight", "router.layer.weight", "gate.wg.weight", "router.weight"]
        guard let (prefix, router) = blocks.lazy.flatMap({ b in routers.lazy.map { (b, "\(b).\($0)") } })
            .first(where: { tensors.contains($0.1) }) else {
            throw missing("\(blocks[1]).gate.weight", layer: layer)
        }
        let storage: ExpertStorage
        if tensors.contains("\(prefix).experts.0.w1.weight") {
            storage = .mixtral
        } else if tensors.contains("\(prefix).experts.0.gate_proj.weight") {
            storage = .projections
        } else if c.family == .gptOSS && tensors.contains("\(prefix).experts.gate_up_proj_blocks") {
            storage = .mxfp4
        } else if tensors.contains("\(prefix).experts.gate_up_proj") {
            storage = c.family == .llama4Text || c.family == .gptOSS ? .transposed : .merged
        } else if tensors.contains("\(prefix).input_linear.weight") {
            storage = .granite
        } else {
            throw missing("\(prefix).experts.0.gate_proj.weight", layer: layer)
        }

        // The router's real shape first: a config.json claiming 100,000 experts fails here,
        // before a name is built for each of them.
        try check(router, [n, d], layer: layer)

        var sources: [WeightSource] = []
        var shapes: [(String, [Int])] = []
        var listed: Set<String> = []
        func add(_ spec: String, _ tensor: String, _ shape: [Int], elements: Range<Int>? = nil, scale: Double = 1,
                 transpose: WeightSource.Transpose? = nil, mxfp4: MXFP4Rows? = nil) {
            sources.append(WeightSource(spec: spec, tensor: tensor, elements: elements, scale: scale, mxfp4: mxfp4,
                                        transpose: transpose))
            if listed.insert(tensor).inserted { shapes.append((tensor, shape)) }
        }
        add("router.weight", router, [n, d])
        for e in 0..<n {
            let spec = { (w: String) in "experts.\(e).\(w).weight" }
            switch storage {
            case .mixtral:
                let p = "\(prefix).experts.\(e)"
                add(spec("w1"), "\(p).w1.weight", [ff, d])
                add(spec("w2"), "\(p).w2.weight", [d, ff], scale: c.routedScale)
                add(spec("w3"), "\(p).w3.weight", [ff, d])
            case .projections:
                let p = "\(prefix).experts.\(e)"
                add(spec("w1"), "\(p).gate_proj.weight", [ff, d])
                add(spec("w2"), "\(p).down_proj.weight", [d, ff], scale: c.routedScale)
                add(spec("w3"), "\(p).up_proj.weight", [ff, d])
            case .mxfp4:
                let gateUp = "\(prefix).experts.gate_up_proj", down = "\(prefix).experts.down_proj"
                let (gd, gf) = (d / 32, ff / 32)
                let up = (e * 2 * ff * d / 2)..<((e + 1) * 2 * ff * d / 2), upScales = (e * 2 * ff * gd)..<((e + 1) * 2 * ff * gd)
                add(spec("w1"), gateUp + "_blocks", [n, 2 * ff, gd, 16], elements: up,
                    mxfp4: MXFP4Rows(scales: gateUp + "_scales", scaleElements: upScales, cols: d, first: 0, count: ff, step: 2))
                add(spec("w2"), down + "_blocks", [n, d, gf, 16], elements: (e * d * ff / 2)..<((e + 1) * d * ff / 2),
                    scale: c.routedScale, mxfp4: MXFP4Rows(scales: down + "_scales", scaleElements: (e * d * gf)..<((e + 1) * d * gf),
                                                           cols: ff, first: 0, count: d, step: 1))
                add(spec("w3"), gateUp + "_blocks", [n, 2 * ff, gd, 16], elements: up,
                    mxfp4: MXFP4Rows(scales: gateUp + "_scales", scaleElements: upScales, cols: d, first: 1, count: ff, step: 2))
                if c.expertBias {
                    let bias = "\(gateUp)_bias", row = (e * 2 * ff)..<((e + 1) * 2 * ff)
                    add("experts.\(e).w1.bias", bias, [n, 2 * ff], elements: row, transpose: .init(rows: 1, cols: 2 * ff, count: ff, step: 2))
                    add("experts.\(e).w2.bias", "\(down)_bias", [n, d], elements: (e * d)..<((e + 1) * d), scale: c.routedScale)
                    add("experts.\(e).w3.bias", bias, [n, 2 * ff], elements: row,
                        transpose: .init(rows: 1, cols: 2 * ff, first: 1, count: ff, step: 2))
                }
            case .transposed:
                let gateUp = "\(prefix).experts.gate_up_proj", down = "\(prefix).experts.down_proj"
                let block = (e * d * 2 * ff)..<((e + 1) * d * 2 * ff)
                // Llama 4: gate columns first; gpt-oss: gate and up interleaved (even and odd columns).
                let interleaved = c.family == .gptOSS
                let gate = WeightSource.Transpose(rows: d, cols: 2 * ff, count: ff, step: interleaved ? 2 : 1)
                let up = WeightSource.Transpose(rows: d, cols: 2 * ff, first: interleaved ? 1 : ff, count: ff, step: interleaved ? 2 : 1)
                add(spec("w1"), gateUp, [n, d, 2 * ff], elements: block, transpose: gate)
                add(spec("w2"), down, [n, ff, d], elements: (e * ff * d)..<((e + 1) * ff * d), scale: c.routedScale,
                    transpose: .init(rows: ff, cols: d, count: d))
                add(spec("w3"), gateUp, [n, d, 2 * ff], elements: block, transpose: up)
                if c.expertBias {
                    let bias = "\(gateUp)_bias", row = (e * 2 * ff)..<((e + 1) * 2 * ff)
                    add("experts.\(e).w1.bias", bias, [n, 2 * ff], elements: row,
                        transpose: .init(rows: 1, cols: 2 * ff, count: ff, step: interleaved ? 2 : 1))
                    add("experts.\(e).w2.bias", "\(down)_bias", [n, d], elements: (e * d)..<((e + 1) * d), scale: c.routedScale)
                    add("experts.\(e).w3.bias", bias, [n, 2 * ff], elements: row,
                        transpose: .init(rows: 1, cols: 2 * ff, first: interleaved ? 1 : ff, count: ff, step: interleaved ? 2 : 1))
                }
            case .merged, .granite:
                let gateUp = storage == .merged ? "\(prefix).experts.gate_up_proj" : "\(prefix).input_linear.weight"
                let down = storage == .merged ? "\(prefix).experts.down_proj" : "\(prefix).output_linear.weight"
                let block = 2 * ff * d, first = e * block
                add(spec("w1"), gateUp, [n, 2 * ff, d], elements: first..<(first + ff * d))
                add(spec("w2"), down, [n, d, ff], elements: (e * d * ff)..<((e + 1) * d * ff), scale: c.routedScale)
                add(spec("w3"), gateUp, [n, 2 * ff, d], elements: (first + ff * d)..<(first + block))
            }
        }
        if sff > 0, c.native != nil {
            for w in ["w1", "w2", "w3"] { add("shared.\(w).weight", "\(prefix).shared.\(w).weight", w == "w2" ? [d, sff] : [sff, d]) }
        } else if sff > 0 {
            let candidates = ["shared_expert", "shared_experts", "shared_mlp"].map { "\(prefix).\($0)" }
            if let p = candidates.first(where: { tensors.contains("\($0).gate_proj.weight") }) {
                add("shared.w1.weight", "\(p).gate_proj.weight", [sff, d])
                add("shared.w2.weight", "\(p).down_proj.weight", [d, sff])
                add("shared.w3.weight", "\(p).up_proj.weight", [sff, d])
            } else if tensors.contains("\(base).shared_mlp.input_linear.weight") {
                // GraniteMoeShared: beside the block, gate and up fused in one [2·I, d] weight.
                let p = "\(base).shared_mlp"
                add("shared.w1.weight", "\(p).input_linear.weight", [2 * sff, d], elements: 0..<(sff * d))
                add("shared.w2.weight", "\(p).output_linear.weight", [d, sff])
                add("shared.w3.weight", "\(p).input_linear.weight", [2 * sff, d], elements: (sff * d)..<(2 * sff * d))
            } else {
                throw missing("\(candidates[c.family == .qwen2MoE || c.family == .qwen3Next || c.family == .qwen35MoE ? 0 : 1]).gate_proj.weight",
                              layer: layer)
            }
        }
        if c.sharedGate { add("shared_gate.weight", "\(prefix).shared_expert_gate.weight", [1, d]) }
        if c.routerBias { add("router.bias", "\(prefix).router.bias", [n]) }
        if c.selectionBias {
            let candidates = ["gate.e_score_correction_bias", "e_score_correction_bias", "moe_statics.e_score_correction_bias",
                              "gate.moe_statics.e_score_correction_bias"].map { "\(prefix).\($0)" }
            guard let bias = candidates.first(where: { tensors.contains($0) }) else { throw missing(candidates[0], layer: layer) }
            // ERNIE-4.5 stores it as [1, N].
            let shape = try tensors.info(bias).shape == [1, n] ? [1, n] : [n]
            add("router.selection_bias", bias, shape)
        }
        if c.native != nil {
            for (name, shape) in c.layerConfig().parameterShapes where name.hasPrefix("dag.") { add(name, "\(prefix).\(name)", shape) }
        }

        for (tensor, shape) in shapes.dropFirst() { try check(tensor, shape, layer: layer) }
        for source in sources where source.mxfp4 != nil { listed.insert(source.mxfp4!.scales) }
        for source in sources where try tensors.info(source.tensor).dtype == .f8e4m3 {
            try checkFP8(source)
            listed.insert(source.tensor + "_scale_inv")
        }
        let ignored = tensors.shardOf.keys.filter { $0.hasPrefix(prefix + ".") && !listed.contains($0) }.sorted()
        return ModelLayerLayout(layer: layer, prefix: prefix, router: router, storage: storage, sources: sources, ignored: ignored)
    }

    /// Throws unless `tensor` is present, of a weight dtype (or F8_E4M3, checked by
    /// ``checkFP8(_:)``) and of shape `shape`.
    private func check(_ tensor: String, _ shape: [Int], layer: Int) throws(ModelLayoutError) {
        guard tensors.contains(tensor) else { throw missing(tensor, layer: layer) }
        let info = try tensors.info(tensor)
        if tensor.hasSuffix("_blocks") && config.family == .gptOSS {
            guard info.dtype == .u8, info.shape == shape, shape.count == 4, shape[3] == 16 else {
                throw .unsupportedQuantization(tensor: tensor, format: "MXFP4",
                                               reason: "expected U8 \(shape) blocks, found \(info.dtype.rawValue) \(info.shape)")
            }
            let scales = String(tensor.dropLast("_blocks".count)) + "_scales"
            guard config.hiddenSize % 32 == 0, config.expertFF % 32 == 0 else {
                throw .unsupportedQuantization(tensor: tensor, format: "MXFP4", reason: "d and the expert width must be multiples of 32")
            }
            guard tensors.contains(scales), try tensors.info(scales).dtype == .u8, try tensors.info(scales).shape == Array(shape.prefix(3)) else {
                throw .unsupportedQuantization(tensor: tensor, format: "MXFP4", reason: "its scales '\(scales)' are missing or not U8 \(Array(shape.prefix(3)))")
            }
            return
        }
        guard info.dtype.isWeightFloat || info.dtype == .f8e4m3 else {
            throw .unsupportedDType(tensor: tensor, dtype: info.dtype.rawValue)
        }
        guard info.shape == shape else { throw .wrongShape(tensor: tensor, shape: info.shape, expected: shape) }
    }

    /// Throws unless an F8_E4M3 source can be dequantized as the reference does: a whole 2-D
    /// weight, `quantization_config.weight_block_size` [b0, b1], and `<tensor>_scale_inv` of
    /// shape [⌈rows/b0⌉, ⌈cols/b1⌉] in F32, BF16 or F16.
    func checkFP8(_ source: WeightSource) throws(ModelLayoutError) {
        let tensor = source.tensor, format = "F8_E4M3"
        guard let block = config.fp8Block else {
            throw .unsupportedQuantization(tensor: tensor, format: format,
                                           reason: "config.json has no quantization_config with quant_method fp8 and weight_block_size")
        }
        let shape = try tensors.info(tensor).shape
        guard shape.count == 2, source.elements == nil, source.transpose == nil else {
            throw .unsupportedQuantization(tensor: tensor, format: format,
                                           reason: "block-wise FP8 is read for whole 2-D weights only, not for merged expert tensors")
        }
        let scales = tensor + "_scale_inv"
        guard tensors.contains(scales) else {
            throw .unsupportedQuantization(tensor: tensor, format: format, reason: "its block scales '\(scales)' are missing")
        }
        let info = try tensors.info(scales)
        let want = [(shape[0] + block[0] - 1) / block[0], (shape[1] + block[1] - 1) / block[1]]
        guard info.shape == want, info.dtype.isWeightFloat else {
            throw .unsupportedQuantization(tensor: tensor, format: format,
                                           reason: "'\(scales)' is \(info.dtype.rawValue) \(info.shape), expected a float [\(want[0]), \(want[1])] for blocks of \(block)")
        }
    }

    /// A missing-tensor error listing (up to 12 of) the layer's tensors that are present.
    private func missing(_ name: String, layer: Int) -> ModelLayoutError {
        let present = tensors.shardOf.keys.filter { $0.hasPrefix("\(config.layerPrefix).\(layer).") }.sorted()
        let shown = present.prefix(12) + (present.count > 12 ? ["… (\(present.count - 12) more)"] : [])
        return .missingTensor(name: name, layer: layer, found: Array(shown))
    }
}
