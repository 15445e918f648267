/// Parts of real MoE layers that the spec's layer does not have, each off by default,
/// so a default configuration is exactly the spec's (docs/model-layouts.md).
///
/// - `sharedGate`: the shared expert's output is scaled by a learned sigmoid gate,
///   `y += σ(w·x) · Es(x)` with w = `shared_gate.weight` [1, d] (Qwen2-MoE's
///   `shared_expert_gate`). Needs a shared expert (`shared_d_ff` > 0).
/// - `routerGroups`: group-limited selection (DeepSeek-V2 `group_limited_greedy`, V3
///   `noaux_tc`): the experts form G groups of N/G consecutive experts, a token keeps the T
///   groups ranked highest (by their largest selection score, or by the sum of their two
///   largest), and S is the top K among the kept groups' experts. The gates are computed
///   from the scores as the router says (the selection is piecewise constant, so backward
///   is unchanged).
/// - `routerScores`: `.sigmoid` scores each expert by s = σ(z) instead of p = softmax(z)
///   (DeepSeek-V3, GLM-4.5, dots.llm1, MiniMax-M2). The router kind then says whether the
///   selected scores are renormalised: `softmax_topk` g_i = s_{S_i}, `topk_softmax`
///   g_i = s_{S_i} / Σ_j s_{S_j}.
/// - `selectionBias`: a per-expert bias b = `router.selection_bias` [N] added to the scores
///   for the selection only (`e_score_correction_bias`): S (and the group ranking) uses
///   s + b, the gates use s. b receives no gradient (the selection is piecewise constant).
/// - `gateScalesInput`: the gate scales the routed expert's input instead of its output
///   (Llama 4): node i starts as E_{S_i}(g_i x) + x/K rather than g_i E_{S_i}(x) + x/K.
///   Backward: dE = dx_i^0, the expert's input gradient du gives dx += g_i du and
///   dg_i = ⟨du, x⟩.
/// - `routerBias`: z = x Rᵀ + c with c = `router.bias` [N] (gpt-oss); dc = Σ_t dz_t.
/// - `expertBias`: each routed expert's three linear maps have biases, `experts.{e}.w1.bias`,
///   `w3.bias` [d_ff] and `w2.bias` [d] (gpt-oss).
/// - `sparseMixer`: PhiMoE's sparse-mixer gates at inference with jitter ε (K = 2):
///   g_i = softmax(z[M_i])_{S_i} over a relative-threshold mask M_i (`SparseMixer.swift`).
/// - `clampedSwiGLU`: the routed experts' activation is ``ClampedSwiGLU`` (gpt-oss), not silu(a)·b.
/// - `edgeScorer`: `.bilinear` adds h_iᵀ A_l h_j to every edge score of round l,
///   e_ij = σ(h_iᵀ A h_j + a_t·h_i + a_s·h_j + b), with A_l = `dag.{l}.edge.bilinear` [d_g, d_g]
///   (A = 0 is the spec's gate). The spec's additive score thresholds to lonesum patterns only;
///   with d_g ≥ K the bilinear one reaches every K×K 0/1 pattern (H A Hᵀ is any matrix when the
///   K×d_g matrix H of node states has full row rank).
public struct LayerExtensions: Sendable, Equatable, Codable {
    /// How round l scores the edge from source j to target i.
    public enum EdgeScorer: String, Sendable, Codable, CaseIterable {
        /// The spec's σ(a_t·h_i + a_s·h_j + b).
        case additive
        /// σ(h_iᵀ A h_j + a_t·h_i + a_s·h_j + b).
        case bilinear
    }

    /// How the router turns logits into the scores it selects and gates by.
    public enum RouterScores: String, Sendable, Codable, CaseIterable {
        /// The spec's p = softmax(z).
        case softmax
        /// s = σ(z), expert by expert.
        case sigmoid
    }

