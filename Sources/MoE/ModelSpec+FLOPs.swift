/// Forward compute per token: FLOPs = 2 × multiply-adds of the matrix products (elementwise
/// work left out).
///
/// Per token: the router N·d per routing; K experts 3·d·d_ff each; a shared expert 3·d·d_ff_s
/// (and d for its sigmoid gate); each DAG round ``DAGModuleCost/macsPerRound`` plus, with the
/// bilinear edge scorer, K·d_g² for R = h Aᵀ and K²·d_g for the products h_i · R_j. A chain
/// routes and runs its K experts C times.
extension ModelSpec {
    public var flopsPerToken: Int { 2 * ModelSpec.macsPerToken(config, iterations: iterations) }

    /// Multiply-adds per token of a layer with `config`, run `iterations` times (a chain).
    public static func macsPerToken(_ config: LayerConfig, iterations: Int = 1) -> Int {
        let c = config, d = c.dModel
        let routed = c.nExperts * d + c.topK * 3 * d * c.dFF
        let shared = c.sharedDFF > 0 ? 3 * d * c.sharedDFF + (c.extensions.sharedGate ? d : 0) : 0
        return iterations * routed + shared + dagMACsPerToken(c)
    }

    /// Multiply-adds per token of the DAG module of `config` (all rounds).
    public static func dagMACsPerToken(_ config: LayerConfig) -> Int {
        let c = config, k = c.topK, g = c.dG
        let cost = DAGModuleCost(d: c.dModel, experts: c.nExperts, expertFF: c.dFF, sharedFF: c.sharedDFF, k: k, dG: g)
        let bilinear = c.extensions.edgeScorer == .bilinear ? k * g * g + k * k * g : 0
        return c.dagLayers * (cost.macsPerRound + bilinear)
    }
}
