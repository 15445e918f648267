import ArgumentParser
import LinearAlgebra
import MoE

/// The aggregators `analyze train` and `analyze compare` fit.
enum Aggregator: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// Weighted sum (L = 0), optionally with a shared expert.
    case ws
    /// DAG-MoE with L ≥ 1 rounds.
    case dag
    /// Chain-of-Experts-style: C iterations, a router each, shared experts.
    case chain
}

/// One model to train: an aggregator and its full configuration.
struct ModelSpec: Sendable {
    /// The label in tables and plots, for example "dag L=2".
    let name: String
    let aggregator: Aggregator
    /// The layer's configuration (for a chain: each iteration's, with L = 0).
    let config: LayerConfig
    /// Chain iterations C (1 for the other aggregators).
    let iterations: Int

    /// The number of trainable scalars.
    var parameterCount: Int {
        ChainLayer<Float>.shapes(config: config, iterations: iterations).reduce(0) { $0 + $1.shape.reduce(1, *) }
    }

    /// Trains a fresh model (initialisation from `seed`, training batches from a seed mixed
    /// from it) and returns the curve and the trained model.
    func train(task: SyntheticTask, options: TrainingOptions, seed: UInt64,
               progress: (TrainingProgress) -> Void) throws -> (result: TrainingResult, model: TrainedModel) {
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
    static func dagParameterCount(_ config: LayerConfig) -> Int {
        config.parameterShapes.filter { $0.name.hasPrefix("dag.") }.reduce(0) { $0 + $1.shape.reduce(1, *) }
    }

    /// The hidden width of a shared SwiGLU expert (3·d·width scalars) closest to `count` scalars.
    static func sharedWidth(matching count: Int, dModel: Int) -> Int {
        max(1, Int((Double(count) / Double(3 * dModel)).rounded()))
    }
}

/// A trained model of either kind.
enum TrainedModel: Sendable {
    case layer(DAGMoELayer<Float>)
    case chain(ChainLayer<Float>)
}
