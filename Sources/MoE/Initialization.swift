import LinearAlgebra

extension Parameters {
    /// Fresh weights for training from scratch, deterministic in `seed`.
    ///
    /// Every linear map's weight is drawn uniformly from ±1/√fan_in (fan_in = its number of
    /// columns), and the edge bias from ±1/√(2·d_g), as PyTorch's `nn.Linear` default does
    /// (kaiming_uniform with a = √5 reduces to this bound). Norm weights are 1 and LayerNorm
    /// biases 0, and so are the extensions' router and expert biases. Each round's `up` is zero (spec, step 4), so a fresh layer computes exactly
    /// the weighted-sum MoE; the DAG module's other weights then start learning from the
    /// gradient of `up`.
    ///
    /// Values are drawn in Double, in the order of `config.parameterShapes`, and rounded to
    /// Scalar: the same seed gives Float and Double layers that agree to Float rounding.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public init(initializing config: LayerConfig, seed: UInt64) {
        var rng = SeededRandom(seed: seed)
        var tensors: [String: Tensor<Scalar>] = [:]
        for (name, shape) in config.parameterShapes {
            let count = shape.reduce(1, *)
            let data: [Scalar]
            if name.hasSuffix("norm.weight") {
                data = [Scalar](repeating: 1, count: count)
            } else if name.hasSuffix("norm.bias") || name.hasSuffix("up.weight") || name == ParameterName.selectionBias
                        || name == ParameterName.routerBias || (name.hasPrefix("experts.") && name.hasSuffix(".bias")) {
                data = [Scalar](repeating: 0, count: count)
            } else {
                let fanIn = name.hasSuffix("edge.bias") ? 2 * config.dG : shape[shape.count - 1]
                let bound = 1 / Double(fanIn).squareRoot()
                data = (0..<count).map { _ in Scalar(rng.nextUniform(-bound, bound)) }
            }
            tensors[name] = Tensor(shape: shape, data: data)
        }
        self.init(config: config, tensors: tensors)
    }
}
