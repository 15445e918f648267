import LinearAlgebra

/// The aggregators `analyze train` and `analyze compare` fit.
public enum Aggregator: String, CaseIterable, Sendable {
    /// Weighted sum (L = 0), optionally with a shared expert.
    case ws
    /// DAG-MoE with L ≥ 1 rounds.
    case dag
    /// Chain-of-Experts-style: C iterations, a router each, shared experts.
    case chain
}

/// One model to train: an aggregator and its full configuration.
public struct ModelSpec: Sendable {
    /// The label in tables and plots, for example "dag L=2".
    public let name: String
    public let aggregator: Aggregator
    /// The layer's configuration (for a chain: each iteration's, with L = 0).
    public let config: LayerConfig
    /// Chain iterations C (1 for the other aggregators).
    public let iterations: Int

    public init(name: String, aggregator: Aggregator, config: LayerConfig, iterations: Int) {
        self.name = name
        self.aggregator = aggregator
        self.config = config
        self.iterations = iterations
    }

    /// The number of trainable scalars.
    public var parameterCount: Int {
        ChainLayer<Float>.shapes(config: config, iterations: iterations).reduce(0) { $0 + $1.shape.reduce(1, *) }
    }

    /// Trains a fresh model (initialisation from `seed`, training batches from a seed mixed
    /// from it) and returns the curve and the trained model.
    public func train(task: SyntheticTask, options: TrainingOptions, seed: UInt64,
               progress: (TrainingProgress) -> Void) throws -> (result: TrainingResult, model: FittedModel) {
        var options = options
        options.dataSeed = seed &* 0x2545_F491_4F6C_DD1D &+ 1
        switch aggregator {
        case .ws, .dag:
            var layer = try DAGMoELayer<Float>(config: config, seed: seed)
            let result = MoE.train(&layer, task: task, options: options, progress: progress)
            return (result, .layer(layer))
        case .chain:
            var chain = try ChainLayer<Float>(config: config, iterations: iterations, seed: seed)
            let result = MoE.train(&chain, task: task, options: options, progress: progress)
            return (result, .chain(chain))
        }
    }

    /// Parameters of the DAG module of a config: every `dag.*` weight.
    public static func dagParameterCount(_ config: LayerConfig) -> Int {
        config.parameterShapes.filter { $0.name.hasPrefix("dag.") }.reduce(0) { $0 + $1.shape.reduce(1, *) }
    }

    /// The hidden width of a shared SwiGLU expert (3·d·width scalars, and as many multiply-adds
    /// per token) closest to `count`.
    public static func sharedWidth(matching count: Int, dModel: Int) -> Int {
        max(1, Int((Double(count) / Double(3 * dModel)).rounded()))
    }
}

/// A trained model of either kind.
public enum FittedModel: Sendable {
    case layer(DAGMoELayer<Float>)
    case chain(ChainLayer<Float>)
}
