import LinearAlgebra

/// A Chain-of-Experts-style baseline aggregator (Wang et al., 2025): C iterations over
/// one shared set of N SwiGLU experts, each iteration with its own router and an inner
/// residual,
///
///     x^0 = x,   x^c = x^{c−1} + Σ_i g_i^c E_{S_i^c}(x^{c−1}),   y = x^C,
///
/// where S^c and g^c come from router c on x^{c−1} (same router kind and top-K as the
/// config). Each iteration is exactly the spec's weighted-sum layer (L = 0, whose 1/K
/// token residual sums to x^{c−1}), so forward and backward run the layer C times and
/// backward sums the experts' gradients over the iterations. Unlike the DAG module, a
/// later iteration applies experts to an earlier iteration's output: real composition,
/// at C times the expert compute of one layer.
///
/// Weights: the spec's names for iteration 0 (`router.weight`, `experts.{e}.w1.weight`, …) and
/// `chain.{c}.router.weight` ([N, d]) for c = 1 … C−1. A checkpoint of the iteration-0
/// names is thus a valid spec layer (the first iteration alone).
///
/// Auxiliary losses: J = ⟨y, G⟩ + Σ_c (lb_coef·lb_c + z_coef·zl_c), each iteration's
/// losses over its own routing.
public struct ChainLayer<Scalar: BLASScalar>: Sendable {
    /// The per-iteration layer's configuration (`dag_layers` = 0).
    public let config: LayerConfig
    /// C ≥ 1.
    public let iterations: Int
    /// Every weight by name (see the type's documentation).
    public var weights: [String: Tensor<Scalar>]

    /// The name of iteration c's router weight.
    public static func routerName(_ c: Int) -> String { c == 0 ? "router.weight" : "chain.\(c).router.weight" }

    /// Every weight's name and shape, iteration 0's spec names first.
    public static func shapes(config: LayerConfig, iterations: Int) -> [(name: String, shape: [Int])] {
        config.parameterShapes + (1..<max(iterations, 1)).map { (routerName($0), [config.nExperts, config.dModel]) }
    }

    /// A chain over given weights; throws for a config with DAG rounds or a shared expert,
    /// C < 1, or missing or misshapen weights.
    public init(config: LayerConfig, iterations: Int, weights: [String: Tensor<Scalar>]) throws(ChainError) {
        do { try config.validate() } catch { throw ChainError("bad config: \(error)") }
        guard config.dagLayers == 0 else { throw ChainError("a chain's iterations are weighted sums: dag_layers must be 0") }
        guard config.sharedDFF == 0 else { throw ChainError("a chain has no shared expert: shared_d_ff must be 0") }
        guard iterations >= 1 else { throw ChainError("a chain needs at least one iteration, got \(iterations)") }
        for (name, shape) in ChainLayer.shapes(config: config, iterations: iterations) where weights[name]?.shape != shape {
            throw ChainError("weight \(name) is missing or not of shape \(shape)")
        }
        self.config = config
        self.iterations = iterations
        self.weights = weights
    }

    /// Fresh weights, deterministic in `seed`: iteration 0 as `Parameters(initializing:seed:)`,
    /// router c the same way from a seed mixed from `seed` and c.
    public init(config: LayerConfig, iterations: Int, seed: UInt64) throws(ChainError) {
        var weights = Parameters<Scalar>(initializing: config, seed: seed).tensors
        for c in 1..<max(iterations, 1) {
            weights[ChainLayer.routerName(c)] = Parameters<Scalar>(initializing: config, seed: (seed &+ UInt64(c)) &* 0x9E37_79B9_7F4A_7C15)["router.weight"]
        }
        try self.init(config: config, iterations: iterations, weights: weights)
    }

    /// The spec layer of iteration c (0 ≤ c < C): router c and the shared experts.
    public func iterationLayer(_ c: Int) -> DAGMoELayer<Scalar> {
        var tensors: [String: Tensor<Scalar>] = [:]
        for (name, _) in config.parameterShapes { tensors[name] = weights[name] }
        tensors["router.weight"] = weights[ChainLayer.routerName(c)]
        // init validated the config and every name and shape, so this cannot throw.
        return try! DAGMoELayer(parameters: Parameters(config: config, tensors: tensors))
    }
}

/// What a chain's backward needs.
public struct ChainCache<Scalar: BLASScalar>: Sendable {
    let caches: [LayerCache<Scalar>]
}

extension ChainLayer {
    /// y = x^C for x (T×d), with each iteration's outputs, and the cache.
    public func forward(_ x: Matrix<Scalar>) -> (y: Matrix<Scalar>, iterations: [LayerOutput<Scalar>], cache: ChainCache<Scalar>) {
        var current = x
        var outputs: [LayerOutput<Scalar>] = [], caches: [LayerCache<Scalar>] = []
        for c in 0..<iterations {
            let (out, cache) = iterationLayer(c).forward(current)
            outputs.append(out)
            caches.append(cache)
            current = out.y
        }
        return (current, outputs, ChainCache(caches: caches))
    }

    /// dJ/dx and dJ/dθ for J = ⟨y, G⟩ + Σ_c (lb_coef·lb_c + z_coef·zl_c); G is T×d.
    public func backward(_ cache: ChainCache<Scalar>, gradY: Matrix<Scalar>)
        -> (gradX: Matrix<Scalar>, gradients: [String: Tensor<Scalar>]) {
        var gradients = weights.mapValues { Tensor<Scalar>(zeros: $0.shape) }
        func accumulate(_ name: String, _ g: Tensor<Scalar>) {
            gradients[name]!.data.withUnsafeMutableBufferPointer { dst in
                for i in 0..<g.data.count { dst[i] += g.data[i] }
            }
        }
        // Iteration c maps x^{c−1} to x^c; its backward turns dJ/dx^c into dJ/dx^{c−1}.
        var upstream = gradY
        for c in stride(from: iterations - 1, through: 0, by: -1) {
            let (gradX, grads) = iterationLayer(c).backward(cache.caches[c], gradY: upstream)
            for (name, g) in grads.tensors {
                accumulate(name == "router.weight" ? ChainLayer.routerName(c) : name, g)
            }
            upstream = gradX
        }
        return (upstream, gradients)
    }
}

/// A chain that cannot be built, with the reason.
public struct ChainError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
