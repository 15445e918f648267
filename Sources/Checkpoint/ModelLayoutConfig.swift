import MoE

/// The MoE families whose Hugging Face layouts map onto the spec's layer, by `model_type`.
public enum ModelFamily: String, CaseIterable, Sendable {
    case mixtral
    case qwen2MoE = "qwen2_moe"
    case qwen3MoE = "qwen3_moe"
    case olmoe
    /// DeepSeek-MoE (`deepseek-moe-16b`, remote code `modeling_deepseek.py`).
    case deepseek
    case deepseekV2 = "deepseek_v2"
    /// The spec's layer with trained DAG rounds (`python -m dagmoe.lm`, ``NativeDAGModule``).
    case dagmoeLM = "dagmoe_lm"

    /// `model_type`s that are MoE models but whose router the layer does not implement.
    static let unsupported: [String: String] = [
        "deepseek_v3": "its router scores experts by sigmoid and selects with a learned bias (noaux_tc), which the layer does not implement",
        "glm4_moe": "its router scores experts by sigmoid and selects with a learned bias (noaux_tc), which the layer does not implement",
        "gpt_oss": "its experts have biases and a clamped SwiGLU, which the layer does not implement",
        "llama4": "its top-1 sigmoid router scales the expert's input, which the layer does not implement",
    ]
}

/// What `config.json` says about a model's MoE blocks, mapped onto the spec's terms
/// (docs/model-layouts.md has the table per family).
///
/// Keys read: `model_type`, `hidden_size`, `num_hidden_layers`, the expert count
/// (`num_local_experts`, `num_experts` or `n_routed_experts`), `num_experts_per_tok`, the
/// expert width (`intermediate_size` for Mixtral and OLMoE, `moe_intermediate_size`
/// otherwise), `norm_topk_prob`, the shared expert (`shared_expert_intermediate_size`,
/// `n_shared_experts`), which layers are MoE (`mlp_only_layers`, `decoder_sparse_step`,
/// `first_k_dense_replace`, `moe_layer_freq`), DeepSeek's `scoring_func`, `topk_method`,
/// `n_group`, `topk_group`, `routed_scaling_factor`, and `hidden_act`, `rms_norm_eps`.
/// Optional keys take the transformers defaults, each named in ``notes``.
public struct ModelMoEConfig: Sendable, Equatable {
    public let path: String
    public let family: ModelFamily
    /// d.
    public let hiddenSize: Int
    /// Decoder layers in the model (MoE and dense).
    public let layers: Int
    /// N, routed experts per MoE layer.
    public let experts: Int
    /// K.
    public let topK: Int
    /// Hidden width of a routed expert.
    public let expertFF: Int
    /// Hidden width of the shared expert (0: none).
    public let sharedFF: Int
    /// The shared expert's output is scaled by σ(w·x) (Qwen2-MoE's `shared_expert_gate`).
    public let sharedGate: Bool
    /// The top-K weights are renormalised to sum to one: the spec's `topk_softmax`.
    public let normalizeTopK: Bool
    /// A constant multiplying every routed gate (DeepSeek's `routed_scaling_factor`);
    /// the mapping folds it into each expert's W2.
    public let routedScale: Double
    /// Group-limited selection (DeepSeek-V2 `group_limited_greedy`), else nil.
    public let groups: RouterGroups?
    /// The model's RMSNorm epsilon, used for a DAG module added on top.
    public let normEps: Double
    /// The stored DAG module of a `dagmoe_lm` model, nil for the Hugging Face families.
    public let native: NativeDAGModule?
    /// Sentences on defaults taken and semantics chosen.
    public let notes: [String]
    let mlpOnlyLayers: Set<Int>
    let sparseStep: Int
    let firstDense: Int
    let layerFreq: Int

