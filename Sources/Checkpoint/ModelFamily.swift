/// The MoE families whose Hugging Face layouts map onto the spec's layer, by `model_type`
/// (docs/model-layouts.md has one row per family, read from transformers' modeling files).
public enum ModelFamily: String, CaseIterable, Sendable {
    case mixtral
    case minimax
    case qwen2MoE = "qwen2_moe"
    case qwen3MoE = "qwen3_moe"
    case qwen3Next = "qwen3_next"
    case qwen35MoE = "qwen3_5_moe_text"
    case olmoe
    /// DeepSeek-MoE (`deepseek-moe-16b`, remote code `modeling_deepseek.py`).
    case deepseek
    case deepseekV2 = "deepseek_v2"
    /// DeepSeek-V3 / R1; Kimi-K2's `kimi_k2` is read as this family (``aliases``).
    case deepseekV3 = "deepseek_v3"
    case glm4MoE = "glm4_moe"
    case dots1
    case minimaxM2 = "minimax_m2"
    case granitemoe
    case granitemoeShared = "granitemoeshared"
    case hunyuanV1MoE = "hunyuan_v1_moe"
    case ernie45MoE = "ernie4_5_moe"
    case llama4Text = "llama4_text"
    case gptOSS = "gpt_oss"
    case phimoe
    /// The spec's layer with trained DAG rounds (`python -m dagmoe.lm`, ``NativeDAGModule``).
    case dagmoeLM = "dagmoe_lm"

    /// `model_type`s read as another family: the same architecture under its own name.
    static let aliases: [String: ModelFamily] = ["kimi_k2": .deepseekV3]

    /// The family of `model_type`, aliases included.
    init?(modelType: String) {
        guard let family = ModelFamily(rawValue: modelType) ?? ModelFamily.aliases[modelType] else { return nil }
        self = family
    }

    /// Every `model_type` read, aliases included, sorted.
    public static var supported: [String] { (allCases.map(\.rawValue) + aliases.keys + wrappers.keys).sorted() }

    /// Multimodal wrappers read through their `text_config`, by `model_type`: where their
    /// decoder layers live (Llama4ForConditionalGeneration keeps a Llama4ForCausalLM as
    /// `language_model`; Qwen3_5MoeModel keeps the text model as `language_model`).
    static let wrappers: [String: String] = ["llama4": "language_model.model.layers", "qwen3_5_moe": "model.language_model.layers"]

    /// The semantics of the family's MoE block: how config.json names its numbers and
    /// how its router scores, selects and weighs.
    var keys: FamilyKeys {
        switch self {
        case .mixtral, .minimax:
            return FamilyKeys(experts: ["num_local_experts", "num_experts"], topK: ["num_experts_per_tok"], width: "intermediate_size")
        case .qwen2MoE, .qwen3MoE, .qwen3Next, .qwen35MoE, .dagmoeLM:
            return FamilyKeys(experts: ["num_experts", "num_local_experts"], topK: ["num_experts_per_tok"], width: "moe_intermediate_size")
        case .olmoe:
            return FamilyKeys(experts: ["num_experts", "num_local_experts"], topK: ["num_experts_per_tok"], width: "intermediate_size")
        case .deepseek, .deepseekV2, .deepseekV3, .glm4MoE, .dots1:
            return FamilyKeys(experts: ["n_routed_experts", "num_experts"], topK: ["num_experts_per_tok"], width: "moe_intermediate_size")
        case .minimaxM2, .granitemoe, .granitemoeShared, .gptOSS, .llama4Text, .phimoe:
            return FamilyKeys(experts: ["num_local_experts"], topK: ["num_experts_per_tok"], width: "intermediate_size")
        case .hunyuanV1MoE:
            return FamilyKeys(experts: ["num_experts"], topK: ["moe_topk"], width: "intermediate_size")
        case .ernie45MoE:
            return FamilyKeys(experts: ["moe_num_experts"], topK: ["moe_k"], width: "moe_intermediate_size")
        }
    }

    /// DeepSeek-V3's router (`noaux_tc`): sigmoid scores, a selection-only bias, groups ranked
    /// by their two best biased scores, then renormalisation and the routed scaling factor.
    var isNoAuxTC: Bool { self == .deepseekV3 || self == .glm4MoE || self == .dots1 }
}

/// The config.json keys of a family's expert count, K and expert width.
struct FamilyKeys {
    let experts: [String]
    let topK: [String]
    let width: String
}
