import LinearAlgebra

/// The router of a layer on a batch, on its own: what a streamed L = 0 block needs before it
/// reads any expert (which experts the tokens select, with what gates).
public struct BlockRouting: Sendable {
    /// z = x Rᵀ, [T, N].
    public let logits: Matrix<Double>
    /// The scores, [T, N]: p = softmax(z), or s = σ(z) with sigmoid scores.
    public let probabilities: Matrix<Double>
    /// S, [T, K] row-major, in descending selection score (p, or p + b with a selection bias).
    public let topk: [Int]
    /// g, [T, K], in the order of `topk`.
    public let gates: Matrix<Double>

    /// Routes the rows of x ([T, d]) with the router weight R ([N, d] row-major) as the
    /// layer with `config` does, with every router extension: `bias` is `router.bias` (c, added to z)
    /// and `selectionBias` `router.selection_bias` (b, selection only), when the layer has them.
    public init(config: LayerConfig, x: Matrix<Double>, weight: [Double], bias: [Double]? = nil,
                selectionBias: [Double]? = nil) {
        precondition(x.cols == config.dModel && weight.count == config.nExperts * config.dModel,
                     "BlockRouting: x must be T×\(config.dModel) and R \(config.nExperts)×\(config.dModel)")
        let s = LayerShape(config, tokens: x.rows)
        let cache = x.data.withUnsafeBufferPointer { xp in
            weight.withUnsafeBufferPointer { wp in
                Self.route(config, shape: s, x: xp.baseAddress!, weight: wp.baseAddress!, bias: bias,
                           selectionBias: selectionBias)
            }
        }
        logits = Matrix(rows: s.tokens, cols: s.n, data: cache.logits.array)
        probabilities = Matrix(rows: s.tokens, cols: s.n, data: cache.probs.array)
        topk = cache.topk
        gates = Matrix(rows: s.tokens, cols: s.k, data: cache.gates.array)
    }

    /// `routerForward` with the layer's router extensions.
    static func route(_ config: LayerConfig, shape s: LayerShape, x: UnsafePointer<Double>, weight: UnsafePointer<Double>,
                      bias: [Double]?, selectionBias: [Double]?) -> RouterCache<Double> {
        let ext = config.extensions
        precondition((bias != nil) == ext.routerBias && (selectionBias != nil) == ext.selectionBias,
                     "BlockRouting: router.bias and router.selection_bias exactly when the layer has them")
        return withOptionalPointer(bias) { c in
            withOptionalPointer(selectionBias) { b in
                routerForward(config.router, shape: s, x: x, weight: weight, groups: ext.routerGroups,
                              scores: ext.routerScores, bias: b, logitBias: c, sparseMixer: ext.sparseMixer)
            }
        }
    }

    /// Token t's selected experts, in descending p.
    public func selection(ofToken t: Int) -> ArraySlice<Int> {
        let k = gates.cols
        return topk[(t * k)..<((t + 1) * k)]
    }

    /// The experts any token selects, ascending.
    public var selectedExperts: [Int] { Set(topk).sorted() }
}
