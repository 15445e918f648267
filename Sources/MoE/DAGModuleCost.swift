/// What L rounds of a DAG module of width d_g add to one MoE layer with N routed experts of
/// hidden width d_ff, for k selected experts: parameters and multiply-adds per token, against
/// the layer's routed experts and its per-token work.
///
/// Parameter counts come from ``LayerConfig/parameterShapes`` (RMSNorm, the spec's layer), so
/// they cannot drift from the weights the layer has. Multiply-adds per round and token: norm
/// K·d, down and up 2·K·d·d_g, the edge and message maps split into target and source halves
/// 2·K·(d_g + d_g²), the gated sums K²·d_g.
public struct DAGModuleCost: Sendable {
    public let d: Int, experts: Int, expertFF: Int, sharedFF: Int, k: Int, dG: Int

    public init(d: Int, experts: Int, expertFF: Int, sharedFF: Int, k: Int, dG: Int) {
        self.d = d
        self.experts = experts
        self.expertFF = expertFF
        self.sharedFF = sharedFF
        self.k = k
        self.dG = dG
    }

    /// One cost row: L rounds and their shares of the layer.
    public struct Row: Sendable, Equatable {
        public let depth: Int, parameters: Int, parameterShare: Double, macs: Int, macShare: Double
    }

    /// Weights of one round: the `dag.0.*` tensors of a one-round layer.
    public var parametersPerRound: Int {
        let config = LayerConfig(dModel: d, nExperts: 1, topK: 1, dFF: 1, dG: dG, dagLayers: 1)
        return DAGModuleCost.size(config.parameterShapes.filter { $0.name.hasPrefix("dag.") })
    }

    public var macsPerRound: Int { k * d + 2 * k * d * dG + 2 * k * (dG + dG * dG) + k * k * dG }

    /// Routed experts' weights in one layer: the `experts.*` tensors.
    public var routedParameters: Int {
        let config = LayerConfig(dModel: d, nExperts: experts, topK: 1, dFF: expertFF, dG: 1, dagLayers: 0)
        return DAGModuleCost.size(config.parameterShapes.filter { $0.name.hasPrefix("experts.") })
    }

    /// Per-token multiply-adds of the layer: router, k experts, the shared expert.
    public var activeMACs: Int { experts * d + k * 3 * d * expertFF + 3 * d * sharedFF }

    /// One row per entry of `depths`.
    public func rows(depths: [Int]) -> [Row] {
        depths.map { l in
            Row(depth: l, parameters: l * parametersPerRound,
                parameterShare: Double(l * parametersPerRound) / Double(routedParameters),
                macs: l * macsPerRound, macShare: Double(l * macsPerRound) / Double(activeMACs))
        }
    }

    private static func size(_ shapes: [(name: String, shape: [Int])]) -> Int {
        shapes.reduce(0) { $0 + $1.shape.reduce(1, *) }
    }
}
