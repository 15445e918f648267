/// How a layer stores its routed experts.
public enum ExpertStorage: String, Sendable {
    /// Mixtral: `experts.{e}.w1`, `w3`, `w2` (`.weight`).
    case mixtral = "experts.{e}.w1/w3/w2"
    /// Qwen, OLMoE, DeepSeek: `experts.{e}.gate_proj`, `up_proj`, `down_proj` (`.weight`).
    case projections = "experts.{e}.gate_proj/up_proj/down_proj"
    /// Newer transformers: `experts.gate_up_proj` [N, 2·I, d] (gate rows first) and
    /// `experts.down_proj` [N, d, I].
    case merged = "experts.gate_up_proj/down_proj"
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
}

/// One MoE layer of a model: where its block lives and where every spec weight comes from.
public struct ModelLayerLayout: Sendable {
    public let layer: Int
    /// `model.layers.{i}.block_sparse_moe` or `model.layers.{i}.mlp`.
    public let prefix: String
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
        let candidates = ["model.layers.\(layer).block_sparse_moe", "model.layers.\(layer).mlp"]
        let routerLeaf = c.native == nil ? "gate.weight" : "router.weight"
        guard let prefix = candidates.first(where: { tensors.contains("\($0).\(routerLeaf)") }) else {
            throw missing("\(candidates[1]).\(routerLeaf)", layer: layer)
        }
        let storage: ExpertStorage
        if tensors.contains("\(prefix).experts.0.w1.weight") {
            storage = .mixtral
        } else if tensors.contains("\(prefix).experts.0.gate_proj.weight") {
            storage = .projections
        } else if tensors.contains("\(prefix).experts.gate_up_proj") {
            storage = .merged
        } else {
            throw missing("\(prefix).experts.0.gate_proj.weight", layer: layer)
        }

        // The router's real shape first: a config.json claiming 100,000 experts fails here,
        // before a name is built for each of them.
        let router = "\(prefix).\(routerLeaf)"
        try check(router, [n, d], layer: layer)

        var sources: [WeightSource] = []
        var shapes: [(String, [Int])] = []
        var listed: Set<String> = []
        func add(_ spec: String, _ tensor: String, _ shape: [Int], elements: Range<Int>? = nil, scale: Double = 1) {
            sources.append(WeightSource(spec: spec, tensor: tensor, elements: elements, scale: scale))
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
            case .merged:
                let gateUp = "\(prefix).experts.gate_up_proj", down = "\(prefix).experts.down_proj"
                let block = 2 * ff * d, first = e * block
                add(spec("w1"), gateUp, [n, 2 * ff, d], elements: first..<(first + ff * d))
                add(spec("w2"), down, [n, d, ff], elements: (e * d * ff)..<((e + 1) * d * ff), scale: c.routedScale)
                add(spec("w3"), gateUp, [n, 2 * ff, d], elements: (first + ff * d)..<(first + block))
            }
        }
        if sff > 0, c.native != nil {
            for w in ["w1", "w2", "w3"] { add("shared.\(w).weight", "\(prefix).shared.\(w).weight", w == "w2" ? [d, sff] : [sff, d]) }
        } else if sff > 0 {
            let p = c.family == .qwen2MoE ? "\(prefix).shared_expert" : "\(prefix).shared_experts"
            add("shared.w1.weight", "\(p).gate_proj.weight", [sff, d])
            add("shared.w2.weight", "\(p).down_proj.weight", [d, sff])
            add("shared.w3.weight", "\(p).up_proj.weight", [sff, d])
        }
        if c.sharedGate { add("shared_gate.weight", "\(prefix).shared_expert_gate.weight", [1, d]) }
        if c.native != nil {
            for (name, shape) in c.layerConfig().parameterShapes where name.hasPrefix("dag.") { add(name, "\(prefix).\(name)", shape) }
        }

        for (tensor, shape) in shapes.dropFirst() { try check(tensor, shape, layer: layer) }
        let ignored = tensors.shardOf.keys.filter { $0.hasPrefix(prefix + ".") && !listed.contains($0) }.sorted()
        return ModelLayerLayout(layer: layer, prefix: prefix, storage: storage, sources: sources, ignored: ignored)
    }

    /// Throws unless `tensor` is present, of a weight dtype and of shape `shape`.
    private func check(_ tensor: String, _ shape: [Int], layer: Int) throws(ModelLayoutError) {
        guard tensors.contains(tensor) else { throw missing(tensor, layer: layer) }
        let info = try tensors.info(tensor)
        guard info.dtype.isWeightFloat else { throw .unsupportedDType(tensor: tensor, dtype: info.dtype.rawValue) }
        guard info.shape == shape else { throw .wrongShape(tensor: tensor, shape: info.shape, expected: shape) }
    }

    /// A missing-tensor error listing (up to 12 of) the layer's tensors that are present.
    private func missing(_ name: String, layer: Int) -> ModelLayoutError {
        let present = tensors.shardOf.keys.filter { $0.hasPrefix("model.layers.\(layer).") }.sorted()
        let shown = present.prefix(12) + (present.count > 12 ? ["… (\(present.count - 12) more)"] : [])
        return .missingTensor(name: name, layer: layer, found: Array(shown))
    }
}
