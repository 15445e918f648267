import LinearAlgebra
import MoE

/// The linearization test of a layer: per token, the rank of
/// R = J − I − Σ_i g_i J_{S_i} − J_shared, the part of the layer's Jacobian that no
/// gate-weighted sum of the selected experts' Jacobians explains.
///
/// For a weighted sum (L = 0) R is the gate term Σ_i E_{S_i}(x) ∇g_iᵀ, of rank at most K,
/// or K − 1 when the gates sum to one (`topk_softmax`, or K = N). Each DAG round adds
/// U_l(…), whose range has dimension at most d_g, so rank(R) ≤ min(d, L·d_g + that bound).
/// R is a difference of nearly equal matrices, so the rank tolerance is relative to ‖J‖₂,
/// not to ‖R‖₂; the gap σ_r/σ_{r+1} at the decision shows how clear it was.
/// Everything runs in Float64 (weights widened exactly from the checkpoint).
struct ExcessRankAnalysis {
    struct Token {
        /// Index of the token among the analysis inputs.
        let index: Int
        let rank: Int
        /// ‖J‖₂, the scale of the tolerance.
        let normJ: Double
        /// Singular values of R, descending.
        let singularValues: [Double]
        /// σ_r / σ_{r+1} at the decision (nil at rank 0 or full rank; ∞ when σ_{r+1} = 0).
        let gap: Double?
        /// False when the Jacobian straddles a change of selection (a near-tie in p).
        let selectionStable: Bool
    }

    enum Verdict: String {
        /// Every rank within the weighted-sum bound: the rounds add nothing measurable.
        case weightedSum = "weighted-sum"
        /// Some rank above the weighted-sum bound, every rank within the structural bound.
        case structural
        /// Some rank above min(d, L·d_g + weighted-sum bound): the layer is not the spec's.
        case exceedsBound = "exceeds-bound"
        /// No token had a stable selection.
        case undetermined
    }

    /// The rank tolerance is `relativeTolerance · ‖J‖₂` per token.
    let relativeTolerance: Double
    /// K, or K − 1 when the gates sum to one.
    let weightedSumBound: Int
    /// min(d, L·d_g + weightedSumBound).
    let bound: Int
    let tokens: [Token]

    static let defaultRelativeTolerance = 1e-10

    /// The rank bound of the gate term: K, or K − 1 when the K gates always sum to one; one
    /// more for a sigmoid shared gate (extension `shared_gate`: its term s'·Es(x) wᵀ has rank 1).
    static func weightedSumBound(_ config: LayerConfig) -> Int {
        let sumsToOne = config.router == .topKSoftmax || config.topK == config.nExperts
        let routed = sumsToOne ? config.topK - 1 : config.topK
        return min(config.dModel, routed + (config.extensions.sharedGate ? 1 : 0))
    }

    init(layer: DAGMoELayer<Double>, inputs: [[Double]], relativeTolerance: Double) throws {
        let config = layer.config, d = config.dModel
        self.relativeTolerance = relativeTolerance
        weightedSumBound = ExcessRankAnalysis.weightedSumBound(config)
        bound = min(d, config.dagLayers * config.dG + weightedSumBound)
        tokens = try inputs.enumerated().map { index, x in
            let jac = layer.tokenJacobians(x: x)
            let r = ExcessRankAnalysis.residual(jac, d: d)
            let normJ = try jac.layer.singularValues().first ?? 0
            let rank = NumericalRank(singularValues: try r.singularValues(), rows: d, cols: d,
                                     tolerance: relativeTolerance * normJ)
            return Token(index: index, rank: rank.rank, normJ: normJ, singularValues: rank.singularValues,
                         gap: rank.gap, selectionStable: jac.selectionStable)
        }
    }

    /// R = J − I − Σ_i g_i J_{S_i} − J_shared.
    static func residual(_ jac: TokenJacobians<Double>, d: Int) -> Matrix<Double> {
        var r = jac.layer
        for a in 0..<d { r[a, a] -= 1 }
        for (g, expert) in zip(jac.gates, jac.experts) {
            for i in r.data.indices { r.data[i] -= g * expert.data[i] }
        }
        if let shared = jac.shared {
            for i in r.data.indices { r.data[i] -= shared.data[i] }
        }
        return r
    }

    /// Ranks of the tokens whose selection was stable.
    var stableRanks: [Int] { tokens.filter(\.selectionStable).map(\.rank) }

    var verdict: Verdict {
        let ranks = stableRanks
        guard let top = ranks.max() else { return .undetermined }
        if top > bound { return .exceedsBound }
        return top > weightedSumBound ? .structural : .weightedSum
    }

    /// The smallest gap at a decision over stable tokens (nil when none has one).
    var worstGap: Double? { tokens.filter(\.selectionStable).compactMap(\.gap).min() }
}
