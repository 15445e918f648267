import LinearAlgebra

/// Thresholded edge patterns of the DAG module, sampled: which K×K 0/1 patterns
/// [e_ij > 1/2] = [s_i + t_j + b > 0] a layer's rounds produce.
///
/// A pattern is one word of byte rows: bit 8·i + j is the edge from source j to target i
/// (K ≤ 8). Two kinds of sample answer two questions:
/// - ``free(k:d:dG:rounds:layers:tokensPerLayer:seed:)``: fresh random weights for every layer
///   and random inputs, what the architecture can realize;
/// - ``fixed(_:tokens:seed:)``: one given layer (a trained checkpoint) on random inputs, what
///   that layer does realize.
public enum EdgePatternSampling {
    /// Largest K a pattern word holds.
    public static let maxK = 8

    /// The distinct patterns of each round in a forward pass's edge gates.
    public static func patterns(_ output: LayerOutput<Double>) -> [Set<UInt64>] {
        output.edgeGates.map { gates in
            let tokens = gates.shape[0], k = gates.shape[1]
            var seen = Set<UInt64>()
            for t in 0..<tokens {
                var word: UInt64 = 0
                for i in 0..<k { for j in 0..<k where gates.data[(t * k + i) * k + j] > 0.5 { word |= 1 << (8 * i + j) } }
                seen.insert(word)
            }
            return seen
        }
    }

    /// Patterns over `layers` random layers (N = K experts, so every expert is selected), each on
    /// `tokensPerLayer` standard-normal tokens. Every weight but the norms' is drawn fresh: router,
    /// experts, down, edge and node weights N(0, 1), edge bias uniform in [−2, 2], `up` N(0, 1/d_g).
    /// (Experts of the training init's small scale would leave every node state close to x/K,
    /// all K node states nearly equal.)
    /// With `scorer` `.bilinear` the A_l are drawn N(0, 1) too.
    public static func free(k: Int, d: Int, dG: Int, rounds: Int, layers: Int, tokensPerLayer: Int,
                            seed: UInt64, scorer: LayerExtensions.EdgeScorer = .additive) throws -> [Set<UInt64>] {
        precondition((1...maxK).contains(k), "EdgePatternSampling holds K ≤ \(maxK)")
        let config = LayerConfig(dModel: d, nExperts: k, topK: k, dFF: 2 * d, dG: dG, dagLayers: rounds)
            .with(LayerExtensions(edgeScorer: scorer))
        var rng = SeededRandom(seed: seed)
        var seen = [Set<UInt64>](repeating: [], count: rounds)
        for layer in 0..<layers {
            var p = Parameters<Double>(initializing: config, seed: seed &+ UInt64(layer))
            for (name, shape) in config.parameterShapes where !name.hasSuffix("norm.weight") {
                let count = shape.reduce(1, *)
                let data: [Double]
                if name.hasSuffix("edge.bias") {
                    data = [rng.nextUniform(-2, 2)]
                } else if name.hasSuffix("up.weight") {
                    data = (0..<count).map { _ in rng.nextNormal() / Double(dG).squareRoot() }
                } else {
                    data = (0..<count).map { _ in rng.nextNormal() }
                }
                p[name] = Tensor(shape: shape, data: data)
            }
            let x = Matrix(rows: tokensPerLayer, cols: d, data: (0..<(tokensPerLayer * d)).map { _ in rng.nextNormal() })
            for (l, round) in patterns(try DAGMoELayer(parameters: p).forward(x).output).enumerated() {
                seen[l].formUnion(round)
            }
        }
        return seen
    }

    /// Patterns of one fixed layer on `tokens` standard-normal tokens.
    public static func fixed(_ layer: DAGMoELayer<Double>, tokens: Int, seed: UInt64) -> [Set<UInt64>] {
        precondition(layer.config.topK <= maxK, "EdgePatternSampling holds K ≤ \(maxK)")
        var rng = SeededRandom(seed: seed)
        let d = layer.config.dModel
        let x = Matrix(rows: tokens, cols: d, data: (0..<(tokens * d)).map { _ in rng.nextNormal() })
        return patterns(layer.forward(x).output)
    }
}
