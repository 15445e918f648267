/// The models `analyze compare` fits, at matched parameter count where the paper matches them.
public enum CompareModels {
    /// ws (plain), ws + a shared expert with as many parameters as the L = 2 DAG module,
    /// DAG-MoE with L = 1 and L = 2, and a chain of C iterations, all built on `base`
    /// (its own rounds and shared expert are replaced).
    public static func specs(base: LayerConfig, chainIterations: Int) -> [ModelSpec] {
        func config(depth: Int, sharedDFF: Int = 0) -> LayerConfig {
            var c = base
            c.dagLayers = depth
            c.sharedDFF = sharedDFF
            return c
        }
        let dag2 = config(depth: 2)
        let shared = ModelSpec.sharedWidth(matching: ModelSpec.dagParameterCount(dag2), dModel: base.dModel)
        return [
            ModelSpec(name: "ws", aggregator: .ws, config: config(depth: 0), iterations: 1),
            ModelSpec(name: "ws+shared", aggregator: .ws, config: config(depth: 0, sharedDFF: shared), iterations: 1),
            ModelSpec(name: "dag L=1", aggregator: .dag, config: config(depth: 1), iterations: 1),
            ModelSpec(name: "dag L=2", aggregator: .dag, config: dag2, iterations: 1),
            ModelSpec(name: "chain C=\(chainIterations)", aggregator: .chain, config: config(depth: 0),
                      iterations: chainIterations),
        ]
    }
}

/// One model's runs over the seeds.
public struct CompareRow: Sendable {
    public let spec: ModelSpec
    public let results: [TrainingResult]

    public init(spec: ModelSpec, results: [TrainingResult]) {
        self.spec = spec
        self.results = results
    }

    public var finalLosses: [Double] { results.map(\.finalHeldOutLoss) }
    public var mean: Double { CompareRow.mean(finalLosses) }
    /// Sample standard deviation (n − 1); 0 for one seed.
    public var std: Double {
        let xs = finalLosses, m = mean
        guard xs.count > 1 else { return 0 }
        return (xs.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(xs.count - 1)).squareRoot()
    }
    /// The held-out loss at each evaluated step, averaged over seeds.
    public var meanCurve: [(step: Int, loss: Double)] {
        guard let first = results.first else { return [] }
        return first.points.indices.compactMap { i in
            let values = results.compactMap { $0.points.indices.contains(i) ? $0.points[i].heldOutLoss : nil }
            guard values.count == results.count else { return nil }
            return (first.points[i].step, CompareRow.mean(values))
        }
    }

    public static func mean(_ xs: [Double]) -> Double { xs.isEmpty ? .nan : xs.reduce(0, +) / Double(xs.count) }
}
