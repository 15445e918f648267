import MoE

/// What `config.json` says about a model's MoE blocks, mapped onto the spec's terms
/// (docs/model-layouts.md has the table per family).
///
/// Keys read: `model_type`, `hidden_size`, `num_hidden_layers`, the expert count, K and the
/// expert width under the family's names (``FamilyKeys``), `norm_topk_prob`, the shared
/// expert (`shared_expert_intermediate_size`, `n_shared_experts`, `moe_num_shared_experts`,
/// `shared_intermediate_size`), which layers are MoE (`mlp_only_layers`,
/// `decoder_sparse_step`, `first_k_dense_replace`, `moe_layer_freq`, ERNIE's
/// `moe_layer_start_index`, `moe_layer_end_index`, `moe_layer_interval`), DeepSeek's
/// `scoring_func`, `topk_method`, `n_group`, `topk_group`, `routed_scaling_factor`, and
/// `hidden_act`, `rms_norm_eps`. Optional keys take the transformers defaults, each named in ``notes``.
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
    /// Group-limited selection (DeepSeek-V2 `group_limited_greedy`, V3 `noaux_tc`), else nil.
    public let groups: RouterGroups?
    /// The router scores experts by softmax or by sigmoid.
    public let scores: LayerExtensions.RouterScores
    /// The selection adds `e_score_correction_bias` to the scores.
    public let selectionBias: Bool
    /// The gate scales the expert's input (Llama 4).
    public let gateScalesInput: Bool
    /// The router's logits have a bias; the experts' linear maps have biases (gpt-oss).
    public let routerBias: Bool, expertBias: Bool
    /// The experts' clamped SwiGLU (gpt-oss's `swiglu_alpha`, `swiglu_limit`), else nil.
    public let clampedSwiGLU: ClampedSwiGLU?
    /// PhiMoE's sparse mixer with its jitter ε (`router_jitter_noise`), else nil.
    public let sparseMixer: Double?
    /// The model's RMSNorm epsilon, used for a DAG module added on top.
    public let normEps: Double
    /// Block-wise FP8 (`quantization_config.quant_method` = `fp8`): the [rows, cols] block of
    /// `weight_block_size`, each F8_E4M3 weight's `weight_scale_inv` holding one scale per block.
    public let fp8Block: [Int]?
    /// The stored DAG module of a `dagmoe_lm` model, nil for the Hugging Face families.
    public let native: NativeDAGModule?
    /// Sentences on defaults taken and semantics chosen.
    public let notes: [String]
    let rule: DenseRule
    /// Where the decoder layers live: `model.layers`, or a multimodal wrapper's prefix.
    public let layerPrefix: String

    /// Reads `config.json` at `path` (through `open`: regular files only, at most 64 MB). A
    /// multimodal wrapper (``ModelFamily/wrappers``) is read through its `text_config`, with the
    /// decoder layers under the wrapper's prefix.
    public init(path: String, open: ByteSourceOpener = ModelLayout.openFile) throws(ModelLayoutError) {
        var json = try ModelJSONObject(path: path, open: open), prefix = "model.layers"
        if case .string(let outer)? = json["model_type"], let wrapped = ModelFamily.wrappers[outer] {
            guard let text = try json.optionalObject("text_config") else {
                throw .missingConfigKey(path: path, key: "text_config", modelType: outer, found: json.keys)
            }
            json = text
            prefix = wrapped
        }
        layerPrefix = prefix
        guard let typeValue = json["model_type"] else {
            throw .unknownModelType(path: path, found: nil, supported: ModelFamily.supported,
                                    hint: "found keys: \(json.keys.joined(separator: ", "))")
        }
        guard case .string(let type) = typeValue else { throw json.malformed("model_type", typeValue, "a string") }
        guard let family = ModelFamily(modelType: type) else {
            throw .unknownModelType(path: path, found: type, supported: ModelFamily.supported, hint: nil)
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
        func positive(_ key: String, default value: Int) throws(ModelLayoutError) -> Int {
            let v = try optional(key, json.optionalInt, default: value, String(value))
            guard v >= 1 else { throw .malformedConfigKey(path: path, key: key, value: String(v), expected: "at least 1") }
            return v
        }

        let keys = family.keys
        hiddenSize = try required(["hidden_size"])
        layers = try required(["num_hidden_layers"])
        experts = try required(keys.experts)
        topK = try required(keys.topK)
        guard topK <= experts else {
            throw .malformedConfigKey(path: path, key: keys.topK[0], value: String(topK),
                                      expected: "at most the \(experts) experts")
        }
        expertFF = try required([keys.width])
        if family != .gptOSS, let act = try json.optionalString("hidden_act"), act != "silu" && act != "swish" {
            throw .unsupportedSetting(path: path, key: "hidden_act", value: act, reason: "the layer's experts are SwiGLU (silu)")
        }
        normEps = try json.optionalDouble("rms_norm_eps") ?? 1e-6
        fp8Block = try ModelMoEConfig.fp8Block(json)

        var sharedFF = 0, sharedGate = false, normalize = true, scale = 1.0
        var groups: RouterGroups?, scores = LayerExtensions.RouterScores.softmax, bias = false
        var rule = DenseRule.none, scalesInput = false, logitBias = false, expertBiases = false
        var clamp: ClampedSwiGLU?, mixer: Double?
        var native: NativeDAGModule?
        let (n, k, layerCount) = (experts, topK, layers)
        func checkGroups(_ g: RouterGroups) throws(ModelLayoutError) {
            do {
                try LayerConfig(dModel: 1, nExperts: n, topK: k, dFF: 1, dG: 1, dagLayers: 0)
                    .with(LayerExtensions(routerGroups: g)).validate()
            } catch {
                throw .malformedConfigKey(path: path, key: "n_group/topk_group", value: "\(g.count)/\(g.selected)",
                                          expected: "a grouping of the \(n) experts (\(error))")
            }
        }
        switch family {
        case .dagmoeLM:
            normalize = try json.optionalBool("norm_topk_prob") ?? false
            sharedFF = try json.optionalInt("shared_expert_intermediate_size") ?? 0
            native = try NativeDAGModule(json: json, path: path)
        case .phimoe:
            // PhimoeTopKRouter at inference: sparsemixer with jitter_eps = router_jitter_noise, two experts.
            guard topK == 2 else {
                throw .unsupportedSetting(path: path, key: "num_experts_per_tok", value: String(topK),
                                          reason: "PhiMoE's sparse mixer selects exactly 2 experts")
            }
            normalize = false
            mixer = try optional("router_jitter_noise", json.optionalDouble, default: 0.01, "0.01")
        case .gptOSS:
            // GptOssTopKRouter: z = Rx + c, top-k of z, softmax over them; experts with biases
            // and the clamped SwiGLU on interleaved gate/up columns.
            logitBias = true
            expertBiases = true
            clamp = ClampedSwiGLU(alpha: try optional("swiglu_alpha", json.optionalDouble, default: 1.702, "1.702"),
                                  limit: try optional("swiglu_limit", json.optionalDouble, default: 7, "7"))
            guard clamp!.limit > 0 else {
                throw .malformedConfigKey(path: path, key: "swiglu_limit", value: "\(clamp!.limit)", expected: "a number > 0")
            }
        case .llama4Text:
            // Llama4Router: top-k of the logits, σ of each kept logit, scaling the expert's input.
            sharedFF = expertFF
            scores = .sigmoid
            normalize = false
            scalesInput = true
            if let listed = try json.optionalInts("moe_layers") {
                rule = .listed(Set(listed))
            } else {
                let step = try positive("interleave_moe_layer_step", default: 1)
                rule = .listed(Set(stride(from: step - 1, to: layerCount, by: step)))
            }
        case .mixtral, .minimax, .granitemoe, .hunyuanV1MoE:
            if family == .hunyuanV1MoE { sharedFF = expertFF }
        case .granitemoeShared:
            sharedFF = try optional("shared_intermediate_size", json.optionalInt, default: 0, "no shared MLP")
        case .qwen2MoE, .qwen3MoE, .qwen3Next, .olmoe:
            let normDefault = family == .qwen3Next
            normalize = try optional("norm_topk_prob", json.optionalBool, default: normDefault, String(normDefault))
            if family == .qwen2MoE || family == .qwen3Next {
                sharedFF = try required(["shared_expert_intermediate_size"], minimum: 0)
                sharedGate = sharedFF > 0
            }
            if family != .olmoe {
                rule = .qwen(mlpOnly: Set(try optional("mlp_only_layers", json.optionalInts, default: [], "[]")),
                             step: try positive("decoder_sparse_step", default: 1))
            }
        case .qwen35MoE:
            sharedFF = try required(["shared_expert_intermediate_size"], minimum: 0)
            sharedGate = sharedFF > 0
        case .deepseek, .deepseekV2:
            let scoring = try optional("scoring_func", json.optionalString, default: "softmax", "softmax")
            guard scoring == "softmax" else {
                throw .unsupportedSetting(path: path, key: "scoring_func", value: scoring,
                                          reason: "\(type) routes by softmax (sigmoid scoring is deepseek_v3's)")
            }
            let shared = try optional("n_shared_experts", json.optionalInt, default: 0, "no shared experts")
            sharedFF = shared * expertFF
            let norm = try optional("norm_topk_prob", json.optionalBool, default: false, "false")
            // modeling_deepseek.py renormalises only when top_k > 1, and scales only when it does not.
            normalize = norm && topK > 1
            rule = .deepseek(firstDense: try optional("first_k_dense_replace", json.optionalInt, default: 0, "0"),
                             frequency: try positive("moe_layer_freq", default: 1))
            let method = try optional("topk_method", json.optionalString, default: "greedy", "greedy")
            switch method {
            case "greedy":
                break
            case "group_limited_greedy" where family == .deepseekV2:
                let g = RouterGroups(count: try required(["n_group"]), selected: try required(["topk_group"]))
                try checkGroups(g)
                groups = g
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
        case .deepseekV3, .glm4MoE, .dots1:
            // DeepseekV3TopkRouter (and Glm4Moe's, Dots1's): σ(z), selection by σ(z) + bias within
            // the topk_group groups with the best two-score sums, then renormalise and scale.
            scores = .sigmoid
            bias = true
            let defaults: (norm: Bool, scale: Double, shared: Int?, dense: Int) = switch family {
            case .deepseekV3: (true, 2.5, 1, 3)
            case .glm4MoE: (true, 1, 1, 1)
            default: (false, 1, nil, 0)
            }
            normalize = try optional("norm_topk_prob", json.optionalBool, default: defaults.norm, String(defaults.norm))
            scale = try optional("routed_scaling_factor", json.optionalDouble, default: defaults.scale, String(defaults.scale))
            let shared: Int
            if let d = defaults.shared {
                shared = try optional("n_shared_experts", json.optionalInt, default: d, String(d))
            } else {
                shared = try required(["n_shared_experts"], minimum: 0)
            }
            sharedFF = shared * expertFF
            rule = .deepseek(firstDense: try optional("first_k_dense_replace", json.optionalInt, default: defaults.dense,
                                                      String(defaults.dense)), frequency: 1)
            let g = try positive("n_group", default: 1), t = try positive("topk_group", default: 1)
            if g > 1 {
                let grouping = RouterGroups(count: g, selected: t, rank: .topTwoSum)
                try checkGroups(grouping)
                groups = grouping
            }
        case .minimaxM2:
            scores = .sigmoid
            bias = true
        case .ernie45MoE:
            bias = true
            sharedFF = try optional("moe_num_shared_experts", json.optionalInt, default: 0, "no shared experts") * expertFF
            rule = .ernie(start: try optional("moe_layer_start_index", json.optionalInt, default: 1, "1"),
                          end: try optional("moe_layer_end_index", json.optionalInt, default: layerCount - 1, String(layerCount - 1)),
                          interval: try positive("moe_layer_interval", default: 1))
        }
        self.path = path
        self.family = family
        self.sharedFF = sharedFF
        self.sharedGate = sharedGate
        self.normalizeTopK = normalize
        self.routedScale = scale
        self.groups = groups
        self.scores = scores
        self.selectionBias = bias
        self.gateScalesInput = scalesInput
        self.routerBias = logitBias
        self.expertBias = expertBiases
        self.clampedSwiGLU = clamp
        self.sparseMixer = mixer
        self.rule = rule
        self.native = native
        self.notes = notes
    }

    /// The spec's router: `topk_softmax` when the top-K weights are renormalised (a
    /// renormalised softmax over the selected experts is the softmax of their logits; with
    /// sigmoid scores the extension renormalises s[S]), `softmax_topk` otherwise.
    public var router: LayerConfig.Router { normalizeTopK ? .topKSoftmax : .softmaxTopK }

    /// Why decoder layer `layer` is dense, or nil when it holds an MoE block.
    public func denseReason(layer: Int) -> String? { rule.reason(layer: layer) }

    /// The decoder layers that hold an MoE block, ascending.
    public var moeLayers: [Int] { (0..<layers).filter { denseReason(layer: $0) == nil } }

    /// The spec's configuration of one MoE block: L = `dagLayers` rounds (0: the model's
    /// layer exactly) of width `dG`, RMSNorm with the model's epsilon, no auxiliary losses.
    /// A `dagmoe_lm` model's blocks are its stored module (``native``), whatever is asked.
    public func layerConfig(dagLayers: Int = 0, dG: Int = 1) -> LayerConfig {
        LayerConfig(dModel: hiddenSize, nExperts: experts, topK: topK, dFF: expertFF, dG: native?.dG ?? dG,
                    dagLayers: native?.dagLayers ?? dagLayers, norm: native?.norm ?? .rmsnorm, normEps: normEps,
                    router: router, sharedDFF: sharedFF)
            .with(LayerExtensions(sharedGate: sharedGate, routerGroups: groups, routerScores: scores,
                                   selectionBias: selectionBias, gateScalesInput: gateScalesInput, routerBias: routerBias,
                                   expertBias: expertBias, clampedSwiGLU: clampedSwiGLU, sparseMixer: sparseMixer))
    }
}