    /// Reads `config.json` at `path` (through `open`: regular files only, at most 64 MB).
    public init(path: String, open: ByteSourceOpener = ModelLayout.openFile) throws(ModelLayoutError) {
        let json = try ModelJSONObject(path: path, open: open)
        guard let typeValue = json["model_type"] else {
            throw .unknownModelType(path: path, found: nil, supported: ModelFamily.allCases.map(\.rawValue),
                                    hint: "found keys: \(json.keys.joined(separator: ", "))")
        }
        guard case .string(let type) = typeValue else { throw json.malformed("model_type", typeValue, "a string") }
        guard let family = ModelFamily(rawValue: type) else {
            throw .unknownModelType(path: path, found: type, supported: ModelFamily.allCases.map(\.rawValue),
                                    hint: ModelFamily.unsupported[type])
        }
        var notes: [String] = []
        func required(_ keys: [String], minimum: Int = 1) throws(ModelLayoutError) -> Int {
            for key in keys {
                guard let value = try json.optionalInt(key) else { continue }
                guard value >= minimum else {
                    throw .malformedConfigKey(path: path, key: key, value: String(value), expected: "at least \(minimum)")
                }
                return value
            }
            throw .missingConfigKey(path: path, key: keys.joined(separator: " or "), modelType: type, found: json.keys)
        }
        func optional<T>(_ key: String, _ read: (String) throws(ModelLayoutError) -> T?, default value: T,
                         _ text: String) throws(ModelLayoutError) -> T {
            if let v = try read(key) { return v }
            notes.append("\(key) absent: \(text) (the transformers default)")
            return value
        }

        hiddenSize = try required(["hidden_size"])
        layers = try required(["num_hidden_layers"])
        switch family {
        case .mixtral: experts = try required(["num_local_experts", "num_experts"])
        case .qwen2MoE, .qwen3MoE, .olmoe, .dagmoeLM: experts = try required(["num_experts", "num_local_experts"])
        case .deepseek, .deepseekV2: experts = try required(["n_routed_experts", "num_experts"])
        }
        topK = try required(["num_experts_per_tok"])
        guard topK <= experts else {
            throw .malformedConfigKey(path: path, key: "num_experts_per_tok", value: String(topK),
                                      expected: "at most the \(experts) experts")
        }
        expertFF = try required(family == .mixtral || family == .olmoe ? ["intermediate_size"] : ["moe_intermediate_size"])
        if let act = try json.optionalString("hidden_act"), act != "silu" && act != "swish" {
            throw .unsupportedSetting(path: path, key: "hidden_act", value: act, reason: "the layer's experts are SwiGLU (silu)")
        }
        normEps = try json.optionalDouble("rms_norm_eps") ?? 1e-6

        var sharedFF = 0, sharedGate = false, normalize = true, scale = 1.0
        var groups: RouterGroups?
        var native: NativeDAGModule?
        var mlpOnly: [Int] = [], sparseStep = 1, firstDense = 0, layerFreq = 1
        switch family {
        case .mixtral:
            break
        case .dagmoeLM:
            normalize = try json.optionalBool("norm_topk_prob") ?? false
            sharedFF = try json.optionalInt("shared_expert_intermediate_size") ?? 0
            native = try NativeDAGModule(json: json, path: path)
        case .qwen2MoE, .qwen3MoE, .olmoe:
            normalize = try optional("norm_topk_prob", json.optionalBool, default: false, "false")
            if family == .qwen2MoE {
                sharedFF = try required(["shared_expert_intermediate_size"], minimum: 0)
                sharedGate = sharedFF > 0
            }
            if family != .olmoe {
                mlpOnly = try optional("mlp_only_layers", json.optionalInts, default: [], "[]")
                sparseStep = try optional("decoder_sparse_step", json.optionalInt, default: 1, "1")
                guard sparseStep >= 1 else {
                    throw .malformedConfigKey(path: path, key: "decoder_sparse_step", value: "0", expected: "at least 1")
                }
            }
        case .deepseek, .deepseekV2:
            let scoring = try optional("scoring_func", json.optionalString, default: "softmax", "softmax")
            guard scoring == "softmax" else {
                throw .unsupportedSetting(path: path, key: "scoring_func", value: scoring,
                                          reason: "the layer's router is a softmax")
            }
            let shared = try optional("n_shared_experts", json.optionalInt, default: 0, "no shared experts")
            sharedFF = shared * expertFF
            let norm = try optional("norm_topk_prob", json.optionalBool, default: false, "false")
            // modeling_deepseek.py renormalises only when top_k > 1, and scales only when it does not.
            normalize = norm && topK > 1
            firstDense = try optional("first_k_dense_replace", json.optionalInt, default: 0, "0")
            layerFreq = try optional("moe_layer_freq", json.optionalInt, default: 1, "1")
            guard layerFreq >= 1 else {
                throw .malformedConfigKey(path: path, key: "moe_layer_freq", value: "0", expected: "at least 1")
            }
            let method = try optional("topk_method", json.optionalString, default: "greedy", "greedy")
            switch method {
            case "greedy":
                break
            case "group_limited_greedy" where family == .deepseekV2:
                let g = try required(["n_group"]), t = try required(["topk_group"])
                groups = RouterGroups(count: g, selected: t)
                do {
                    try LayerConfig(dModel: hiddenSize, nExperts: experts, topK: topK, dFF: expertFF, dG: 1, dagLayers: 0)
                        .with(LayerExtensions(routerGroups: groups)).validate()
                } catch {
                    throw .malformedConfigKey(path: path, key: "n_group/topk_group", value: "\(g)/\(t)",
                                              expected: "a grouping of the \(experts) experts (\(error))")
                }
            default:
                throw .unsupportedSetting(path: path, key: "topk_method", value: method,
                                          reason: "only greedy and (deepseek_v2) group_limited_greedy selection are implemented")
            }
            if family == .deepseekV2 {
                let factor = try optional("routed_scaling_factor", json.optionalDouble, default: 1, "1")
                if normalize && factor != 1 {
                    notes.append("routed_scaling_factor \(factor) not applied: modeling_deepseek.py scales the weights only when it does not renormalise them")
                }
                scale = normalize ? 1 : factor
            }
        }
        self.path = path
        self.family = family
        self.sharedFF = sharedFF
        self.sharedGate = sharedGate
        self.normalizeTopK = normalize
        self.routedScale = scale
        self.groups = groups
        self.native = native
        self.mlpOnlyLayers = Set(mlpOnly)
        self.sparseStep = sparseStep
        self.firstDense = firstDense
        self.layerFreq = layerFreq
        self.notes = notes
    }

