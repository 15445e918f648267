import LinearAlgebra

/// The router of a layer on a batch, on its own: what a streamed L = 0 block needs before it
/// reads any expert (which experts the tokens select, with what gates).
public struct BlockRouting: Sendable {
    /// z = x Rᵀ, [T, N].
    public let logits: Matrix<Double>
    /// p = softmax(z), [T, N].
    public let probabilities: Matrix<Double>
    /// S, [T, K] row-major, in descending p.
    public let topk: [Int]
    /// g, [T, K], in the order of `topk`.
    public let gates: Matrix<Double>

    /// Routes the rows of x ([T, d]) with the router weight R ([N, d] row-major) as the
    /// layer with `config` does (its router kind and router groups).
    public init(config: LayerConfig, x: Matrix<Double>, weight: [Double]) {
        precondition(x.cols == config.dModel && weight.count == config.nExperts * config.dModel,
                     "BlockRouting: x must be T×\(config.dModel) and R \(config.nExperts)×\(config.dModel)")
        let s = LayerShape(config, tokens: x.rows)
        let cache = x.data.withUnsafeBufferPointer { xp in
            weight.withUnsafeBufferPointer { wp in
                routerForward(config.router, shape: s, x: xp.baseAddress!, weight: wp.baseAddress!,
                              groups: config.extensions.routerGroups)
            }
        }
        logits = Matrix(rows: s.tokens, cols: s.n, data: cache.logits.array)
        probabilities = Matrix(rows: s.tokens, cols: s.n, data: cache.probs.array)
        topk = cache.topk
        gates = Matrix(rows: s.tokens, cols: s.k, data: cache.gates.array)
    }

    /// Token t's selected experts, in descending p.
    public func selection(ofToken t: Int) -> ArraySlice<Int> {
        let k = gates.cols
        return topk[(t * k)..<((t + 1) * k)]
    }

    /// The experts any token selects, ascending.
    public var selectedExperts: [Int] { Set(topk).sorted() }
}
