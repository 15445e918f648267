/// The layer's configuration: the spec's checkpoint metadata keys
/// (docs/layer.md).
public struct LayerConfig: Sendable, Equatable, Codable {
    public enum Norm: String, Sendable, Codable, CaseIterable { case rmsnorm, layernorm }
    public enum Router: String, Sendable, Codable, CaseIterable {
        /// g_i = p[S_i], softmax over all experts, not renormalised.
        case softmaxTopK = "softmax_topk"
        /// g = softmax(z[S]), softmax over the selected logits.
        case topKSoftmax = "topk_softmax"
    }

    /// d: token width.
    public var dModel: Int
    /// N: routed experts.
    public var nExperts: Int
    /// K: experts selected per token.
    public var topK: Int
    /// Hidden width of each routed expert.
    public var dFF: Int
    /// Width of the DAG module's low-dimensional space.
    public var dG: Int
    /// L: rounds of structural aggregation (0 = plain weighted sum).
    public var dagLayers: Int
    public var norm: Norm
    public var normEps: Double
    public var router: Router
    /// Hidden width of the always-on shared expert; 0 = none.
    public var sharedDFF: Int
    public var lbCoef: Double
    public var zCoef: Double
    /// Parts of real models beyond the spec (all off by default): ``LayerExtensions``.
    public var extensions = LayerExtensions()

    public init(dModel: Int, nExperts: Int, topK: Int, dFF: Int, dG: Int, dagLayers: Int,
                norm: Norm = .rmsnorm, normEps: Double = 1e-6, router: Router = .softmaxTopK,
                sharedDFF: Int = 0, lbCoef: Double = 0, zCoef: Double = 0) {
        self.dModel = dModel
        self.nExperts = nExperts
        self.topK = topK
        self.dFF = dFF
        self.dG = dG
        self.dagLayers = dagLayers
        self.norm = norm
        self.normEps = normEps
        self.router = router
        self.sharedDFF = sharedDFF
        self.lbCoef = lbCoef
        self.zCoef = zCoef
    }

    /// Every weight tensor of the layer, in a fixed order, with its shape, under the
    /// spec's PyTorch `state_dict` names.
    public var parameterShapes: [(name: String, shape: [Int])] {
        var out: [(String, [Int])] = [("router.weight", [nExperts, dModel])]
        for e in 0..<nExperts {
            out += [("experts.\(e).w1.weight", [dFF, dModel]),
                    ("experts.\(e).w2.weight", [dModel, dFF]),
                    ("experts.\(e).w3.weight", [dFF, dModel])]
        }
        if sharedDFF > 0 {
            out += [("shared.w1.weight", [sharedDFF, dModel]),
                    ("shared.w2.weight", [dModel, sharedDFF]),
                    ("shared.w3.weight", [sharedDFF, dModel])]
        }
        out += extensions.parameterShapes(dModel: dModel, nExperts: nExperts, dFF: dFF, dG: dG, rounds: dagLayers).map { ($0.name, $0.shape) }
        for l in 0..<dagLayers {
            out.append(("dag.\(l).norm.weight", [dModel]))
            if norm == .layernorm { out.append(("dag.\(l).norm.bias", [dModel])) }
            out += [("dag.\(l).down.weight", [dG, dModel]),
                    ("dag.\(l).edge.weight", [1, 2 * dG]),
                    ("dag.\(l).edge.bias", [1]),
                    ("dag.\(l).node.weight", [dG, 2 * dG]),
                    ("dag.\(l).up.weight", [dModel, dG])]
        }
        return out
    }
}
