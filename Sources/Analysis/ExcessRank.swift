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
public struct ExcessRankAnalysis: Sendable {
    public struct Token: Sendable {
        /// Index of the token among the analysis inputs.
        public let index: Int
        public let rank: Int
        /// ‖J‖₂, the scale of the tolerance.
        public let normJ: Double
        /// Singular values of R, descending.
        public let singularValues: [Double]
        /// σ_r / σ_{r+1} at the decision (nil at rank 0 or full rank; ∞ when σ_{r+1} = 0).
        public let gap: Double?
        /// False when the Jacobian straddles a change of selection (a near-tie in p).
        public let selectionStable: Bool
        /// Matrix-free only: the second sketch's bound on the part of R's range the probes
        /// missed (at most the rank tolerance, or the probes grew to d).
        public var residualBound: Double? = nil
    }

    /// How R's rank is found: from the d×d matrices (`dense`), or from products with blocks
    /// of vectors (`matrix-free`, L = 0 model layers); `auto` picks dense for d ≤ 256.
    public enum Method: String, Sendable, CaseIterable {
        case auto, dense
        case matrixFree = "matrix-free"

        /// Widest d for which `auto` forms the matrices.
        public static let denseUpTo = 256

        /// `auto` resolved for width d.
        public func resolved(d: Int) -> Method {
            self == .auto ? (d <= Method.denseUpTo ? .dense : .matrixFree) : self
        }
    }

    public enum Verdict: String, Sendable {
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
    public let relativeTolerance: Double
    /// K, or K − 1 when the gates sum to one.
    public let weightedSumBound: Int
    /// min(d, L·d_g + weightedSumBound).
    public let bound: Int
    public let tokens: [Token]
    /// `dense` or `matrix-free`.
    public let method: Method

    public static let defaultRelativeTolerance = 1e-10

    /// The rank bound of the gate term: K, or K − 1 when the K gates always sum to one
    /// (renormalised gates, or softmax gates over all N experts; sigmoid scores and the sparse
    /// mixer's masked gates do not sum to one); one more for a sigmoid shared gate (extension `shared_gate`: its term
    /// s'·Es(x) wᵀ has rank 1).
    public static func weightedSumBound(_ config: LayerConfig) -> Int {
        let sumsToOne = config.router == .topKSoftmax
            || (config.topK == config.nExperts && config.extensions.routerScores == .softmax
                && config.extensions.sparseMixer == nil)
        let routed = sumsToOne ? config.topK - 1 : config.topK
        return min(config.dModel, routed + (config.extensions.sharedGate ? 1 : 0))
    }

    /// Runs the test on each token of `inputs` (rows of d values).
    public init(layer: DAGMoELayer<Double>, inputs: [[Double]], relativeTolerance: Double) throws(AnalysisError) {
        let config = layer.config, d = config.dModel
        self.relativeTolerance = relativeTolerance
        weightedSumBound = ExcessRankAnalysis.weightedSumBound(config)
        bound = min(d, config.dagLayers * config.dG + weightedSumBound)
        method = .dense
        var tokens: [Token] = []
        for (index, x) in inputs.enumerated() {
            let jac = layer.tokenJacobians(x: x)
            let r = ExcessRankAnalysis.residual(jac, d: d)
            do {
                let normJ = try jac.layer.singularValues().first ?? 0
                let rank = NumericalRank(singularValues: try r.singularValues(), rows: d, cols: d,
                                         tolerance: relativeTolerance * normJ)
                tokens.append(Token(index: index, rank: rank.rank, normJ: normJ, singularValues: rank.singularValues,
                                    gap: rank.gap, selectionStable: jac.selectionStable))
            } catch {
                throw .layer("Jacobian test, token \(index): \(error)")
            }
        }
        self.tokens = tokens
    }

    /// The test's outcome from tokens analysed elsewhere (matrix-free).
    init(config: LayerConfig, relativeTolerance: Double, tokens: [Token], method: Method) {
        self.relativeTolerance = relativeTolerance
        weightedSumBound = ExcessRankAnalysis.weightedSumBound(config)
        bound = min(config.dModel, config.dagLayers * config.dG + weightedSumBound)
        self.tokens = tokens
        self.method = method
    }

    /// R = J − I − Σ_i g_i J_{S_i} − J_shared.
    public static func residual(_ jac: TokenJacobians<Double>, d: Int) -> Matrix<Double> {
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
    public var stableRanks: [Int] { tokens.filter(\.selectionStable).map(\.rank) }

    /// What the ranks of the stable tokens say about the layer.
    public var verdict: Verdict {
        let ranks = stableRanks
        guard let top = ranks.max() else { return .undetermined }
        if top > bound { return .exceedsBound }
        return top > weightedSumBound ? .structural : .weightedSum
    }

    /// The smallest gap at a decision over stable tokens (nil when none has one).
    public var worstGap: Double? { tokens.filter(\.selectionStable).compactMap(\.gap).min() }
}