    /// The spec's router: `topk_softmax` when the top-K weights are renormalised (a
    /// renormalised softmax over the selected experts is the softmax of their logits),
    /// `softmax_topk` otherwise.
    public var router: LayerConfig.Router { normalizeTopK ? .topKSoftmax : .softmaxTopK }

    /// Why decoder layer `layer` is dense, or nil when it holds an MoE block.
    public func denseReason(layer: Int) -> String? {
        switch family {
        case .mixtral, .olmoe, .dagmoeLM:
            return nil
        case .qwen2MoE, .qwen3MoE:
            if mlpOnlyLayers.contains(layer) { return "it is listed in mlp_only_layers" }
            if (layer + 1) % sparseStep != 0 { return "decoder_sparse_step = \(sparseStep) makes only layers i with (i + 1) divisible by \(sparseStep) MoE" }
            return nil
        case .deepseek, .deepseekV2:
            if layer < firstDense { return "first_k_dense_replace = \(firstDense) makes layers below \(firstDense) dense" }
            if layer % layerFreq != 0 { return "moe_layer_freq = \(layerFreq) makes only every \(layerFreq)th layer MoE" }
            return nil
        }
    }

    /// The decoder layers that hold an MoE block, ascending.
    public var moeLayers: [Int] { (0..<layers).filter { denseReason(layer: $0) == nil } }

    /// The spec's configuration of one MoE block: L = `dagLayers` rounds (0: the model's
    /// layer exactly) of width `dG`, RMSNorm with the model's epsilon, no auxiliary losses.
    /// A `dagmoe_lm` model's blocks are its stored module (``native``), whatever is asked.
    public func layerConfig(dagLayers: Int = 0, dG: Int = 1) -> LayerConfig {
        LayerConfig(dModel: hiddenSize, nExperts: experts, topK: topK, dFF: expertFF, dG: native?.dG ?? dG,
                    dagLayers: native?.dagLayers ?? dagLayers, norm: native?.norm ?? .rmsnorm, normEps: normEps,
                    router: router, sharedDFF: sharedFF)
            .with(LayerExtensions(sharedGate: sharedGate, routerGroups: groups))
    }
}