    public var sharedGate: Bool
    public var routerGroups: RouterGroups?
    public var edgeScorer: EdgeScorer
    public var routerScores: RouterScores
    public var selectionBias: Bool
    public var gateScalesInput: Bool
    public var routerBias: Bool
    public var expertBias: Bool
    public var clampedSwiGLU: ClampedSwiGLU?
    public var sparseMixer: Double?

    public init(sharedGate: Bool = false, routerGroups: RouterGroups? = nil, edgeScorer: EdgeScorer = .additive,
                routerScores: RouterScores = .softmax, selectionBias: Bool = false, gateScalesInput: Bool = false,
                routerBias: Bool = false, expertBias: Bool = false, clampedSwiGLU: ClampedSwiGLU? = nil,
                sparseMixer: Double? = nil) {
        self.sharedGate = sharedGate
        self.routerGroups = routerGroups
        self.edgeScorer = edgeScorer
        self.routerScores = routerScores
        self.selectionBias = selectionBias
        self.gateScalesInput = gateScalesInput
        self.routerBias = routerBias
        self.expertBias = expertBias
        self.clampedSwiGLU = clampedSwiGLU
        self.sparseMixer = sparseMixer
    }

    /// True when nothing is switched on (the spec's layer).
    public var isEmpty: Bool {
        !sharedGate && routerGroups == nil && edgeScorer == .additive && routerScores == .softmax && !selectionBias
            && !gateScalesInput && !routerBias && !expertBias && clampedSwiGLU == nil
            && sparseMixer == nil
    }

    /// The extension's weights with their shapes, in a fixed order.
    func parameterShapes(dModel: Int, nExperts: Int, dFF: Int, dG: Int, rounds: Int) -> [(name: String, shape: [Int])] {
        var out: [(name: String, shape: [Int])] = selectionBias ? [(ParameterName.selectionBias, [nExperts])] : []
        if routerBias { out.append((ParameterName.routerBias, [nExperts])) }
        if expertBias {
            for e in 0..<nExperts {
                out += [(ParameterName.expertBias(e, "w1"), [dFF]), (ParameterName.expertBias(e, "w2"), [dModel]),
                        (ParameterName.expertBias(e, "w3"), [dFF])]
            }
        }
        if sharedGate { out.append((ParameterName.sharedGate, [1, dModel])) }
        if edgeScorer == .bilinear { out += (0..<rounds).map { (ParameterName.bilinear($0), [dG, dG]) } }
        return out
    }

    /// Throws `LayerConfigError` for an extension the configuration cannot run.
    func validate(_ config: LayerConfig) throws {
        if sharedGate && config.sharedDFF < 1 {
            throw LayerConfigError(key: "shared_gate", message: "needs a shared expert (shared_d_ff > 0)")
        }
        if let groups = routerGroups { try groups.validate(experts: config.nExperts, topK: config.topK) }
        if let eps = sparseMixer {
            guard config.topK == 2, eps.isFinite, eps >= 0 else {
                throw LayerConfigError(key: "sparse_mixer", message: "needs top_k = 2 and a finite jitter ε ≥ 0")
            }
        }
    }
}

extension ParameterName {
    /// The extension weight w of the sigmoid shared-expert gate, [1, d].
    static let sharedGate = "shared_gate.weight"

    /// The extension's selection-only bias b of the router, [N].
    static let selectionBias = "router.selection_bias"

    /// The extension's logit bias c of the router, [N].
    static let routerBias = "router.bias"

    /// `experts.{e}.{w}.bias`, the extension's expert biases.
    static func expertBias(_ e: Int, _ w: String) -> String { "experts.\(e).\(w).bias" }

    /// The extension weight A_l of round l's bilinear edge score, [d_g, d_g].
    static func bilinear(_ l: Int) -> String { dag(l, "edge.bilinear") }
}

extension LayerConfig {
    /// The same configuration with `extensions` in place of its own.
    public func with(_ extensions: LayerExtensions) -> LayerConfig {
        var config = self
        config.extensions = extensions
        return config
    }
}
